"""The optional model inside the graph: read once per request, edits validated, same pauses as without it."""

from __future__ import annotations

from langgraph.checkpoint.base import BaseCheckpointSaver

from agents.graph import ChartSession, ChartSteps
from agents.state import GraphOptions
from tests.agents.graph.conftest import KUBE, fixed_configmap, render_shop_fixture, render_with_faults
from tests.fakes.chat_model import ScriptedChatModel, text_reply, tool_reply

REVIEW = GraphOptions(plan_review=True)


def test_model_reads_the_request_once_across_clarify_rounds(saver: BaseCheckpointSaver[str]) -> None:
    model = ScriptedChatModel(
        [tool_reply("ChartDraft", {"name": "storefront", "image": "ghcr.io/acme/store:2.0"})]
    )
    session = ChartSession(saver, llm=model)
    asked = session.start("o/r#30", "Please deploy the storefront service for the team", options=REVIEW)
    assert asked.kind == "clarify"
    assert asked.payload is not None and [q["key"] for q in asked.payload["questions"]] == ["ports"]
    reviewed = session.resume("o/r#30", {"ports": "8000"})
    assert reviewed.kind == "plan_review"
    assert reviewed.plan is not None
    assert (reviewed.plan["name"], reviewed.plan["image"]["repository"]) == ("storefront", "acme/store")
    assert model.calls == 1


def test_plan_review_edits_go_through_the_model_and_the_plan_rules(saver: BaseCheckpointSaver[str]) -> None:
    model = ScriptedChatModel(
        [
            tool_reply("ChartDraft", {}),
            tool_reply(
                "PlanPatch",
                {"changes": [{"path": "replicas", "value": 4}, {"path": "security.run_as_user", "value": 0}]},
            ),
        ]
    )
    session = ChartSession(saver, llm=model)
    session.start("o/r#31", "nginx", options=REVIEW)
    edited = session.resume("o/r#31", "four replicas please, and run as root")
    assert edited.kind == "plan_review"
    assert edited.plan is not None
    assert edited.plan["replicas"] == 4
    assert edited.plan["security"]["run_as_user"] != 0  # refused by the plan's own rule
    assert edited.payload is not None
    assert any("security.run_as_user" in line for line in edited.payload["unrecognised"])


def test_model_failures_leave_the_rule_based_run(saver: BaseCheckpointSaver[str]) -> None:
    model = ScriptedChatModel([text_reply("I cannot help with that.")])
    with_model = ChartSession(saver, llm=model).start("o/r#32", "a web app")
    without = ChartSession(saver).start("o/r#33", "a web app")
    assert with_model.kind == without.kind == "clarify"
    assert with_model.payload is not None and without.payload is not None
    assert with_model.payload["questions"] == without.payload["questions"]
    assert any("LLM planner not used" in n for n in with_model.notes)


def test_start_on_a_waiting_thread_replaces_it(saver: BaseCheckpointSaver[str]) -> None:
    session = ChartSession(saver)
    assert session.start("o/r#34", "a web app").kind == "clarify"
    replaced = session.start("o/r#34", "nginx", options=REVIEW)
    assert replaced.kind == "plan_review"
    assert replaced.plan is not None and replaced.plan["name"] == "nginx"


def test_feedback_naming_a_file_goes_to_the_model_fixer_and_is_revalidated(
    saver: BaseCheckpointSaver[str],
) -> None:
    service = render_shop_fixture(None)["templates/service.yaml"]  # type: ignore[arg-type]
    edited = service.replace("metadata:\n", "metadata:\n  # reviewed\n", 1)
    model = ScriptedChatModel(
        [
            tool_reply("ChartDraft", {}),
            tool_reply("ChartFileEdits", {"edits": []}),  # asked about the fixture's one warning: no idea
            tool_reply("ChartFileEdits", {"edits": [{"path": "templates/service.yaml", "content": edited}]}),
            tool_reply("ChartFileEdits", {"edits": []}),  # the warning again, after the edit
        ]
    )
    session = ChartSession(saver, llm=model, steps=ChartSteps(render=render_shop_fixture))
    done = session.start("o/r#35", "ghcr.io/acme/shop:1.4 on port 8000", kube_versions=KUBE)
    assert done.outcome == "done"
    assert [(a.source, a.progressed) for a in done.heal_attempts] == [("llm", False)]
    revised = session.revise("o/r#35", "in templates/service.yaml add a comment saying it was reviewed")
    assert revised.outcome == "done"
    assert revised.files["templates/service.yaml"] == edited
    assert revised.report == ["llm: rewrote templates/service.yaml", "the model proposed no edits"]
    assert revised.plan == done.plan  # a file edit, not a plan change
    assert "templates/service.yaml" in str(model.prompts[-1][-1].content)


def test_a_model_edit_that_does_not_verify_never_reaches_the_chart(saver: BaseCheckpointSaver[str]) -> None:
    render = render_with_faults("broken")
    model = ScriptedChatModel(
        [
            tool_reply("ChartDraft", {}),
            tool_reply(
                "ChartFileEdits",
                {
                    "edits": [
                        {"path": "templates/broken.yaml", "content": fixed_configmap("broken")},
                        {"path": "values.yaml", "content": "replicaCount: [unclosed\n"},
                    ]
                },
            ),
        ]
    )
    session = ChartSession(saver, llm=model, steps=ChartSteps(render=render))
    result = session.start("o/r#36", "nginx", kube_versions=KUBE)
    assert result.kind == "escalate" and result.chart_plan is not None
    assert result.files == render(result.chart_plan)  # the whole edit was undone, the fix with it
    attempt = result.heal_attempts[0]
    assert (attempt.source, attempt.progressed, attempt.applied) == ("llm", False, [])
    assert any(line.startswith("[fallback] not kept") for line in attempt.rejected)
