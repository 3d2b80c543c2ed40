"""checkov in a child process (agents.validate.checkov_process) gives the findings an in-process
scan gives, and its child never outlives the block that started it."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from agents.validate import validate_chart
from agents.validate.checkov_process import (
    CheckovProcess,
    checkov_in_child_process,
    current_checkov_process,
)
from agents.validate.checkov_scan import CheckovFailure, failures

CHARTS = Path(__file__).resolve().parents[2] / "fixtures" / "charts"
MANIFESTS = Path(__file__).resolve().parents[2] / "fixtures" / "validate" / "checkov-graph"
# the fixture charts checkov finds something in (findings-before-speedup.json records them all)
RECORDED = json.loads(
    (
        Path(__file__).resolve().parents[2] / "fixtures" / "validate" / "findings-before-speedup.json"
    ).read_text()
)
CHECKOV_CHARTS = sorted(
    c for c, found in RECORDED.items() if any(f["rule_id"].startswith("CKV") for f in found)
)


def _dumped(chart: str) -> list[dict[str, object]]:
    return [f.model_dump(mode="json") for f in validate_chart(CHARTS / chart).findings]


@pytest.fixture(scope="module")
def in_process() -> dict[str, list[dict[str, object]]]:
    assert current_checkov_process() is None
    return {chart: _dumped(chart) for chart in CHECKOV_CHARTS}


def test_every_chart_gets_the_same_findings_from_the_child(
    in_process: dict[str, list[dict[str, object]]],
) -> None:
    # "spawn": this test process may hold Helm's Go runtime, which a fork must not copy
    with checkov_in_child_process(start_method="spawn") as child:
        assert child is not None and current_checkov_process() is child
        from_child = {chart: _dumped(chart) for chart in CHECKOV_CHARTS}
    assert from_child == in_process
    assert any(f["rule_id"] == "CKV_K8S_43" for found in from_child.values() for f in found)


def test_the_child_returns_what_an_in_process_scan_returns(tmp_path: Path) -> None:
    files = []
    for source in sorted(MANIFESTS.glob("*.yaml")):
        copy = tmp_path / source.name
        copy.write_text(source.read_text())
        files.append(str(copy))
    child = CheckovProcess("spawn")
    try:
        assert _unordered(child.failures(files)) == _unordered(failures(files))
    finally:
        child.stop()


def _unordered(found: list[CheckovFailure]) -> list[tuple[object, ...]]:
    """Graph checks list their evaluated keys from a set: in string-hash order, which a spawned
    child draws afresh (a forked one, as the CLI's, shares its parent's)."""
    return sorted(
        (f.check_id, f.check_name, f.file_abs_path, f.resource, frozenset(f.evaluated_keys), f.guideline)
        for f in found
    )


def test_a_child_that_died_leaves_the_scan_to_this_process(
    in_process: dict[str, list[dict[str, object]]],
) -> None:
    chart = CHECKOV_CHARTS[0]
    with checkov_in_child_process(start_method="spawn") as child:
        assert child is not None and child.pid is not None
        os.kill(child.pid, signal.SIGKILL)
        assert _dumped(chart) == in_process[chart]
        assert current_checkov_process() is None  # later scans do not try it again


def test_the_child_is_stopped_when_the_block_ends_even_while_it_imports() -> None:
    with checkov_in_child_process(start_method="spawn") as child:
        assert child is not None
        process = child._process
    assert current_checkov_process() is None
    with pytest.raises(ValueError):  # closed: it was joined, nothing is left running
        process.is_alive()


def test_the_child_is_stopped_when_the_block_raises() -> None:
    with pytest.raises(KeyboardInterrupt), checkov_in_child_process(start_method="spawn") as child:
        assert child is not None
        raise KeyboardInterrupt
    assert current_checkov_process() is None


def test_no_child_is_started_when_no_scan_is_wanted() -> None:
    with checkov_in_child_process(wanted=False) as child:
        assert child is None and current_checkov_process() is None
