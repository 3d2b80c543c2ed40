"""Which charts validate mode checks: the `charts` input, else the charts the pull request or push changes."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from bot.action_settings import ActionError, ActionSettings, inside_checkout
from bot.config import RepoConfig
from bot.git import changed_paths

ZERO_SHA = "0" * 40  # a push's `before` when the branch is new: there is nothing to diff against


def _chart_root(workspace: Path, path: Path) -> Path | None:
    """The nearest directory at or above `path` (inside the workspace) holding Chart.yaml."""
    for candidate in [path, *path.parents]:
        if candidate == workspace or workspace not in candidate.parents:
            return None
        if (candidate / "Chart.yaml").is_file():
            return candidate
    return None


def charts_from_input(workspace: Path, patterns: str) -> list[Path]:
    """Chart directories named by the `charts` input (paths or globs, one per line or space-separated)."""
    found: list[Path] = []
    root = workspace.resolve()
    for pattern in patterns.split():
        inside_checkout(workspace, pattern, "charts entry")
        matches = sorted(workspace.glob(pattern.rstrip("/")))
        charts = []
        for match in matches:
            target = match.parent if match.name == "Chart.yaml" else match
            if (target / "Chart.yaml").is_file() and root in [target.resolve(), *target.resolve().parents]:
                charts.append(target)
        if not charts:
            raise ActionError(
                f"charts entry {pattern!r} matches no chart directory (a folder with Chart.yaml) "
                f"under {workspace}; fix the path or glob in the `charts` input"
            )
        found.extend(c for c in charts if c not in found)
    return found


def all_charts(workspace: Path, charts_dir: str) -> list[Path]:
    """Every chart directly or deeply under `charts_dir`."""
    base = workspace / charts_dir
    return sorted({p.parent for p in base.rglob("Chart.yaml")}) if base.is_dir() else []


def _base_of(event_name: str, event: Mapping[str, Any]) -> str | None:
    """The commit the event's changes start from (None: not a pull request or push, or a new branch)."""
    if event_name in ("pull_request", "pull_request_target"):
        base = (event.get("pull_request") or {}).get("base") or {}
        sha = base.get("sha")
        return sha if isinstance(sha, str) else None
    if event_name == "push":
        before = event.get("before")
        return before if isinstance(before, str) and before != ZERO_SHA else None
    return None


def select_charts(
    settings: ActionSettings, config: RepoConfig, event: Mapping[str, Any], err: TextIO
) -> list[Path]:
    """The charts to validate: the `charts` input, else the changed ones, else (unknown diff) all."""
    if settings.charts.strip():
        return charts_from_input(settings.workspace, settings.charts)
    base_sha = _base_of(settings.event_name, event)
    paths = changed_paths(settings.workspace, base_sha) if base_sha else None
    if paths is None:
        if base_sha:
            err.write(
                f"::warning title=k8s-autopilot::cannot diff against {base_sha[:12]} in {settings.workspace}; "
                f"validating every chart under {config.charts_dir}/\n"
            )
        return all_charts(settings.workspace, config.charts_dir)
    charts_root = settings.workspace / config.charts_dir
    found: list[Path] = []
    for rel in paths:
        path = settings.workspace / rel
        if charts_root not in path.parents:
            continue
        chart = _chart_root(settings.workspace, path.parent)
        if chart is not None and chart not in found:
            found.append(chart)
    return sorted(found)
