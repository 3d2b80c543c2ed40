"""The routing table: which handler answers which `(event, action)`, and how a told failure ends a job."""

from __future__ import annotations

import pytest

from bot.events import HANDLED_EVENTS
from bot.handlers import ROUTER, Router, StepFailed


def test_routing_table_is_the_documented_one() -> None:
    assert ROUTER.routes == [
        ("check_run", "completed", "check_run.on_failed_ci"),
        ("check_suite", "completed", "check_suite.on_failed_ci"),
        ("issue_comment", "created", "issue_comment.on_comment"),
        ("pull_request", "closed", "pull_request.on_closed"),
        ("pull_request_review", "submitted", "pull_request_review.on_review"),
        ("pull_request_review_comment", "created", "pull_request_review_comment.on_line_comment"),
        ("workflow_run", "completed", "workflow_run.on_failed_ci"),
    ]
    assert {event for event, _, _ in ROUTER.routes} <= HANDLED_EVENTS


@pytest.mark.parametrize(
    ("event", "action"), [("issue_comment", "edited"), ("check_run", "created"), ("push", "")]
)
def test_other_actions_have_no_handler(event: str, action: str) -> None:
    assert ROUTER.handlers_for(event, action) == []


def test_registration_needs_actions() -> None:
    with pytest.raises(ValueError, match="explicit actions"):
        Router().on("issue_comment")


def test_a_step_that_told_the_user_ends_quietly_and_others_propagate() -> None:
    router = Router()
    seen: list[str] = []

    @router.on("issue_comment", "created")
    def told(ctx: object) -> None:
        seen.append("told")
        raise StepFailed("config error already commented")

    @router.on("issue_comment", "deleted")
    def broken(ctx: object) -> None:
        raise RuntimeError("GitHub is down")

    (handler,) = router.handlers_for("issue_comment", "created")
    handler.run(None)  # type: ignore[arg-type]
    assert seen == ["told"] and handler.name == "issue_comment.told"
    (failing,) = router.handlers_for("issue_comment", "deleted")
    with pytest.raises(RuntimeError, match="GitHub is down"):
        failing.run(None)  # type: ignore[arg-type]
