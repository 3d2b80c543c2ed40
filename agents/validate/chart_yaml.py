"""Chart.yaml and values.yaml problems Helm only warns about (or not at all): keys set twice, and
dependencies that are not vendored.

Helm's own lint says these as warnings (one of them with an absolute path); a chart with either
installs differently from what its author reads, so they are errors here, with the command that fixes them.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

from agents.validate.finding import Finding, Severity
from agents.validate.manifests import FAST_SAFE_LOADER, duplicate_keys

CHART_FILE = "Chart.yaml"
MISSING_DEPENDENCIES = "chart/dependencies-missing"
# helm-lint messages these findings replace (Helm's text for the same problems)
REPLACED_LINT_TEXT = ("missing these dependencies", "already set in map")


def _load(chart_dir: Path, name: str = CHART_FILE) -> tuple[yaml.Node | None, Any]:
    try:
        text = (chart_dir / name).read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=FAST_SAFE_LOADER)
        return node, yaml.load(text, Loader=FAST_SAFE_LOADER)  # noqa: S506 - a safe loader
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None, None  # helm lint reports an unreadable Chart.yaml


VALUES_FILE = "values.yaml"


def duplicate_key_findings(node: yaml.Node | None, file: str = CHART_FILE) -> list[Finding]:
    if node is None:
        return []
    family = "chart" if file == CHART_FILE else "values"
    return [
        Finding(
            rule_id=f"{family}/duplicate-key",
            severity=Severity.ERROR,
            message=f"{file} sets {key!r} twice in one mapping; Helm keeps only the last value",
            file=file,
            line=line,
            hint=f"keep one `{key}:` in that block of {file}",
        )
        for line, key in duplicate_keys(node)
    ]


def _vendored(charts: Path) -> set[str]:
    """Names of the subcharts under charts/: directories, and `name-1.2.3.tgz` archives."""
    if not charts.is_dir():
        return set()
    names: set[str] = set()
    for entry in charts.iterdir():
        if entry.is_dir() and (entry / CHART_FILE).is_file():
            meta = _load(entry)[1]
            names.add(str(meta.get("name", entry.name)) if isinstance(meta, dict) else entry.name)
        elif entry.name.endswith(".tgz"):
            names.add(entry.name[: -len(".tgz")].rsplit("-", 1)[0])
    return names


def missing_dependencies(chart_dir: Path) -> list[str]:
    """`name version` of every Chart.yaml dependency with no subchart under charts/."""
    meta = _load(chart_dir)[1]
    deps = meta.get("dependencies") if isinstance(meta, dict) else None
    if not isinstance(deps, list):
        return []
    vendored = _vendored(chart_dir / "charts")
    return [
        f"{dep.get('name')} {dep.get('version', '')}".strip()
        for dep in deps
        if isinstance(dep, dict) and dep.get("name") and str(dep["name"]) not in vendored
    ]


def dependency_findings(chart_dir: Path) -> list[Finding]:
    missing = missing_dependencies(chart_dir)
    if not missing:
        return []
    return [
        Finding(
            rule_id=MISSING_DEPENDENCIES,
            severity=Severity.ERROR,
            message=f"Chart.yaml depends on {', '.join(missing)}, which charts/ does not hold; "
            "the chart cannot be rendered as it would install (templates that use them were not checked)",
            file=CHART_FILE,
            hint="run `helm dependency build` in the chart folder (it downloads the subcharts into charts/), "
            "then validate again",
        )
    ]


def chart_yaml_findings(chart_dir: Path) -> list[Finding]:
    """Duplicate keys in Chart.yaml and values.yaml, and Chart.yaml dependencies charts/ lacks."""
    return (
        duplicate_key_findings(_load(chart_dir)[0])
        + duplicate_key_findings(_values_node(chart_dir), VALUES_FILE)
        + dependency_findings(chart_dir)
    )


def _values_node(chart_dir: Path) -> yaml.Node | None:
    """values.yaml's node tree (composing expands no alias, so an alias bomb costs nothing here)."""
    try:
        return yaml.compose((chart_dir / VALUES_FILE).read_text(encoding="utf-8"), Loader=FAST_SAFE_LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None


def build_dependencies(chart_dir: Path, timeout: float = 300) -> str | None:
    """Run `helm dependency build` when a helm CLI is installed and something is missing (Action mode,
    where the network is there); returns a one-line note of what happened, or None when nothing ran."""
    helm = shutil.which("helm")
    if helm is None or not missing_dependencies(chart_dir):
        return None
    try:
        done = subprocess.run(  # noqa: S603 - a fixed argv, no shell
            [helm, "dependency", "build", str(chart_dir)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"`helm dependency build` could not run: {exc}"
    if done.returncode != 0:
        last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        return f"`helm dependency build` failed: {last[0]}"
    return "ran `helm dependency build` to fetch the chart's dependencies"
