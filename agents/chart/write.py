"""`write_chart`: put rendered files on disk below one directory, and nowhere else.

The files may come from a plan an LLM influenced, so every path is checked before anything
is written: no absolute paths, no `..`, no symlinks on the way, nothing under `.github/`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from agents.chart.chart_metadata import GENERATOR
from agents.safe_paths import UnsafePathError, relative_parts


class UnsafeChartPathError(ValueError):
    """A chart file path that would write outside the chart directory or into a protected place."""


GENERATED_DIRS = ("templates", "ci")  # wholly owned by the generator; other files are the user's


def write_chart(files: Mapping[str, str], chart_dir: Path, *, remove_stale: bool = False) -> None:
    """Write `files` (POSIX paths relative to the chart root) below `chart_dir`, creating directories.

    With `remove_stale`, files under templates/ and ci/ that `files` no longer has are deleted,
    so regenerating a Deployment chart as a StatefulSet does not leave two workloads behind.
    """
    root = Path(chart_dir)
    if root.is_symlink():
        raise UnsafeChartPathError(f"chart directory {root} is a symlink: give the real directory")
    targets = [(_target(root, relative), text) for relative, text in files.items()]
    root.mkdir(parents=True, exist_ok=True)
    for target, text in targets:
        _refuse_symlinks(root, target)
        target.parent.mkdir(parents=True, exist_ok=True)
        _refuse_symlinks(root, target)
        target.write_text(text, encoding="utf-8", newline="\n")
    if remove_stale:
        _remove_stale(root, {root.joinpath(*PurePosixPath(p).parts) for p in files})


def _remove_stale(root: Path, keep: set[Path]) -> None:
    subcharts = _generated_subcharts(root)
    for base in [root / directory for directory in GENERATED_DIRS] + subcharts:
        if not base.is_dir() or base.is_symlink():
            continue
        for path in sorted(base.rglob("*")):
            if (path.is_file() or path.is_symlink()) and path not in keep:
                path.unlink()
    for subchart in subcharts:  # Helm fails on a charts/ folder without Chart.yaml: drop emptied ones whole
        for directory in sorted((p for p in subchart.rglob("*") if p.is_dir()), reverse=True):
            if not any(directory.iterdir()):
                directory.rmdir()
        if not any(subchart.iterdir()):
            subchart.rmdir()
    lock = root / "Chart.lock"
    if lock.is_file() and not lock.is_symlink() and lock not in keep and _generated_lock(lock):
        lock.unlink()


def _generated_subcharts(root: Path) -> list[Path]:
    """Subcharts under charts/ that the generator bundled (its maintainer entry): a dependency the new
    chart no longer has must not stay behind, since Helm renders every chart in charts/."""
    charts = root / "charts"
    if not charts.is_dir() or charts.is_symlink():
        return []
    found = []
    for chart_yaml in sorted(charts.glob("*/Chart.yaml")):
        if chart_yaml.parent.is_symlink() or chart_yaml.is_symlink():
            continue
        if f"- name: {GENERATOR}" in chart_yaml.read_text(encoding="utf-8", errors="replace"):
            found.append(chart_yaml.parent)
    return found


def _generated_lock(lock: Path) -> bool:
    """A Chart.lock that only locks file://charts/ subcharts is the generator's."""
    repositories = re.findall(
        r"^\s*repository:\s*(\S+)", lock.read_text(encoding="utf-8", errors="replace"), re.M
    )
    return bool(repositories) and all(r.startswith("file://charts/") for r in repositories)


def _target(root: Path, relative: str) -> Path:
    try:
        parts = relative_parts(relative)
    except UnsafePathError as exc:
        raise UnsafeChartPathError(f"chart file path {relative!r}: {exc.reason}") from None
    return root.joinpath(*parts)


def _refuse_symlinks(root: Path, target: Path) -> None:
    """Every existing component from the chart root down to the file must be a real file or directory."""
    current = root
    for part in target.relative_to(root).parts:
        current = current / part
        if current.is_symlink():
            raise UnsafeChartPathError(f"{current} is a symlink: refusing to write through it")
