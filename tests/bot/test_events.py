"""Webhook models against GitHub's real example payloads (npm @octokit/webhooks-examples)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.events import (
    HANDLED_EVENTS,
    CheckRunEvent,
    EventPayloadError,
    InstallationEvent,
    IssueCommentEvent,
    PullRequestEvent,
    PullRequestReviewEvent,
    WorkflowRunEvent,
    parse_event,
    thread_id,
)
from tests.conftest import NPM_MISSING
from tests.fakes.github_shapes import WEBHOOK_EXAMPLES, webhook_examples

FIXTURES = Path(__file__).parents[1] / "fixtures"


def _examples() -> list[tuple[str, int, dict[str, Any]]]:
    if not WEBHOOK_EXAMPLES.is_file():
        pytest.skip(NPM_MISSING, allow_module_level=True)
    return [
        (name, i, example)
        for name, examples in webhook_examples().items()
        if name in HANDLED_EVENTS
        for i, example in enumerate(examples)
    ]


EXAMPLES = _examples()


def test_every_handled_event_has_real_examples() -> None:
    assert {name for name, _, _ in EXAMPLES} == HANDLED_EVENTS
    assert len(EXAMPLES) >= 70


@pytest.mark.parametrize(
    ("event", "example"),
    [(name, ex) for name, _, ex in EXAMPLES],
    ids=[f"{name}-{i}-{ex.get('action')}" for name, i, ex in EXAMPLES],
)
def test_every_real_example_parses(event: str, example: dict[str, Any]) -> None:
    parsed = parse_event(event, json.dumps(example).encode())
    assert parsed is not None
    assert parsed.name == event
    assert parsed.action == example["action"]
    if event != "installation":
        assert not isinstance(parsed, InstallationEvent)
        assert parsed.repository.full_name == example["repository"]["full_name"]
        for tid in parsed.thread_ids:
            assert tid.startswith(example["repository"]["full_name"] + "#")


def test_issue_comment_fields_from_fixture() -> None:
    raw = (FIXTURES / "webhooks/issue_comment.created.autopilot-chart.json").read_bytes()
    event = parse_event("issue_comment", raw)
    assert isinstance(event, IssueCommentEvent)
    assert event.comment.body.startswith("/autopilot chart nginx")
    assert event.thread_ids == ["Codertocat/Hello-World#1"]
    assert event.installation is not None and event.installation.id == 1
    assert event.comment.user is not None and not event.comment.user.is_bot


def test_review_with_null_body_reads_as_empty_text() -> None:
    example = next(
        ex for name, _, ex in EXAMPLES if name == "pull_request_review" and ex["action"] == "submitted"
    )
    assert example["review"]["body"] is None
    event = parse_event("pull_request_review", example)
    assert isinstance(event, PullRequestReviewEvent)
    assert event.review.body == ""
    assert event.thread_ids == [f"{example['repository']['full_name']}#{example['pull_request']['number']}"]


def test_check_run_threads_are_its_pull_requests() -> None:
    example = next(ex for name, _, ex in EXAMPLES if name == "check_run" and ex["check_run"]["pull_requests"])
    event = parse_event("check_run", example)
    assert isinstance(event, CheckRunEvent)
    assert event.thread_ids == [
        f"{example['repository']['full_name']}#{pr['number']}" for pr in example["check_run"]["pull_requests"]
    ]


def test_closed_pull_request_reports_merged() -> None:
    closed = [ex for name, _, ex in EXAMPLES if name == "pull_request" and ex["action"] == "closed"]
    assert closed
    for example in closed:
        event = parse_event("pull_request", example)
        assert isinstance(event, PullRequestEvent)
        assert event.pull_request.merged == example["pull_request"]["merged"]


def test_workflow_run_and_installation() -> None:
    run = next(ex for name, _, ex in EXAMPLES if name == "workflow_run" and ex["action"] == "completed")
    parsed = parse_event("workflow_run", run)
    assert isinstance(parsed, WorkflowRunEvent)
    assert parsed.workflow_run.conclusion == run["workflow_run"]["conclusion"]
    install = next(ex for name, _, ex in EXAMPLES if name == "installation")
    parsed_install = parse_event("installation", install)
    assert isinstance(parsed_install, InstallationEvent)
    assert parsed_install.installation.id == install["installation"]["id"]


def test_unhandled_events_give_none() -> None:
    assert parse_event("ping", (FIXTURES / "webhooks/ping.json").read_bytes()) is None
    assert parse_event("push", b"not even json") is None


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (b"{not json", "issue_comment payload is not JSON"),
        (b"\xff\xfe", "issue_comment payload is not JSON"),
        (b"[1, 2]", "must be a JSON object, got list"),
        (b'{"action": "created"}', "field `repository`: Field required"),
    ],
)
def test_bad_payloads_raise_event_payload_error(payload: bytes, expected: str) -> None:
    with pytest.raises(EventPayloadError) as caught:
        parse_event("issue_comment", payload)
    assert expected in str(caught.value)


def test_thread_id() -> None:
    assert thread_id("acme", "shop", 12) == "acme/shop#12"
    for owner, repo, number in (("", "shop", 1), ("acme", "a/b", 1), ("acme", "shop", 0)):
        with pytest.raises(ValueError):
            thread_id(owner, repo, number)
