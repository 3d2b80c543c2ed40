"""The fixer's promise on charts nobody here wrote: a chart with no error keeps every byte, and a
broken one is either healed (it validates) or left exactly as it was."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agents.chart import render_chart, write_chart
from agents.heal.loop import heal_chart
from agents.validate import validate_chart
from bench.corpus import corpus_cases, plan_case

WILD = Path(__file__).resolve().parents[2] / "fixtures" / "wild"
KUBE = ["1.33.0"]
CLEAN = sorted(p.name for p in WILD.iterdir() if p.is_dir() and p.name not in {"broken", "node-agent"})
BROKEN = sorted(f"broken/{p.name}" for p in (WILD / "broken").iterdir() if p.is_dir()) + ["node-agent"]
# every corpus chart takes a full validation: an evenly spread sample keeps this test short
CORPUS_SAMPLE = corpus_cases()[::6]


def _bytes(chart: Path) -> dict[str, bytes]:
    return {p.relative_to(chart).as_posix(): p.read_bytes() for p in sorted(chart.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("name", CLEAN)
def test_fix_changes_no_byte_of_a_fixture_chart_without_errors(name: str, tmp_path: Path) -> None:
    chart = shutil.copytree(WILD / name, tmp_path / name)
    before = _bytes(chart)
    result = heal_chart(chart, KUBE)
    assert result.healed and result.attempts == [] and result.diff == ""
    assert _bytes(chart) == before


def test_fix_changes_no_byte_of_a_node_agent_under_baseline(tmp_path: Path) -> None:
    chart = shutil.copytree(WILD / "node-agent", tmp_path / "agent")
    before = _bytes(chart)
    result = heal_chart(chart, KUBE, validate=lambda path: validate_chart(path, KUBE, policy="baseline"))
    assert result.healed and _bytes(chart) == before


@pytest.mark.parametrize(
    ("case_id", "request_text", "sets"), CORPUS_SAMPLE, ids=[c[0] for c in CORPUS_SAMPLE]
)
def test_fix_changes_no_byte_of_a_generated_chart(
    case_id: str, request_text: str, sets: list[str], tmp_path: Path
) -> None:
    plan = plan_case(request_text, sets)
    chart = tmp_path / plan.name
    write_chart(render_chart(plan), chart)
    before = _bytes(chart)
    heal_chart(chart, KUBE)
    assert _bytes(chart) == before


@pytest.mark.parametrize("name", BROKEN)
def test_fix_heals_a_broken_fixture_or_leaves_it_untouched(name: str, tmp_path: Path) -> None:
    chart = shutil.copytree(WILD / name, tmp_path / Path(name).name)
    before = _bytes(chart)
    result = heal_chart(chart, KUBE)
    after = _bytes(chart)
    if after == before:
        assert result.diff == "" and not result.improved
        return
    assert validate_chart(chart, KUBE).ok, result.diff
    assert result.healed and result.improved
    assert not [
        p for p in after if before.get(p) != after[p] and p.startswith(("crds/", "files/", "charts/"))
    ]
