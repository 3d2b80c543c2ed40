"""A conversation survives its process: a new process resumes the clarify interrupt from SQLite."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).with_name("durable_run.py")
ROOT = Path(__file__).parents[3]


def _spawn(phase: str, db: Path, log: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, str(SCRIPT), phase, str(db), str(log)],
        stdin=subprocess.PIPE,  # the start phase blocks reading it until killed
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )


def _entries(log: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_killed_process_resumes_in_a_fresh_one_without_replanning(tmp_path: Path) -> None:
    db, log = tmp_path / "checkpoints.sqlite", tmp_path / "nodes.jsonl"

    first = _spawn("start", db, log)
    assert first.stdout is not None
    line = first.stdout.readline()
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    assert json.loads(line) == {"status": "interrupted", "kind": "clarify"}, (
        first.stderr.read() if first.stderr else ""
    )
    before = _entries(log)
    assert [e["node"] for e in before] == ["plan", "clarify"]

    second = _spawn("resume", db, log)
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    result = json.loads(out.strip().splitlines()[-1])
    assert result["status"] == "finished"
    assert result["outcome"] in {"done", "escalated"}
    assert result["plan"]["image"]["repository"] == "acme/shop"
    assert result["plan"]["ports"][0]["container_port"] == 8000

    after = _entries(log)[len(before) :]
    nodes = [e["node"] for e in after]
    # the resumed process re-enters only the interrupted node, then plans once more with the answers
    assert nodes[:3] == ["clarify", "plan", "generate"]
    plans_without_answers = [e for e in _entries(log) if e["node"] == "plan" and not e["answers"]]
    assert len(plans_without_answers) == 1
    assert all(e["answers"] for e in after if e["node"] == "plan")
