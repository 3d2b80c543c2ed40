"""Start-up checks of the environment: misspelled `AUTOPILOT_*` names and an unusable Helm engine."""

from __future__ import annotations

import argparse
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from agents.validate.engine import ENGINE_ENV
from bot.cli import build_parser, main
from bot.config import ENV_PREFIX, Settings
from bot.environment import (
    HELM_ENGINE_VARIABLE,
    SETTINGS_VARIABLES,
    known_variables,
    unknown_variables,
    warn_unknown_variables,
)

ROOT = Path(__file__).parents[2]


@pytest.mark.parametrize(
    ("name", "closest"),
    [
        ("AUTOPILOT_WEBHOOK_SECRETS", "AUTOPILOT_WEBHOOK_SECRET"),
        ("AUTOPILOT_APPID", "AUTOPILOT_APP_ID"),
        ("autopilot_llm_modle", "AUTOPILOT_LLM_MODEL"),  # the settings are case-insensitive
        ("AUTOPILOT_GITHUB_URL", "AUTOPILOT_GITHUB_API_URL"),
        ("AUTOPILOT_HELM_ENGIN", "AUTOPILOT_HELM_ENGINE"),
        ("AUTOPILOT_FOO", None),  # nothing alike: no guess
        ("AUTOPILOT_DB_URL", None),
    ],
)
def test_an_unknown_name_gets_the_closest_known_one(name: str, closest: str | None) -> None:
    assert unknown_variables({name: "x", "HOME": "/root"}) == [(name, closest)]


def test_known_and_foreign_names_pass_quietly() -> None:
    environ = {"AUTOPILOT_APP_ID": "1", "autopilot_log_level": "debug", "PATH": "/bin", "AUTOPILOT": "x"}
    assert unknown_variables(environ) == []
    err = io.StringIO()
    warn_unknown_variables(environ, err)
    assert err.getvalue() == ""


def _names_in(doc: str) -> set[str]:
    return set(re.findall(r"`(AUTOPILOT_[A-Z_]+)`", (ROOT / doc).read_text()))


def test_the_settings_names_are_the_settings_fields() -> None:
    assert {ENV_PREFIX + name.upper() for name in Settings.model_fields} == SETTINGS_VARIABLES


def test_every_documented_variable_is_known() -> None:
    assert HELM_ENGINE_VARIABLE == ENGINE_ENV
    documented = _names_in("docs/configuration.md") | _names_in("docs/action.md")
    assert documented <= known_variables()


def test_the_command_line_warns_once_per_misspelled_name(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AUTOPILOT_WEBHOOK_SECRETS", "x")
    assert main(["plan", "nginx"]) == 0
    err = capsys.readouterr().err
    assert err == (
        "warning: AUTOPILOT_WEBHOOK_SECRETS is not a setting k8s-autopilot reads; "
        "did you mean AUTOPILOT_WEBHOOK_SECRET?\n"
    )


@pytest.mark.parametrize(
    ("value", "says"),
    [("bogus", "'bogus' is not a Helm engine"), ("cli", "but no `helm` binary is on PATH")],
)
def test_an_unusable_helm_engine_stops_before_any_work(
    value: str, says: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(ENGINE_ENV, value)
    monkeypatch.setenv("PATH", str(tmp_path))  # no helm binary here
    assert main(["chart", "nginx", "--out", str(tmp_path / "charts"), "--yes"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"autopilot chart: {ENGINE_ENV}=") and says in err and err.count("\n") == 1
    assert not (tmp_path / "charts").exists()


def _options(parser: argparse.ArgumentParser, path: str) -> Iterator[tuple[str, argparse.Action]]:
    """Every option and positional of every (sub)command, named `autopilot db upgrade --x`."""
    for action in parser._actions:  # noqa: SLF001
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            for name, sub in action.choices.items():
                yield from _options(sub, f"{path} {name}")
        elif not isinstance(action, argparse._HelpAction):  # noqa: SLF001
            yield f"{path} {'/'.join(action.option_strings) or action.dest}", action


def test_every_flag_of_every_command_explains_itself() -> None:
    silent = [
        name for name, action in _options(build_parser(), "autopilot") if not (action.help or "").strip()
    ]
    assert not silent, f"options without help text: {silent}"
    named = dict(_options(build_parser(), "autopilot"))
    for flag in ("chart --set", "chart --format", "validate --kube-version", "fix --max-attempts"):
        assert len(named[f"autopilot {flag}"].help or "") > 20


def test_a_one_shot_command_gives_the_collector_back(capsys: pytest.CaptureFixture[str]) -> None:
    import gc

    assert gc.isenabled()
    assert main(["plan", "nginx"]) == 0
    assert gc.isenabled()  # main() in a longer-lived process must not leave garbage uncollected
    capsys.readouterr()


def test_the_command_line_loads_neither_settings_nor_store_for_engine_commands() -> None:
    import subprocess
    import sys

    probe = "import sys, bot.cli; print(sorted(m for m in ('bot.config', 'bot.store', 'pydantic_settings') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT)
    assert done.stdout.strip() == "[]"
