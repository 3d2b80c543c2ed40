"""`Finding`: one problem in a chart, as every rule, engine and fixer speaks of it."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Severity(StrEnum):
    ERROR = "error"  # the chart is broken or unsafe: validation fails
    WARNING = "warning"  # likely wrong; fails only in strict mode
    INFO = "info"  # opinion (digest pinning, pull policy…): reported, never fails


class Finding(BaseModel):
    """A located problem with a stable rule id and a hint that says what to do next."""

    model_config = ConfigDict(frozen=True)

    rule_id: str  # stable, e.g. "helm-lint", "schema", "wiring/service-selector", "CKV_K8S_20"
    severity: Severity
    message: str
    file: str | None = None  # path relative to the chart root, e.g. "templates/deployment.yaml"
    line: int | None = Field(default=None, ge=1)
    hint: str = ""
    kube_version: str | None = None  # set when the finding depends on the Kubernetes version
    values_file: str | None = None  # "values.yaml" or "ci/full-values.yaml": which render found it
    values_files: tuple[str, ...] = ()  # every render that found it, when it was found by more than one
    resource: str | None = None  # "Deployment/web" when it is about one rendered object

    @property
    def location(self) -> str:
        if self.file and self.line:
            return f"{self.file}:{self.line}"
        return self.file or "(chart)"


class ValidationReport(BaseModel):
    """All findings for one chart; `ok` is what CI and the heal loop act on."""

    chart_dir: str
    findings: list[Finding] = Field(default_factory=list)
    engine: str = ""  # "helm-cli 3.x" or "helm-sdk 4.2.3"
    kube_versions: list[str] = Field(default_factory=list)
    rendered: dict[str, dict[str, str]] = Field(default_factory=dict)  # values file -> {template: text}

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.ERROR]

    @property
    def ok(self) -> bool:
        return not self.errors
