"""Reading a chart directory into memory, writing fixes back inside it, and diffing the two."""

from __future__ import annotations

import difflib
from pathlib import Path

from agents.heal.model import ChartFiles
from agents.safe_paths import UnsafePathError, relative_parts

SKIPPED_DIRS = {".git", "charts", "__pycache__"}


class UnsafeChartPath(ValueError):
    """A fix tried to write outside the chart directory (absolute path, `..`, or a symlink out)."""


def read_chart_files(chart_dir: Path) -> ChartFiles:
    """Every UTF-8 text file of the chart, keyed by POSIX path; subcharts and binaries are left out."""
    root = chart_dir.resolve()
    files: ChartFiles = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if not path.is_file() or path.is_symlink() or SKIPPED_DIRS & set(relative.parts[:-1]):
            continue
        try:
            files[relative.as_posix()] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
    return files


def safe_target(chart_dir: Path, relative: str) -> Path:
    """The on-disk path for `relative`, refusing anything that would land outside `chart_dir`."""
    try:
        parts = relative_parts(relative)
    except UnsafePathError as exc:
        raise UnsafeChartPath(f"refusing to write {relative!r}: {exc.reason}") from None
    root = chart_dir.resolve()
    target = (root / Path(*parts)).resolve()
    if not target.is_relative_to(root):
        raise UnsafeChartPath(f"refusing to write {relative!r}: it resolves to {target}, outside {root}")
    return target


def write_changes(chart_dir: Path, before: ChartFiles, after: ChartFiles) -> list[str]:
    """Write the files that differ (checking every path first, so a bad one writes nothing)."""
    changed = sorted(path for path, text in after.items() if before.get(path) != text)
    targets = {path: safe_target(chart_dir, path) for path in changed}
    for path in changed:
        targets[path].parent.mkdir(parents=True, exist_ok=True)
        targets[path].write_text(after[path], encoding="utf-8")
    return changed


def unified_diff(before: ChartFiles, after: ChartFiles) -> str:
    """`git diff`-style text of every changed, added or removed file."""
    chunks: list[str] = []
    for path in sorted(set(before) | set(after)):
        old, new = before.get(path), after.get(path)
        if old == new:
            continue
        chunks.extend(
            difflib.unified_diff(
                (old or "").splitlines(keepends=True),
                (new or "").splitlines(keepends=True),
                fromfile=f"a/{path}" if old is not None else "/dev/null",
                tofile=f"b/{path}" if new is not None else "/dev/null",
            )
        )
        if chunks and not chunks[-1].endswith("\n"):
            chunks[-1] += "\n\\ No newline at end of file\n"
    return "".join(chunks)
