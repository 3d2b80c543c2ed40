"""Property-based fuzzing: no input makes a boundary raise anything but its documented error type.

Boundaries: the comment grammar (never raises), `ChartPlan.model_validate` (only
`pydantic.ValidationError`), the repo config loader (only `RepoConfigError`), the webhook
event parser (only `EventPayloadError`), the planner (only `PlanError`) and the model-edit gate
(only `UnsafeEditError`, and anything accepted stays inside the chart). Example counts are
bounded so the whole module runs in seconds.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath
from typing import Any

import pydantic
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agents.chart_edits import FileEdit, UnsafeEditError, apply_file_edits
from agents.plan import plan_request
from agents.plan.errors import PlanError
from agents.plan.model import ChartPlan
from bot.commands import Ignore, Reply, Run, parse_comment
from bot.config import RepoConfig, RepoConfigError, load_repo_config
from bot.events import EventPayloadError, parse_event
from bot.handlers.answers import AnswerError, answers_from_text
from tests.fakes.github_state import BOT_LOGIN

FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

JSON_LEAF = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=30)
JSONISH = st.recursive(
    JSON_LEAF,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=25,
)
PLAN_KEYS = list(ChartPlan.model_fields)

# --- the comment grammar -------------------------------------------------------------------------

WORDS = st.sampled_from(
    [
        "/autopilot",
        "/AUTOPILOT",
        "chart",
        "plan",
        "answer",
        "revise",
        "fix",
        "help",
        "status",
        "--set",
        "--set=",
        "a=b",
        "'x y'",
        '"q',
        "'",
        "```",
        "~~~",
        "\\",
        "$(id)",
        "`rm -rf /`",
        "{{ . }}",
        "\n",
        "\r\n",
        "\u0441hart",
        "name=../../x",
        "--exec",
        "=",
        "image=x:1",
        "\x00",
        "\u202e",
    ]
)
COMMENT = st.lists(WORDS | st.text(max_size=20), max_size=25).map(" ".join) | st.text(max_size=300)


@FAST
@given(
    body=COMMENT, author=st.sampled_from(["alice", BOT_LOGIN, "dependabot[bot]", ""]), is_bot=st.booleans()
)
def test_comment_parser_never_raises(body: str, author: str, is_bot: bool) -> None:
    parsed = parse_comment(body, bot_login=BOT_LOGIN, author_login=author, author_is_bot=is_bot)
    assert isinstance(parsed, Run | Reply | Ignore)
    if author.endswith("[bot]") or is_bot:
        assert isinstance(parsed, Ignore)  # bots never command the bot
    if isinstance(parsed, Run) and parsed.command.verb in ("chart", "plan"):
        command: Any = parsed.command
        assert command.request.strip()
        assert all(key and ".." not in key.split(".")[0] and "/" not in key for key in command.settings)
    if isinstance(parsed, Reply):
        assert parsed.text.strip()


# --- the plan model ------------------------------------------------------------------------------


def _mutate(value: Any, path: list[str | int], replacement: Any) -> Any:
    if not path:
        return replacement
    head, *rest = path
    if isinstance(value, dict) and head in value:
        return {**value, head: _mutate(value[head], rest, replacement)}
    if isinstance(value, list) and isinstance(head, int) and head < len(value):
        return [_mutate(v, rest, replacement) if i == head else v for i, v in enumerate(value)]
    return value


def _paths(value: Any, prefix: list[str | int]) -> list[list[str | int]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, [*prefix, key])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, [*prefix, index])
    return found


VALID_PLAN = plan_request(
    "a django app on ghcr.io/acme/shop:1.4 port 8000 with ingress for shop.example.com", []
).plan
assert VALID_PLAN is not None
VALID_DUMP = VALID_PLAN.model_dump(mode="json")
VALID_PATHS = _paths(VALID_DUMP, [])


@FAST
@given(data=st.dictionaries(st.sampled_from(PLAN_KEYS) | st.text(max_size=10), JSONISH, max_size=8))
def test_plan_model_raises_only_validation_errors_on_arbitrary_dicts(data: dict[str, Any]) -> None:
    try:
        plan = ChartPlan.model_validate(data)
    except pydantic.ValidationError:
        return
    assert plan.name == plan.name.lower() and "/" not in plan.name


@FAST
@given(path=st.sampled_from(VALID_PATHS), replacement=JSONISH)
def test_plan_model_raises_only_validation_errors_on_mutated_real_plans(
    path: list[str | int], replacement: Any
) -> None:
    try:
        plan = ChartPlan.model_validate(_mutate(VALID_DUMP, path, replacement))
    except pydantic.ValidationError:
        return
    assert PurePosixPath(plan.name).name == plan.name and plan.name == plan.name.lower()


# --- the repo config loader ----------------------------------------------------------------------

CONFIG_KEYS = st.sampled_from([*RepoConfig.model_fields, "users", "teams", "min_permission", "run"])
YAML_DOCS = st.dictionaries(CONFIG_KEYS, JSONISH, max_size=5).map(lambda d: yaml.safe_dump(d))
YAML_NOISE = st.lists(
    st.sampled_from(
        [
            "&a",
            "*a",
            "!!python/object:os.system",
            "[",
            "{",
            "]",
            "}",
            ":",
            "- ",
            "\n",
            "  ",
            "'",
            '"',
            "<<: *a",
            "%YAML 1.1",
            "---",
            "...",
            "!!binary",
            "? ",
            "|",
            ">",
            "#",
        ]
    )
    | st.text(max_size=10),
    max_size=30,
).map("".join)


@FAST
@given(text=YAML_DOCS | YAML_NOISE | st.binary(max_size=200))
def test_repo_config_loader_raises_only_repo_config_errors(text: str | bytes) -> None:
    try:
        config = load_repo_config(text)
    except RepoConfigError as err:
        assert str(err).strip() and "\n" not in str(err).strip()
        return
    assert isinstance(config, RepoConfig)
    parts = config.charts_dir.split("/")
    assert ".." not in parts and not config.charts_dir.startswith("/")


# --- webhook payloads ----------------------------------------------------------------------------

EVENTS = st.sampled_from(
    [
        "issue_comment",
        "pull_request_review",
        "pull_request",
        "check_run",
        "check_suite",
        "workflow_run",
        "installation",
        "pull_request_review_comment",
        "star",
    ]
)


@FAST
@given(event=EVENTS, data=JSONISH)
def test_event_parser_raises_only_payload_errors(event: str, data: Any) -> None:
    try:
        parsed = parse_event(event, json.dumps(data).encode())
    except EventPayloadError as err:
        assert str(err).startswith(event)
        return
    assert parsed is None or isinstance(data, dict)


# --- the planner and the edit gate ---------------------------------------------------------------

SET_KEYS = st.sampled_from(
    [
        "name",
        "image",
        "replicas",
        "ports",
        "exposure.kind",
        "exposure.hosts",
        "workload",
        "resources.memory_limit",
        "persistence.size",
        "env.FOO",
        "security.run_as_user",
        "autoscaling.max_replicas",
        "job.schedule",
        "__class__",
        "image.tag",
        "x",
    ]
)


@SLOW
@given(
    request=st.text(max_size=80) | st.sampled_from(["nginx", "redis", "a web app", "postgres with 10Gi"]),
    sets=st.lists(st.tuples(SET_KEYS, st.text(max_size=20)).map(lambda kv: f"{kv[0]}={kv[1]}"), max_size=3),
)
def test_planner_raises_only_plan_errors(request: str, sets: list[str]) -> None:
    try:
        outcome = plan_request(request, sets)
    except PlanError as err:
        assert str(err).strip()
        return
    assert outcome.plan is not None or outcome.questions


SEGMENTS = st.sampled_from(
    [
        "templates",
        "ci",
        "..",
        ".",
        "",
        ".github",
        ".git",
        "values.yaml",
        "Chart.yaml",
        "x.yaml",
        "x.sh",
        "~",
        "a\\b",
        "\x00",
        "C:",
        "workflows",
        "deployment.yaml",
    ]
)


@FAST
@given(parts=st.lists(SEGMENTS | st.text(max_size=8), min_size=1, max_size=4))
def test_edit_gate_accepts_only_paths_inside_the_chart(parts: list[str]) -> None:
    path = "/".join(parts)
    try:
        result = apply_file_edits({"values.yaml": "a: 1\n"}, [FileEdit(path=path, content="x: 1\n")])
    except UnsafeEditError:
        return
    assert path in result
    segments = path.split("/")
    assert segments[0] not in (".github", ".git") and ".." not in segments and "" not in segments
    assert not PurePosixPath(path).is_absolute() and "\\" not in path


QUESTION_KEYS = st.lists(
    st.sampled_from(["image", "ports", "env.DATABASE_URL", "exposure.hosts", "name"]), unique=True
)


@FAST
@given(keys=QUESTION_KEYS, text=COMMENT)
def test_plain_answers_raise_only_answer_errors(keys: list[str], text: str) -> None:
    questions = [{"key": key, "prompt": f"What is {key}?"} for key in keys]
    try:
        answers = answers_from_text(questions, text)
    except AnswerError as err:
        assert str(err).strip()
        return
    assert set(answers) <= set(keys)
