"""`autopilot chart` and `autopilot fix` use the model AUTOPILOT_LLM names, a bounded number of times, and say so."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.cli import main
from tests.fakes.chat_model import ScriptedChatModel, text_reply, tool_reply

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch) -> ScriptedChatModel:
    """AUTOPILOT_LLM as set by a user, its provider replaced by a scripted model (no network)."""
    model = ScriptedChatModel([text_reply("I cannot help with that.")] * 10)
    monkeypatch.setenv("AUTOPILOT_LLM", "openai:gpt-4.1-mini")
    monkeypatch.setattr("agents.llm.chat_model_from_environment", lambda environ=None: model)
    return model


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, object]]:
    code = main(list(argv))
    out = capsys.readouterr().out
    return code, json.loads(out)


def test_a_catalog_chart_costs_no_model_call_without_a_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AUTOPILOT_LLM", raising=False)
    code, report = run(capsys, "chart", "nginx", "--out", str(tmp_path), "--yes", "--format", "json")
    assert code == 0 and report["status"] == "valid"
    assert (report["model"], report["model_calls"]) == (None, 0)


def test_a_catalog_chart_costs_at_most_one_model_call_with_a_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], scripted: ScriptedChatModel
) -> None:
    code, report = run(capsys, "chart", "nginx", "--out", str(tmp_path), "--yes", "--format", "json")
    assert code == 0 and report["status"] == "valid"
    assert report["model_calls"] == scripted.calls == 1
    assert report["model_call_limit"] == 2


def test_fix_asks_the_model_at_most_once_for_what_no_fixer_handles(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    chart = tmp_path / "shop"
    shutil.copytree(FIXTURES / "heal" / "shop", chart)
    template = chart / "templates" / "extra.yaml"
    template.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.x | nosuchfunc }}\n")
    fixed = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-extra\n"
    edit = tool_reply("ChartFileEdits", {"edits": [{"path": "templates/extra.yaml", "content": fixed}]})
    model = ScriptedChatModel([edit] * 5)
    monkeypatch.setattr("agents.llm.chat_model_from_environment", lambda environ=None: model)

    code, report = run(capsys, "fix", str(chart), "--format", "json")

    assert model.calls == 1 and report["model_calls"] == 1 and report["model_call_limit"] == 1
    assert template.read_text() == fixed and code == 0 and report["healed"] is True


def test_an_unusable_llm_setting_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUTOPILOT_LLM", "no-colon-here")
    code = main(["chart", "nginx", "--out", str(tmp_path), "--yes"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "AUTOPILOT_LLM" in err and "provider:model" in err
