"""Deliberate exceptions, each with a written reason, reported as info instead of failing the chart.

Two places declare them:
- an object (or its pod template) carries the annotation
      autopilot.k8s.io/accepted-risks: "security/host-namespaces=node-exporter reads the host's network stats"
  (several entries separated by ";");
- the repository's `.github/autopilot.yml` lists `accepted_risks:` entries of rule, object and reason,
  where the object is `Kind/name` and may use shell wildcards (`DaemonSet/*-node-agent`).
Warnings may be accepted without a reason; an error is accepted only with one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fnmatch import fnmatchcase

from pydantic import BaseModel, ConfigDict, Field

from agents.validate.finding import Finding, Severity
from agents.validate.manifests import RenderedObject
from agents.validate.pod_templates import POD_SPEC_PATHS
from agents.validate.shapes import dig, mapping

ANNOTATION = "autopilot.k8s.io/accepted-risks"
NO_REASON = "no reason given"


class AcceptedRisk(BaseModel):
    """One accepted finding: which rule, on which object (`Kind/name`, wildcards allowed), and why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rule: str = Field(min_length=1)
    object: str = Field(default="*", min_length=1)
    reason: str = Field(min_length=1)

    def covers(self, finding: Finding) -> bool:
        return fnmatchcase(finding.rule_id, self.rule) and fnmatchcase(finding.resource or "", self.object)


def accepted_risks(obj: RenderedObject) -> dict[str, str]:
    """rule id -> reason, from the object's and its pod template's annotations."""
    sources = [dig(obj.doc, "metadata", "annotations")]
    pod_path = POD_SPEC_PATHS.get(obj.kind)
    if pod_path and obj.kind != "Pod":
        sources.append(dig(obj.doc, *pod_path[:-1], "metadata", "annotations"))
    accepted: dict[str, str] = {}
    for source in sources:
        raw = mapping(source).get(ANNOTATION)
        if not isinstance(raw, str):
            continue
        for entry in raw.split(";"):
            rule_id, _, reason = entry.partition("=")
            if rule_id.strip():
                accepted[rule_id.strip()] = reason.strip() or NO_REASON
    return accepted


def accept(severity: Severity, message: str, reason: str | None) -> tuple[Severity, str]:
    """The severity and message of a finding once `reason` accepts it (errors need a real reason)."""
    if reason is None or severity == Severity.INFO:
        return severity, message
    if severity == Severity.ERROR and reason == NO_REASON:
        return severity, f"{message} (an accepted risk needs a reason to accept an error: write rule=reason)"
    return Severity.INFO, f"{message} (accepted risk: {reason})"


def apply_accepted(findings: Iterable[Finding], accepted: Sequence[AcceptedRisk]) -> list[Finding]:
    """Findings with those the repository's configuration accepts turned into info with the reason."""
    if not accepted:
        return list(findings)
    result = []
    for f in findings:
        entry = next((a for a in accepted if a.covers(f)), None)
        if entry is not None and f.severity != Severity.INFO:
            severity, message = accept(f.severity, f.message, entry.reason)
            f = f.model_copy(update={"severity": severity, "message": message})
        result.append(f)
    return result
