"""Helm in-process through the `helm_python` SDK (Helm v4): no binary needed."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from agents.validate.engine import RELEASE_NAME, LintMessage, RenderResult, strip_chart_prefix
from agents.validate.finding import Severity
from agents.validate.values_yaml import load_values

_SEVERITIES = {0: Severity.INFO, 1: Severity.INFO, 2: Severity.WARNING, 3: Severity.ERROR}


def _chart_files_state(chart_dir: Path) -> tuple[tuple[str, int, int], ...]:
    """(path, mtime, size) of every file of the chart: changes whenever the chart is edited."""
    state = []
    for root, _, names in os.walk(chart_dir):
        for name in names:
            try:
                stat = os.stat(os.path.join(root, name))
            except OSError:
                continue
            state.append((os.path.join(root, name), stat.st_mtime_ns, stat.st_size))
    return tuple(sorted(state))


class HelmSdkEngine:
    """Lint and render with the Helm SDK bundled in `helm_python`."""

    def __init__(self) -> None:
        # validation renders one chart once per values file: it is loaded once while unchanged
        self._loaded: tuple[Path, tuple[tuple[str, int, int], ...], Any] | None = None

    def _load(self, chart_dir: Path) -> Any:
        import helm_python

        state = _chart_files_state(chart_dir)
        if self._loaded is None or self._loaded[:2] != (chart_dir, state):
            self._loaded = (chart_dir, state, helm_python.Chart.load(chart_dir))
        return self._loaded[2]

    @property
    def name(self) -> str:
        import helm_python

        return f"helm-sdk {helm_python.helm_sdk_version()}"

    def lint(self, chart_dir: Path, kube_version: str | None = None) -> list[LintMessage]:
        import helm_python

        report = helm_python.lint(chart_dir, strict=True, kube_version=kube_version)
        return [
            LintMessage(
                severity=_SEVERITIES.get(int(m.get("severity", 3)), Severity.ERROR),
                path=str(m.get("path", "")),
                text=str(m.get("error", "")).strip(),
            )
            for m in report.get("messages", [])
        ]

    def render(
        self,
        chart_dir: Path,
        values_file: str | None = None,
        kube_version: str | None = None,
        release_name: str = RELEASE_NAME,
    ) -> RenderResult:
        import helm_python

        label = values_file or "values.yaml"
        values: dict[str, Any] | None = None
        if values_file:
            try:
                loaded = load_values((chart_dir / values_file).read_text())
            except (OSError, yaml.YAMLError) as exc:
                return RenderResult(values_file=label, error=f"cannot read {values_file}: {exc}")
            if loaded is not None and not isinstance(loaded, dict):
                return RenderResult(
                    values_file=label,
                    error=f"{values_file} must be a YAML mapping, got {type(loaded).__name__}",
                )
            values = loaded
        try:
            rendered = self._load(chart_dir).render(values, name=release_name)
        except helm_python.HelmError as exc:
            return RenderResult(values_file=label, error=str(exc).strip())
        return RenderResult(
            values_file=label, manifests={strip_chart_prefix(k): v for k, v in sorted(rendered.items())}
        )
