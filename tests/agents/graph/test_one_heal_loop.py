"""One heal loop: the graph's heal step and the CI-driven heal on a branch make the same passes.

The chart has three broken templates no deterministic fixer touches; a scripted model repairs one
per call. With a bound of N, both paths make exactly N verified passes, one model call each, and
stop with the same files; the graph then escalates saying the N attempts were used.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.messages import AIMessage
from langgraph.checkpoint.base import BaseCheckpointSaver

from agents.chart import write_chart
from agents.graph import ChartSession, ChartSteps
from agents.heal.chart_files import read_chart_files
from agents.heal.ci_logs.heal import heal_from_ci
from agents.state import GraphOptions
from tests.agents.graph.conftest import KUBE, fixed_configmap, render_with_faults
from tests.fakes.chat_model import ScriptedChatModel, tool_reply

FAULTS = ("bad-a", "bad-b", "bad-c")


def _one_fix_per_call() -> list[AIMessage]:
    return [
        tool_reply(
            "ChartFileEdits", {"edits": [{"path": f"templates/{n}.yaml", "content": fixed_configmap(n)}]}
        )
        for n in FAULTS
    ]


@pytest.mark.parametrize("bound", [1, 2])
def test_max_attempts_is_the_number_of_passes_in_the_graph_and_on_a_branch(
    saver: BaseCheckpointSaver[str], tmp_path: Path, bound: int
) -> None:
    render = render_with_faults(*FAULTS)
    graph_model = ScriptedChatModel([tool_reply("ChartDraft", {}), *_one_fix_per_call()])
    session = ChartSession(saver, llm=graph_model, steps=ChartSteps(render=render))
    escalated = session.start(
        "o/r#40", "nginx", options=GraphOptions(max_heal_attempts=bound), kube_versions=KUBE
    )
    assert escalated.kind == "escalate" and escalated.payload is not None
    assert [(a.source, a.progressed) for a in escalated.heal_attempts] == [("llm", True)] * bound
    assert len(escalated.payload["attempts"]) == bound
    assert f"{bound} heal attempts used" in escalated.payload["reason"]
    assert graph_model.calls == 1 + bound  # the planner's draft, then one repair per pass

    plan = escalated.chart_plan
    assert plan is not None
    chart = tmp_path / plan.name
    write_chart(render(plan), chart)
    branch_model = ScriptedChatModel(_one_fix_per_call())
    on_branch = heal_from_ci(chart, [], KUBE, max_attempts=bound, model=branch_model)
    assert [(a.source, a.progressed) for a in on_branch.attempts] == [("llm", True)] * bound
    assert branch_model.calls == bound
    assert not on_branch.healed
    assert read_chart_files(chart) == escalated.files
