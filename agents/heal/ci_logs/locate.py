"""CI names files from wherever it ran (`/workdir/charts/shop/…`, `shop/templates/…`, `templates/…`):
map them to the chart root, and leave out what is about another chart."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath

from agents.heal.ci_logs.model import CiFinding

CHART_ROOT_NAMES = (
    "templates/",
    "ci/",
    "crds/",
    "Chart.yaml",
    "values.yaml",
    "values.schema.json",
    "README.md",
)


def chart_relative(path: str, chart_path: str) -> str | None:
    """`path` relative to the chart at `chart_path` (repo-relative), or None when it is another chart's."""
    clean = path.strip().removeprefix("./").lstrip("/")
    chart = chart_path.strip("/")
    name = PurePosixPath(chart).name
    marker = f"{chart}/"
    if f"/{marker}" in f"/{clean}":
        return clean.rsplit(marker, 1)[1] or None
    if clean.startswith(f"{name}/"):
        return clean[len(name) + 1 :] or None
    if clean.startswith(CHART_ROOT_NAMES):
        return clean
    return None


def localise(findings: Sequence[CiFinding], chart_path: str) -> list[CiFinding]:
    """The findings about this chart, files chart-relative; findings naming no file are kept."""
    kept = []
    for ci in findings:
        file = ci.finding.file
        if file is None:
            kept.append(ci)
            continue
        relative = chart_relative(file, chart_path)
        if relative is not None:
            kept.append(ci.model_copy(update={"finding": ci.finding.model_copy(update={"file": relative})}))
    return kept
