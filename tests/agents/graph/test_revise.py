"""Review feedback re-enters a thread: after it finished, at a plan review, or at an escalation."""

from __future__ import annotations

import pytest
import yaml
from langgraph.checkpoint.base import BaseCheckpointSaver

from agents.graph import ChartSession, ChartSteps, ThreadStateError
from agents.state import GraphOptions
from tests.agents.graph.conftest import KUBE, render_shop_fixture, render_with_faults


def test_clean_chart_finishes_done_then_revision_replans_and_regenerates(
    saver: BaseCheckpointSaver[str],
) -> None:
    rendered_plans: list[int] = []

    def render(plan):  # type: ignore[no-untyped-def]
        rendered_plans.append(plan.replicas)
        return render_shop_fixture(plan)

    session = ChartSession(saver, steps=ChartSteps(render=render))
    done = session.start("o/r#10", "ghcr.io/acme/shop:1.4 on port 8000", kube_versions=KUBE)
    assert (done.status, done.outcome) == ("finished", "done")
    assert not [f for f in done.findings if f.severity == "error"]
    assert done.heal_attempts == []  # warnings no fixer handles are reported, not healed

    revised = session.revise("o/r#10", "use 3 replicas")
    assert (revised.status, revised.outcome) == ("finished", "done")
    assert revised.plan is not None and revised.plan["replicas"] == 3
    assert any("3" in line for line in revised.report)
    assert rendered_plans == [1, 3]  # generated again from the edited plan


def test_revision_with_the_real_generator_changes_the_chart(session: ChartSession) -> None:
    first = session.start("o/r#11", "nginx", kube_versions=KUBE)
    if first.status == "interrupted":  # whatever the validator thinks of today's chart, end the first step
        first = session.resume("o/r#11", "give_up")
    revised = session.revise("o/r#11", "use 4 replicas")
    assert revised.plan is not None and revised.plan["replicas"] == 4
    assert revised.files != first.files
    assert yaml.safe_load(revised.files["values.yaml"])["replicaCount"] == 4


def test_feedback_nobody_understands_leaves_the_chart_and_says_so(saver: BaseCheckpointSaver[str]) -> None:
    session = ChartSession(saver, steps=ChartSteps(render=render_shop_fixture))
    done = session.start("o/r#12", "ghcr.io/acme/shop:1.4 on port 8000", kube_versions=KUBE)
    result = session.revise("o/r#12", "make it sparkle")
    assert result.outcome == "done"
    assert result.files == done.files
    assert any("sparkle" in line for line in result.report)


def test_instructions_at_an_escalation_revise_the_plan(saver: BaseCheckpointSaver[str]) -> None:
    session = ChartSession(saver, steps=ChartSteps(render=render_with_faults("broken")))
    escalated = session.start("o/r#13", "nginx", kube_versions=KUBE)
    assert escalated.kind == "escalate"
    result = session.revise("o/r#13", "use 2 replicas")  # at an interrupt, feedback is the answer
    assert result.plan is not None and result.plan["replicas"] == 2
    assert result.kind == "escalate"  # the injected fault is still there after regenerating
    assert len(result.heal_attempts) == 2


def test_revise_needs_a_plan(session: ChartSession) -> None:
    with pytest.raises(ThreadStateError, match="no plan yet"):
        session.revise("o/r#14", "use 3 replicas")
    session.start("o/r#14", "a web app")
    with pytest.raises(ThreadStateError, match="no plan yet"):
        session.revise("o/r#14", "use 3 replicas")


def test_state_of_an_unknown_thread_is_none(session: ChartSession) -> None:
    assert session.state("nobody/none#0") is None
    with pytest.raises(ThreadStateError, match="has not started"):
        session.resume("nobody/none#0", {"image": "x"})


def test_approval_can_carry_last_edits(saver: BaseCheckpointSaver[str]) -> None:
    session = ChartSession(saver, steps=ChartSteps(render=render_shop_fixture))
    review = session.start(
        "o/r#15",
        "ghcr.io/acme/shop:1.4 on port 8000",
        options=GraphOptions(plan_review=True),
        kube_versions=KUBE,
    )
    assert review.kind == "plan_review"
    done = session.resume("o/r#15", {"approve": True, "edits": "use 2 replicas"})
    assert (done.status, done.outcome) == ("finished", "done")
    assert done.plan is not None and done.plan["replicas"] == 2
