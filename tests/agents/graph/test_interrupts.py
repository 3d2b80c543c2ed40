"""The graph pauses where a human is needed: clarify, plan review, and escalation after healing stalls."""

from __future__ import annotations

import pytest
from langgraph.checkpoint.base import BaseCheckpointSaver

from agents.graph import ChartSession, ChartSteps, ThreadStateError
from agents.state import GraphOptions
from tests.agents.graph.conftest import KUBE, fixed_configmap, render_with_faults
from tests.fakes.chat_model import ScriptedChatModel, tool_reply

ANSWERS = {"image": "ghcr.io/acme/shop:1.4", "ports": "8000"}
REVIEW = GraphOptions(plan_review=True)


def test_unknown_app_asks_for_image_and_port(session: ChartSession) -> None:
    result = session.start("o/r#1", "a web app")
    assert result.status == "interrupted"
    assert result.kind == "clarify"
    assert result.outcome == "needs_answers"
    assert result.payload is not None
    assert {q["key"] for q in result.payload["questions"]} == {"image", "ports"}
    assert result.plan is None


def test_answers_complete_the_plan(session: ChartSession) -> None:
    session.start("o/r#1", "a web app", options=REVIEW)
    result = session.resume("o/r#1", ANSWERS)
    assert result.kind == "plan_review"  # planning went on with the answers, up to the review gate
    assert result.plan is not None
    assert result.plan["image"]["repository"] == "acme/shop"
    assert result.plan["ports"][0]["container_port"] == 8000


def test_unusable_answer_asks_again_and_says_why(session: ChartSession) -> None:
    session.start("o/r#1", "a web app", options=REVIEW)
    result = session.resume("o/r#1", {"image": "ghcr.io/acme/shop:1.4", "ports": "http"})
    assert result.kind == "clarify"
    assert result.payload is not None
    assert result.payload["error"] and "ports" in result.payload["error"]
    assert "ports" in {q["key"] for q in result.payload["questions"]}
    result = session.resume("o/r#1", ANSWERS)
    assert result.kind == "plan_review"


def test_answers_that_are_not_a_mapping_are_refused(session: ChartSession) -> None:
    session.start("o/r#1", "a web app")
    result = session.resume("o/r#1", ["ghcr.io/acme/shop:1.4"])
    assert result.kind == "clarify"
    assert result.payload is not None and "mapping" in result.payload["error"]


def test_cancel_at_clarify_ends_the_thread(session: ChartSession) -> None:
    session.start("o/r#1", "a web app")
    result = session.cancel("o/r#1")
    assert result is not None
    assert (result.status, result.outcome) == ("finished", "cancelled")
    with pytest.raises(ThreadStateError, match="not waiting for an answer"):
        session.resume("o/r#1", ANSWERS)


def test_plan_review_shows_edits_until_approved(session: ChartSession) -> None:
    first = session.start("o/r#2", "nginx", options=REVIEW)
    assert first.kind == "plan_review"
    assert first.payload is not None and first.payload["plan"]["name"] == "nginx"
    edited = session.resume("o/r#2", "use 3 replicas")
    assert edited.kind == "plan_review"
    assert edited.plan is not None and edited.plan["replicas"] == 3
    assert edited.payload is not None and edited.payload["applied"]
    not_understood = session.resume("o/r#2", "make it sparkle")
    assert not_understood.payload is not None and not_understood.payload["unrecognised"]
    assert not_understood.plan is not None and not_understood.plan["replicas"] == 3
    cancelled = session.resume("o/r#2", "cancel")
    assert cancelled.outcome == "cancelled"
    assert cancelled.files == {}  # nothing was generated before approval


def test_unfixable_fault_escalates_after_one_attempt_without_progress(
    saver: BaseCheckpointSaver[str],
) -> None:
    session = ChartSession(saver, steps=ChartSteps(render=render_with_faults("broken")))
    result = session.start("o/r#3", "nginx", kube_versions=KUBE)
    assert (result.status, result.kind, result.outcome) == ("interrupted", "escalate", "escalated")
    assert result.payload is not None
    assert "fixed nothing" in result.payload["reason"]
    assert any(f["file"] == "templates/broken.yaml" for f in result.payload["findings"])
    assert [a.progressed for a in result.heal_attempts] == [False]  # stopped early: 1 of 3 attempts
    gave_up = session.resume("o/r#3", "give_up")
    assert (gave_up.status, gave_up.outcome) == ("finished", "escalated")
    assert "templates/broken.yaml" in gave_up.files


def test_attempt_budget_escalates_then_retry_continues(saver: BaseCheckpointSaver[str]) -> None:
    model = ScriptedChatModel(
        [
            tool_reply("ChartDraft", {}),  # the planner's turn: nothing to add to the rule-based plan
            tool_reply(
                "ChartFileEdits",
                {"edits": [{"path": "templates/bad-a.yaml", "content": fixed_configmap("a")}]},
            ),
            tool_reply(
                "ChartFileEdits",
                {"edits": [{"path": "templates/bad-b.yaml", "content": fixed_configmap("b")}]},
            ),
        ]
    )
    session = ChartSession(saver, llm=model, steps=ChartSteps(render=render_with_faults("bad-a", "bad-b")))
    options = GraphOptions(max_heal_attempts=1)
    with_llm = session.start("o/r#4", "nginx", options=options, kube_versions=KUBE)
    assert with_llm.kind == "escalate"
    assert with_llm.payload is not None and "1 heal attempts used" in with_llm.payload["reason"]
    first = with_llm.heal_attempts[0]
    assert (first.source, first.progressed) == ("llm", True)
    assert with_llm.files["templates/bad-a.yaml"] == fixed_configmap("a")
    retried = session.resume("o/r#4", "retry")
    second = retried.heal_attempts[1]
    assert second.source == "llm"
    assert retried.files["templates/bad-b.yaml"] == fixed_configmap("b")
    fixed = {"templates/bad-a.yaml", "templates/bad-b.yaml"}
    assert not [f for f in retried.findings if f.file in fixed and f.severity == "error"]


def test_hostile_llm_edit_is_refused_and_escalated(saver: BaseCheckpointSaver[str]) -> None:
    model = ScriptedChatModel(
        [
            tool_reply("ChartDraft", {}),
            tool_reply(
                "ChartFileEdits", {"edits": [{"path": ".github/workflows/x.yml", "content": "on: push\n"}]}
            ),
        ]
    )
    session = ChartSession(saver, llm=model, steps=ChartSteps(render=render_with_faults("broken")))
    result = session.start("o/r#5", "nginx", kube_versions=KUBE)
    assert result.kind == "escalate"
    attempt = result.heal_attempts[0]
    assert attempt.source == "llm" and attempt.progressed is False
    assert any(".github/workflows/x.yml" in r for r in attempt.rejected)
    assert not any(path.startswith(".github") for path in result.files)


def test_bad_set_flag_fails_the_run_with_the_planners_words(session: ChartSession) -> None:
    result = session.start("o/r#6", "nginx", sets=["replicas=many"])
    assert (result.status, result.outcome) == ("finished", "failed")
    assert result.error is not None and "replicas" in result.error and "many" in result.error
    assert result.files == {}
