"""A cold `autopilot` imports checkov in a child process (agents.validate.checkov_process): the
command's output is what it was, and the child never outlives it, on Ctrl-C or when no scan runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agents.validate import format_report, validate_chart

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "tests" / "fixtures" / "charts" / "good"
WAIT_SECONDS = 120  # a loaded machine is slow; a hang still fails


def _start(*argv: str) -> subprocess.Popen[str]:
    """`python -m bot.cli ...` as a fresh process leading its own process group, as a terminal runs it."""
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        start_new_session=True,
    )


def _group(pgid: int) -> set[int]:
    """Live (not zombie) processes of a process group."""
    members = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": state, ppid, pgrp, ...
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.add(int(entry.name))
    return members


def _finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=WAIT_SECONDS)
    return process.returncode, out, err


pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the child is forked on Linux only"
)


def test_a_cold_validate_reports_what_an_in_process_one_does() -> None:
    code, out, err = _finish(_start("validate", str(CHART), "--format", "json"))
    expected = validate_chart(CHART)
    assert (code, err) == ((0 if expected.ok else 1), "")
    assert out == format_report(expected, "json")
    assert "CKV_K8S_43" in out  # checkov's findings are among them


def test_ctrl_c_while_checkov_loads_exits_130_and_leaves_no_process() -> None:
    # `validate`, not `chart`: a Ctrl-C that lands while pydantic builds a model class (chart
    # imports the graph's models after the fork) comes out of pydantic-core as a SchemaError
    process = _start("validate", str(CHART))
    deadline = time.monotonic() + WAIT_SECONDS
    while len(_group(process.pid)) < 2 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)  # until the checkov child is forked
    assert process.poll() is None, "the command ended before its checkov child started"
    os.killpg(process.pid, signal.SIGINT)  # a terminal's Ctrl-C reaches the whole group
    code, _, err = _finish(process)
    assert code == 130
    assert "interrupted" in err and "Traceback" not in err
    assert _group(process.pid) == set()


def test_a_chart_that_needs_answers_ends_its_unused_child(tmp_path: Path) -> None:
    process = _start("chart", "a flask app", "--out", str(tmp_path), "--yes")
    code, out, err = _finish(process)
    assert code == 1 and "--set" in out, err
    assert _group(process.pid) == set()
