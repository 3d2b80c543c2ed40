"""One graph with or without a model; state that a strict checkpointer stores; node hooks see every step."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from langgraph.checkpoint.base import BaseCheckpointSaver

from agents.checkpoint import CheckpointConfigError, open_checkpointer
from agents.graph import ChartSession, build_graph
from agents.state import ChartState, GraphOptions
from tests.fakes.chat_model import ScriptedChatModel, tool_reply


def _shape(llm: ScriptedChatModel | None) -> tuple[set[str], set[tuple[str, str]]]:
    drawn = build_graph(None, llm=llm).get_graph()
    return set(drawn.nodes), {(e.source, e.target) for e in drawn.edges}


def test_the_no_llm_graph_is_the_same_graph() -> None:
    assert _shape(None) == _shape(ScriptedChatModel([]))
    nodes, edges = _shape(None)
    assert {
        "plan",
        "clarify",
        "plan_review",
        "generate",
        "validate",
        "heal",
        "escalate",
        "revise",
        "finish",
    } <= nodes
    # the heal node runs the one heal loop to its end: the graph never cycles back to validate
    assert ("validate", "heal") in edges and ("heal", "validate") not in edges
    assert {target for source, target in edges if source == "heal"} == {"escalate", "finish"}


def test_model_is_not_asked_when_the_run_turns_it_off(saver: BaseCheckpointSaver[str]) -> None:
    model = ScriptedChatModel([tool_reply("ChartDraft", {"image": "ghcr.io/evil/x:1"})])
    session = ChartSession(saver, llm=model)
    result = session.start("o/r#20", "a web app", options=GraphOptions(use_llm=False))
    assert result.kind == "clarify"
    assert model.calls == 0


def test_node_hook_sees_each_node_in_order(saver: BaseCheckpointSaver[str]) -> None:
    seen: list[str] = []

    def hook(node: str, state: ChartState) -> None:
        seen.append(node)

    session = ChartSession(saver, on_node=hook)
    session.start("o/r#21", "nginx", options=GraphOptions(plan_review=True))
    session.resume("o/r#21", "cancel")
    assert seen == [
        "plan",
        "plan_review",
        "plan_review",
        "finish",
    ]  # the interrupted node re-enters on resume


def test_threads_are_independent(saver: BaseCheckpointSaver[str]) -> None:
    session = ChartSession(saver)
    session.start("o/r#22", "a web app")
    session.start("o/r#23", "nginx", options=GraphOptions(plan_review=True))
    a, b = session.state("o/r#22"), session.state("o/r#23")
    assert a is not None and b is not None
    assert (a.kind, b.kind) == ("clarify", "plan_review")


def test_sqlite_checkpoint_survives_reopening(tmp_path: Path) -> None:
    with open_checkpointer(None, tmp_path) as saver:
        ChartSession(saver).start("o/r#24", "nginx", options=GraphOptions(plan_review=True))
    with open_checkpointer(None, tmp_path) as saver:
        result = ChartSession(saver).resume("o/r#24", "use 2 replicas")
    assert result.plan is not None and result.plan["replicas"] == 2
    assert (tmp_path / "checkpoints.sqlite").is_file()


def test_sqlite_url_points_at_a_file(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "graph.sqlite"
    with open_checkpointer(f"sqlite:///{target}", tmp_path) as saver:
        ChartSession(saver).start("o/r#25", "a web app")
    assert target.is_file()
    assert not (tmp_path / "checkpoints.sqlite").exists()


@pytest.mark.parametrize("url", ["mysql://u@h/db", "redis://localhost", "checkpoints.sqlite"])
def test_unsupported_database_url_is_explained(tmp_path: Path, url: str) -> None:
    with pytest.raises(CheckpointConfigError, match="postgresql://"), open_checkpointer(url, tmp_path):
        pass


def test_unreachable_postgres_fails_fast_with_the_password_hidden(tmp_path: Path) -> None:
    with (
        pytest.raises(CheckpointConfigError, match="cannot use the checkpoint database") as err,
        open_checkpointer("postgresql://bot:s3cret@127.0.0.1:1/graph", tmp_path),
    ):
        pass
    assert "s3cret" not in str(err.value)


@pytest.mark.postgres
def test_postgres_checkpointer_resumes_a_thread(tmp_path: Path) -> None:
    url = os.environ.get("AUTOPILOT_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("AUTOPILOT_TEST_POSTGRES_URL is not set (scripts/test.sh starts a server)")
    with open_checkpointer(url, tmp_path) as saver:
        ChartSession(saver).start("o/r#26", "nginx", options=GraphOptions(plan_review=True))
    with open_checkpointer(url, tmp_path) as saver:  # setup() again is harmless
        result = ChartSession(saver).resume("o/r#26", "use 2 replicas")
    assert result.kind == "plan_review"
    assert result.plan is not None and result.plan["replicas"] == 2
