"""Helm in-process through the `helm_python` SDK (Helm v4): no binary needed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from agents.validate.engine import RELEASE_NAME, LintMessage, RenderResult, strip_chart_prefix
from agents.validate.finding import Severity
from agents.validate.values_yaml import load_values

_SEVERITIES = {0: Severity.INFO, 1: Severity.INFO, 2: Severity.WARNING, 3: Severity.ERROR}


def _render_native(
    chart: Any, values: dict[str, Any] | None, kube_version: str, release_name: str = RELEASE_NAME
) -> dict[str, str]:
    """Render with `.Capabilities.KubeVersion` set: helm_python 0.2.2's `Chart.render` does not expose
    the option, but its native `helm_render` reads `kube_version` from the same options object."""
    from helm_python import _native
    from helm_python.chart import _dumps

    options = {"name": release_name, "kube_version": f"v{kube_version.lstrip('v')}"}
    rendered: dict[str, str] = json.loads(
        _native.call_string("helm_render", chart._raw(), _dumps(values), json.dumps(options))
    )
    return rendered


class HelmSdkEngine:
    """Lint and render with the Helm SDK bundled in `helm_python`."""

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
            # a fresh load per render: Helm's render mutates the loaded chart (a subchart disabled by
            # one values file stays disabled, or half-processed, for the next render of that handle)
            chart = helm_python.Chart.load(chart_dir)
            if kube_version:
                rendered = _render_native(chart, values, kube_version, release_name)
            else:
                rendered = chart.render(values, name=release_name)
        except helm_python.HelmError as exc:
            return RenderResult(values_file=label, error=str(exc).strip())
        return RenderResult(
            values_file=label, manifests={strip_chart_prefix(k): v for k, v in sorted(rendered.items())}
        )
