"""`parse_comment`: a table of comment texts and what the bot must make of them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from bot import messages
from bot.commands import (
    MAX_COMMENT_CHARS,
    AnswerCommand,
    CancelCommand,
    ChartCommand,
    CommandResult,
    FixCommand,
    Ignore,
    PlanCommand,
    Reply,
    ReviseCommand,
    Run,
    StatusCommand,
    ValidateCommand,
    parse_comment,
)

BOT = "k8s-autopilot[bot]"


def parse(body: str, author: str = "alice", is_bot: bool = False) -> CommandResult:
    return parse_comment(body, bot_login=BOT, author_login=author, author_is_bot=is_bot)


RUNS: list[tuple[str, str, object]] = [
    ("plain chart", "/autopilot chart nginx", ChartCommand(request="nginx")),
    ("upper-case prefix", "/AUTOPILOT chart nginx", ChartCommand(request="nginx")),
    ("mixed-case verb", "/autopilot CHART nginx", ChartCommand(request="nginx")),
    ("leading spaces", "   /autopilot chart redis", ChartCommand(request="redis")),
    ("leading tab", "\t/autopilot chart redis", ChartCommand(request="redis")),
    ("tab between verb and request", "/autopilot chart\tredis", ChartCommand(request="redis")),
    (
        "request keeps its words and case",
        "/autopilot chart  Nginx   with ingress on shop.example.com",
        ChartCommand(request="Nginx with ingress on shop.example.com"),
    ),
    (
        "set flag before request",
        "/autopilot chart --set replicas=3 nginx",
        ChartCommand(request="nginx", settings={"replicas": "3"}),
    ),
    (
        "set flag after request",
        "/autopilot chart nginx --set replicas=3",
        ChartCommand(request="nginx", settings={"replicas": "3"}),
    ),
    (
        "set with equals sign",
        "/autopilot chart nginx --set=image.tag=1.27",
        ChartCommand(request="nginx", settings={"image.tag": "1.27"}),
    ),
    (
        "set with double quotes",
        '/autopilot chart app --set "image=ghcr.io/acme/shop:1.4"',
        ChartCommand(request="app", settings={"image": "ghcr.io/acme/shop:1.4"}),
    ),
    (
        "set with quoted value containing spaces",
        "/autopilot chart app --set description='a shop front'",
        ChartCommand(request="app", settings={"description": "a shop front"}),
    ),
    (
        "several set flags, last one wins",
        "/autopilot chart app --set replicas=2 --set port=8080 --set replicas=4",
        ChartCommand(request="app", settings={"replicas": "4", "port": "8080"}),
    ),
    (
        "set value may contain equals",
        "/autopilot chart app --set env.OPTS=a=b",
        ChartCommand(request="app", settings={"env.OPTS": "a=b"}),
    ),
    (
        "no shell expansion",
        "/autopilot chart app --set cmd='$(rm -rf /)' `whoami`",
        ChartCommand(request="app `whoami`", settings={"cmd": "$(rm -rf /)"}),
    ),
    (
        "apostrophe in request is not a quoting error",
        "/autopilot chart bob's shop",
        ChartCommand(request="bob's shop"),
    ),
    ("hash is not a comment", "/autopilot chart app for #12", ChartCommand(request="app for #12")),
    (
        "following lines belong to the request",
        "/autopilot chart nginx\nwith TLS\nand 3 replicas",
        ChartCommand(request="nginx\nwith TLS\nand 3 replicas"),
    ),
    (
        "request only on following lines",
        "/autopilot chart\npostgres with persistence",
        ChartCommand(request="postgres with persistence"),
    ),
    ("windows line endings", "/autopilot chart nginx\r\nwith tls", ChartCommand(request="nginx\nwith tls")),
    (
        "text before the command is ignored",
        "Hello team!\n/autopilot chart nginx",
        ChartCommand(request="nginx"),
    ),
    (
        "first command line wins",
        "/autopilot plan redis\n/autopilot chart nginx",
        PlanCommand(request="redis\n/autopilot chart nginx"),
    ),
    (
        "plan",
        "/autopilot plan redis --set replicas=1",
        PlanCommand(request="redis", settings={"replicas": "1"}),
    ),
    ("answer", "/autopilot answer port 8080", AnswerCommand(text="port 8080")),
    ("multi-line answer", "/autopilot answer\n1. 8080\n2. yes", AnswerCommand(text="1. 8080\n2. yes")),
    ("revise", "/autopilot revise use 2 replicas", ReviseCommand(text="use 2 replicas")),
    ("revise keeps --set literally", "/autopilot revise add --set x=1", ReviseCommand(text="add --set x=1")),
    ("fix", "/autopilot fix", FixCommand()),
    ("validate", "/autopilot validate", ValidateCommand()),
    ("status", "/autopilot status", StatusCommand()),
    ("cancel with trailing spaces", "/autopilot cancel   ", CancelCommand()),
    ("cancel with commentary on next line", "/autopilot cancel\nwrong repo, sorry", CancelCommand()),
    (
        "command after a fenced block",
        "```\n/autopilot chart evil\n```\n/autopilot chart nginx",
        ChartCommand(request="nginx"),
    ),
]


@pytest.mark.parametrize(("body", "command"), [(b, c) for _, b, c in RUNS], ids=[i for i, _, _ in RUNS])
def test_runs(body: str, command: object) -> None:
    assert parse(body) == Run(command=command)  # type: ignore[arg-type]


REPLIES: list[tuple[str, str, str]] = [
    ("help", "/autopilot help", messages.help_text()),
    ("bare command is help", "/autopilot", messages.help_text()),
    ("bare command with spaces is help", "  /autopilot   ", messages.help_text()),
    ("unknown verb", "/autopilot deploy nginx", "I don't know the command `deploy`"),
    ("typo gets a suggestion", "/autopilot chrt nginx", "Did you mean `/autopilot chart`?"),
    ("chart without request", "/autopilot chart", "needs a request"),
    ("chart with only flags", "/autopilot chart --set a=1", "needs a request"),
    ("plan without request", "/autopilot plan   ", "needs a request"),
    ("answer without text", "/autopilot answer", "needs your answer"),
    ("revise without text", "/autopilot revise", "needs a description of the change"),
    ("fix with argument", "/autopilot fix everything", "takes no arguments"),
    ("status with argument", "/autopilot status please", "takes no arguments"),
    ("unknown option", "/autopilot chart nginx --values x.yaml", "has no option `--values`"),
    ("set without key=value", "/autopilot chart nginx --set replicas", "is not `key=value`"),
    ("set with empty key", "/autopilot chart nginx --set =3", "is not `key=value`"),
    ("set with bad key", "/autopilot chart nginx --set 'a b=3'", "is not `key=value`"),
    ("set without value", "/autopilot chart nginx --set", "`key=value` after `--set`"),
    ("too long", "/autopilot chart " + "x" * MAX_COMMENT_CHARS, "the limit is 10,000"),
]


@pytest.mark.parametrize(
    ("body", "expected"), [(b, e) for _, b, e in REPLIES], ids=[i for i, _, _ in REPLIES]
)
def test_replies(body: str, expected: str) -> None:
    result = parse(body)
    assert isinstance(result, Reply), result
    assert expected in result.text


IGNORES: list[tuple[str, str, str, bool]] = [
    ("no command", "LGTM, thanks!", "alice", False),
    ("empty comment", "", "alice", False),
    ("command not at line start", "please run /autopilot chart nginx", "alice", False),
    ("longer word", "/autopilots chart nginx", "alice", False),
    ("quoted command", "> /autopilot chart nginx\nI agree", "alice", False),
    ("inside a fenced block", "```\n/autopilot chart nginx\n```", "alice", False),
    ("inside a tilde fence", "~~~\n/autopilot chart nginx\n~~~", "alice", False),
    ("the bot itself", "/autopilot chart nginx", BOT, False),
    ("the bot, other case", "/autopilot chart nginx", "K8S-Autopilot[bot]", False),
    ("another app", "/autopilot chart nginx", "dependabot[bot]", False),
    ("user flagged as bot", "/autopilot chart nginx", "ci-robot", True),
    ("long comment without command", "x" * (MAX_COMMENT_CHARS * 3), "alice", False),
]


@pytest.mark.parametrize(
    ("body", "author", "is_bot"), [(b, a, f) for _, b, a, f in IGNORES], ids=[i for i, *_ in IGNORES]
)
def test_ignores(body: str, author: str, is_bot: bool) -> None:
    assert isinstance(parse(body, author, is_bot), Ignore)


def test_table_is_large_enough() -> None:
    assert len(RUNS) + len(REPLIES) + len(IGNORES) >= 40


def test_result_round_trips_through_the_tagged_union() -> None:
    """The result is serialisable (e.g. into a job row) and reads back as the same variant."""
    adapter: TypeAdapter[CommandResult] = TypeAdapter(CommandResult)
    for body in ("/autopilot chart nginx --set a=1", "/autopilot help", "hi"):
        result = parse(body)
        assert adapter.validate_json(adapter.dump_json(result)) == result


def test_unknown_verb_echo_is_bounded_and_defused() -> None:
    result = parse("/autopilot " + "`@evil" * 100)
    assert isinstance(result, Reply)
    assert "@evil" not in result.text
    assert len(result.text) < len(messages.help_text()) + 400


@settings(max_examples=300, deadline=None)
@given(
    body=st.text(max_size=400)
    | st.builds(lambda rest: "/autopilot " + rest, st.text(max_size=200))
    | st.builds(
        lambda verb, rest: f"/autopilot {verb} {rest}",
        st.sampled_from(["chart", "plan", "answer", "revise", "fix", "help", "x"]),
        st.text(alphabet=st.sampled_from(list("ab =-'\"\\\n\t$`#")), max_size=60),
    ),
    author=st.sampled_from(["alice", BOT, "x[bot]"]),
    is_bot=st.booleans(),
)
def test_never_raises(body: str, author: str, is_bot: bool) -> None:
    result = parse(body, author, is_bot)
    assert isinstance(result, Run | Reply | Ignore)
    if isinstance(result, Run) and isinstance(result.command, ChartCommand | PlanCommand):
        assert result.command.request.strip()


# --- the texts the bot posts (bot/messages.py) ------------------------------------------------------

THREAD = "acme/shop#12"


def test_markers_round_trip_and_reject_unknown_kinds() -> None:
    body = messages.status_comment(THREAD, done=["plan"], current="generate")
    assert messages.find_marker(body) == ("status", THREAD)
    assert messages.find_marker("no marker here") is None
    assert messages.find_marker("<!-- autopilot:bogus thread=a/b#1 -->") is None
    with pytest.raises(ValueError, match="unknown marker kind"):
        messages.marker("bogus", THREAD)


def test_status_comment_checklist() -> None:
    body = messages.status_comment(THREAD, done=["plan", "generate"], current="validate", note="3 findings")
    lines = [line for line in body.splitlines() if line.startswith("- ")]
    assert lines == [
        "- ☑ Plan the chart",
        "- ☑ Generate the chart files",
        "- ☐ Validate (lint, render, schemas, security) — ⏳ in progress",
        "- ☐ Fix what validation found",
        "- ☐ Open the pull request",
    ]
    assert body.endswith("3 findings")
    failed = messages.status_comment(THREAD, done=["plan"], failed="generate")
    assert "- ☐ Generate the chart files — ❌ failed" in failed
    with pytest.raises(ValueError, match="unknown stage"):
        messages.status_comment(THREAD, done=["deploy"])


def test_question_and_escalation_comments() -> None:
    question = messages.question_comment(THREAD, ["Which port does it listen on?", "Public hostname?"])
    assert "1. Which port does it listen on?\n2. Public hostname?" in question
    assert "`/autopilot answer <your answers>`" in question
    with pytest.raises(ValueError):
        messages.question_comment(THREAD, [])
    escalation = messages.escalation_comment(
        THREAD,
        3,
        [("CKV_K8S_20", "templates/deployment.yaml:12", "allowPrivilegeEscalation | true")],
        allowed=3,
    )
    assert "I used all 3 fix attempt(s) that `max_heal_attempts` allows" in escalation
    assert "| `CKV_K8S_20` | templates/deployment.yaml:12 | allowPrivilegeEscalation \\| true |" in escalation


@pytest.mark.parametrize(
    ("attempts", "allowed", "in_a_row", "says"),
    [
        # the loop stops as soon as an attempt cannot improve the chart: say so, with the budget
        (2, 3, None, "I made 2 of the 3 fix attempt(s) that `max_heal_attempts` allows: attempt 2 could not"),
        (3, 3, None, "I used all 3 fix attempt(s) that `max_heal_attempts` allows"),
        (0, 0, None, "Self-heal is off here (`max_heal_attempts: 0`)"),
        (0, 3, 5, "after 5 commits of mine in a row with no human commit in between"),
    ],
)
def test_escalation_says_why_healing_stopped_in_the_settings_terms(
    attempts: int, allowed: int, in_a_row: int | None, says: str
) -> None:
    text = messages.escalation_comment(THREAD, attempts, [], allowed=allowed, bot_commits_in_a_row=in_a_row)
    assert says in text and "time(s) to fix" not in text


def test_pr_body_has_plan_table_and_validation_results() -> None:
    from pydantic import BaseModel

    class Image(BaseModel):
        repository: str
        tag: str

    class Plan(BaseModel):
        name: str
        replicas: int
        image: Image
        hosts: list[str]
        annotations: dict[str, str] = {}
        note: str | None = None

    plan = Plan(
        name="shop",
        replicas=3,
        image=Image(repository="acme/shop", tag="1.4"),
        hosts=["a.example.com", "b.example.com"],
    )
    body = messages.pr_body(
        THREAD,
        request="shop with ingress\nping @octocat",
        chart_path="charts/shop",
        plan=plan,
        validation=[
            messages.ValidationLine(check="helm lint", ok=True),
            messages.ValidationLine(check="security", ok=False, detail="1 warning"),
        ],
        heal_attempts=2,
        issue_number=12,
    )
    assert messages.find_marker(body) == ("pr", THREAD)
    assert "| `name` | shop |" in body and "| `replicas` | 3 |" in body
    assert "| `image.repository` | acme/shop |" in body
    assert "| `hosts` | a.example.com, b.example.com |" in body
    assert "`annotations`" not in body and "`note`" not in body  # empty values are left out
    assert "| helm lint | ✅ pass |" in body and "| security | ❌ fail | 1 warning |" in body
    assert "> shop with ingress\n> ping @\u200boctocat" in body  # quoted, mention defused
    assert "Self-heal made 2 fix attempt(s)." in body and body.endswith("Closes #12.")


def test_refusals_name_the_way_forward() -> None:
    assert "only users with write permission" in messages.unauthorised(
        THREAD, "eve", "users with write permission"
    )
    assert "`/autopilot cancel`" in messages.busy(THREAD, "validate")
    assert "fork `eve/shop`" in messages.fork_pr_refusal(THREAD, "eve/shop")
    config = messages.config_error(THREAD, ".github/autopilot.yml", "unknown key `foo`.")
    assert messages.find_marker(config) == ("config-error", THREAD) and "unknown key `foo`" in config
    assert "https://github.com/acme/shop/pull/13" in messages.finalised_note(
        THREAD, "https://github.com/acme/shop/pull/13"
    )
