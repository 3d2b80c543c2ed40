"""`autopilot action --mode respond`: the App's handlers on a workflow token, state carried between runs."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from bot.action_state import STATE_MARKER_PREFIX, ActionState, StartCall, state_comment
from tests.action.conftest import Runner
from tests.conftest import OWNER, REPO
from tests.fakes.github_server import FakeGitHub
from tests.fakes.github_state import ACTIONS_LOGIN
from tests.fakes.payloads import PullHead, WebhookFactory, issue_comment

FULL = f"{OWNER}/{REPO}"


def comment_event(fake: FakeGitHub, number: int, body: str) -> dict[str, Any]:
    """octo writes `body` on issue `number`: the comment exists on the fake, and its event is returned."""
    # a workflow's event carries no App installation
    return issue_comment(fake, FULL, number, body, user="octo", installation_id=None)


def respond(runner: Runner, fake: FakeGitHub, event: dict[str, Any], *, in_process: bool = False) -> Any:
    runner.api_url = fake.base_url
    env = runner.env("issue_comment", event, runner.home / "workspace")
    return runner.run("respond", env, in_process=in_process)


@pytest.fixture
def issue(fake_actions_github: FakeGitHub) -> int:
    fake_actions_github.set_permission(OWNER, REPO, "octo", "write")
    return fake_actions_github.new_issue_number(FULL)


def bot_comments(fake: FakeGitHub, number: int) -> list[str]:
    return [c.body for c in fake.comments_on(OWNER, REPO, number) if c.user == ACTIONS_LOGIN]


def test_a_question_asked_in_one_run_is_answered_in_a_fresh_runner(
    tmp_path: Path, fake_actions_github: FakeGitHub, issue: int
) -> None:
    fake = fake_actions_github
    first = Runner(tmp_path / "runner-1")
    run1 = respond(first, fake, comment_event(fake, issue, "/autopilot chart a django app"))

    assert run1.code == 0, run1.stderr
    said = bot_comments(fake, issue)
    assert any("I need a few answers" in body for body in said)
    assert sum(STATE_MARKER_PREFIX in body for body in said) == 1
    assert not fake.pulls
    first.discard()  # the first runner is gone, with its checkpoint and clone

    second = Runner(tmp_path / "runner-2")
    run2 = respond(second, fake, comment_event(fake, issue, "/autopilot answer ghcr.io/acme/shop:1.4"))

    assert run2.code == 0, run2.stderr
    (pull,) = fake.pulls.values()
    assert pull.head.startswith("autopilot/")
    assert fake.git.branch_sha(OWNER, REPO, pull.head)
    assert run2.outputs["pull-request"] == str(pull.number)
    assert run2.outputs["chart-path"].startswith("charts/")
    assert sum(STATE_MARKER_PREFIX in body for body in bot_comments(fake, issue)) == 1  # edited in place


def test_a_tampered_state_is_refused_with_a_comment_and_nothing_runs(
    runner: Runner, fake_actions_github: FakeGitHub, issue: int
) -> None:
    fake = fake_actions_github
    honest = state_comment(
        ActionState(thread_id=f"{FULL}#{issue}", journal=[StartCall(request="a django app")])
    )
    digest = honest.split("sha256=")[1][:64]
    tampered = honest.replace(digest, hashlib.sha256(b"someone else's edit").hexdigest())
    fake.add_comment(OWNER, REPO, issue, tampered, user=ACTIONS_LOGIN)

    run = respond(
        runner,
        fake,
        comment_event(fake, issue, "/autopilot answer ghcr.io/acme/shop:1.4"),
        in_process=True,
    )

    assert run.code == 2
    assert "stored conversation state of octo-org/charts#1 was rejected" in run.stderr
    assert "checksum" in run.stderr
    assert any("I cannot continue this conversation" in body for body in bot_comments(fake, issue))
    assert not fake.pulls


def test_an_oversized_state_is_refused(runner: Runner, fake_actions_github: FakeGitHub, issue: int) -> None:
    fake = fake_actions_github
    huge = f"{STATE_MARKER_PREFIX} v=1 sha256={'0' * 64} data={'A' * 60_000} -->"
    fake.add_comment(OWNER, REPO, issue, huge, user=ACTIONS_LOGIN)

    run = respond(runner, fake, comment_event(fake, issue, "/autopilot answer yes"), in_process=True)

    assert run.code == 2
    assert any("the limit is 40,000" in body for body in bot_comments(fake, issue))
    assert not fake.pulls


def test_a_state_marker_in_a_humans_comment_is_ignored(
    runner: Runner, fake_actions_github: FakeGitHub, issue: int
) -> None:
    fake = fake_actions_github
    forged = state_comment(
        ActionState(thread_id=f"{FULL}#{issue}", journal=[StartCall(request="a django app")])
    )
    fake.add_comment(OWNER, REPO, issue, forged, user="octo")

    run = respond(runner, fake, comment_event(fake, issue, "/autopilot answer yes"), in_process=True)

    assert run.code == 0, run.stderr
    assert any("There is no k8s-autopilot run here" in body for body in bot_comments(fake, issue))


def test_respond_without_a_token_cannot_start(runner: Runner, tmp_path: Path) -> None:
    runner.token = None
    env = runner.env("issue_comment", {}, tmp_path)
    run = runner.run("respond", env, in_process=True)
    assert run.code == 2
    assert run.stderr.count("\n") == 1
    assert "GITHUB_TOKEN is empty: pass `github-token` to the action" in run.stderr


def test_a_missing_event_file_cannot_start(runner: Runner, tmp_path: Path) -> None:
    env = runner.env("issue_comment", {}, tmp_path, GITHUB_EVENT_PATH=str(tmp_path / "gone.json"))
    run = runner.run("respond", env, in_process=True)
    assert run.code == 2
    assert run.stderr.count("\n") == 1
    assert f"GITHUB_EVENT_PATH={tmp_path / 'gone.json'}: cannot read the event" in run.stderr


def test_an_unknown_mode_cannot_start(runner: Runner, tmp_path: Path) -> None:
    env = runner.env("issue_comment", {}, tmp_path, AUTOPILOT_MODE="deploy")
    from bot.action_command import run_action

    code = run_action(None, environ=env)
    assert code == 2


def test_a_line_comment_on_the_chart_revises_it_in_a_later_run(
    tmp_path: Path, fake_actions_github: FakeGitHub, issue: int
) -> None:
    fake = fake_actions_github
    first = Runner(tmp_path / "runner-1")
    assert respond(first, fake, comment_event(fake, issue, "/autopilot chart nginx")).code == 0
    (pull,) = fake.pulls.values()
    before = fake.git.branch_sha(OWNER, REPO, pull.head)
    first.discard()

    values = "charts/nginx/values.yaml"
    review = fake.add_review(
        OWNER,
        REPO,
        pull.number,
        user="octo",
        state="COMMENTED",
        line_comments=[(values, 3, "use 3 replicas here")],
    )
    (line,) = [c for c in fake.review_comments if c.review_id == review.id]
    factory = WebhookFactory.for_fake(fake, FULL, installation_id=None)
    event = factory.pull_request_review_comment(
        pull.number,
        path=values,
        line=3,
        body=line.body,
        user="octo",
        pull=PullHead(head_ref=pull.head),
        comment_id=line.id,
        review_id=review.id,
    )
    second = Runner(tmp_path / "runner-2")
    second.api_url = fake.base_url
    run = second.run("respond", second.env("pull_request_review_comment", event, second.home / "workspace"))

    assert run.code == 0, run.stderr
    head = fake.git.branch_sha(OWNER, REPO, pull.head)
    assert head is not None and head != before
    (reply,) = [c for c in fake.review_comments if c.in_reply_to_id == line.id]
    assert (
        reply.user["login"] == ACTIONS_LOGIN and "replicas set to 3" in reply.body and head[:12] in reply.body
    )
