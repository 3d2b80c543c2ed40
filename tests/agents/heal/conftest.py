"""Heal fixtures: the hand-written `shop` chart and its broken overlays, one per fault family."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from agents.heal.chart_files import read_chart_files
from agents.validate.finding import Finding

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "heal"
SHOP = FIXTURES / "shop"
BROKEN = FIXTURES / "broken"
CASES = sorted(p.name for p in BROKEN.iterdir() if p.is_dir())


def shop_files() -> dict[str, str]:
    return read_chart_files(SHOP)


def broken_files(case: str) -> dict[str, str]:
    """The shop chart with the case's broken files laid over it (findings.yaml is not a chart file)."""
    overlay = {p: t for p, t in read_chart_files(BROKEN / case).items() if p != "findings.yaml"}
    return {**shop_files(), **overlay}


def overlay_paths(case: str) -> set[str]:
    return {p for p in read_chart_files(BROKEN / case) if p != "findings.yaml"}


def recorded_findings(case: str) -> list[Finding]:
    """Findings as the validator reports them for this case."""
    raw = yaml.safe_load((BROKEN / case / "findings.yaml").read_text(encoding="utf-8"))
    return [Finding.model_validate(item) for item in raw]


def write_files(files: dict[str, str], root: Path) -> Path:
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def shop_dir(tmp_path: Path) -> Path:
    return write_files(shop_files(), tmp_path / "shop")


@pytest.fixture(autouse=True)
def checkov_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """checkov forks per file by default; in-process is faster for these one-chart validations."""
    monkeypatch.setenv("CHECKOV_PARALLELIZATION_TYPE", "none")
