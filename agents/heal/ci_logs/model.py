"""A CI finding: the engine's `Finding`, which tool printed it, and the lines that say so."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from agents.validate.finding import Finding

FindingKind = Literal["chart", "runtime"]
"""`chart`: a file in the chart is wrong (fixable by an edit); `runtime`: the cluster said no
(an image that does not exist, a crash-looping pod), which an edit cannot be trusted to fix."""


class CiFinding(BaseModel):
    """One problem CI reported; `evidence` holds the log lines it was read from, verbatim."""

    model_config = ConfigDict(frozen=True)

    tool: str  # "helm lint", "ct lint", "kubeconform", "helm install", "checkov", …
    kind: FindingKind
    finding: Finding
    evidence: tuple[str, ...] = ()


class CiReport(BaseModel):
    """What one failed CI run said: where it came from, the lines kept, and what they mean."""

    source: str  # "check run `lint`", "job `lint-test` of workflow `CI`"
    lines: list[str] = Field(default_factory=list)
    findings: list[CiFinding] = Field(default_factory=list)

    @property
    def fixable(self) -> list[CiFinding]:
        return [f for f in self.findings if f.kind == "chart"]

    @property
    def runtime(self) -> list[CiFinding]:
        return [f for f in self.findings if f.kind == "runtime"]
