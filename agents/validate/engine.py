"""The Helm engine interface: lint messages and rendered manifests, whichever Helm runs them."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Literal, Protocol

from pydantic import BaseModel, Field

from agents.validate.finding import Severity

RELEASE_NAME = "release-name"  # what `helm template` calls the release when none is given
ENGINE_ENV = "AUTOPILOT_HELM_ENGINE"  # "cli" or "sdk" forces a backend; unset picks automatically


class LintMessage(BaseModel):
    """One `helm lint` message: `path` is relative to the chart root ("" for the chart itself)."""

    severity: Severity
    path: str
    text: str


class RenderResult(BaseModel):
    """The manifests of one `helm template` run, or the error that stopped it."""

    values_file: str  # "values.yaml" for the defaults, else "ci/x-values.yaml"
    manifests: dict[str, str] = Field(default_factory=dict)  # "templates/x.yaml" -> rendered text
    error: str | None = None


class HelmEngine(Protocol):
    """What validation needs from Helm; the CLI and the embedded SDK both provide it."""

    @property
    def name(self) -> str: ...

    def lint(self, chart_dir: Path, kube_version: str | None = None) -> list[LintMessage]: ...

    def render(
        self,
        chart_dir: Path,
        values_file: str | None = None,
        kube_version: str | None = None,
        release_name: str = RELEASE_NAME,
    ) -> RenderResult: ...


def strip_chart_prefix(key: str) -> str:
    """`mychart/templates/a.yaml` -> `templates/a.yaml` (render keys and `# Source:` carry the chart name)."""
    head, sep, rest = key.partition("/")
    if sep and (rest.startswith("templates/") or rest.startswith("charts/")):
        return rest
    return key


def get_engine(
    prefer: Literal["auto", "cli", "sdk"] | None = None, search_path: str | None = None
) -> HelmEngine:
    """The `helm` binary when it is on PATH (or forced), else the embedded Helm SDK.

    `prefer` defaults to the AUTOPILOT_HELM_ENGINE environment variable, then "auto".
    """
    choice = prefer or os.environ.get(ENGINE_ENV, "auto") or "auto"
    if choice not in ("auto", "cli", "sdk"):
        raise ValueError(f"{ENGINE_ENV}={choice!r} is not a Helm engine: use 'cli', 'sdk' or leave it unset")
    from agents.validate.engine_cli import HelmCliEngine
    from agents.validate.engine_sdk import HelmSdkEngine

    binary = shutil.which("helm", path=search_path)
    if choice == "cli" or (choice == "auto" and binary):
        if not binary:
            raise ValueError(
                f"{ENGINE_ENV}=cli but no `helm` binary is on PATH: install Helm 3+ or use the SDK engine"
            )
        return HelmCliEngine(binary)
    return HelmSdkEngine()
