"""Judging a proposed edit: keep it only when the chart is strictly better and changed only where asked.

A fixer's edit is a proposal. It is kept when the re-validated chart still parses and renders,
at least one finding it targeted is gone, no new finding appears (a fixed parse error may reveal
findings on objects it hid, never new structural ones), and the rendered objects differ only on
the objects the targeted findings pointed at.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict

from agents.validate.finding import Finding, Severity, ValidationReport
from agents.validate.manifests import parse_manifests

BLOCKING_WORDS = ("parse", "unable to load", "cannot load", "render", "template:", "yaml")
STRUCTURAL_RULES = ("yaml", "helm-lint", "lint", "render", "schema", "values/", "chart/")

FindingKey = tuple[str, str, str]


def finding_key(finding: Finding) -> FindingKey:
    """What makes two findings the same problem, whatever line or render reported it."""
    return (finding.rule_id, finding.resource or finding.file or "", finding.message)


def actionable(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity in (Severity.ERROR, Severity.WARNING)]


def is_blocking(finding: Finding) -> bool:
    """A finding that hides others: the chart (or a template) could not be parsed or rendered."""
    text = f"{finding.rule_id} {finding.message}".lower()
    return finding.severity == Severity.ERROR and any(word in text for word in BLOCKING_WORDS)


def is_structural(finding: Finding) -> bool:
    """A finding that says an object or file is malformed (a fix must never introduce one)."""
    return finding.rule_id.startswith(STRUCTURAL_RULES) or is_blocking(finding)


class Verdict(BaseModel):
    """Whether a proposed edit is kept, and why not when it is not."""

    model_config = ConfigDict(frozen=True)

    kept: bool
    reason: str = ""


def new_findings(before: ValidationReport, after: ValidationReport) -> list[Finding]:
    old = {finding_key(f) for f in actionable(before.findings)}
    return [f for f in actionable(after.findings) if finding_key(f) not in old]


def _objects(report: ValidationReport) -> dict[tuple[str, str], tuple[str, object]]:
    """(values file, Kind/name) -> (template, object data), for every object of every render."""
    objects: dict[tuple[str, str], tuple[str, object]] = {}
    for values_file, manifests in report.rendered.items():
        for obj in parse_manifests(values_file, manifests).objects:
            objects[(values_file, obj.ref)] = (obj.template, obj.doc)
    return objects


def changed_objects(before: ValidationReport, after: ValidationReport) -> dict[str, str]:
    """Kind/name -> template of every object whose data changed, vanished or appeared."""
    old, new = _objects(before), _objects(after)
    changed = {
        ref: template
        for (vf, ref), (template, doc) in old.items()
        if new.get((vf, ref), ("", None))[1] != doc
    }
    changed.update({ref: template for (vf, ref), (template, _) in new.items() if (vf, ref) not in old})
    return changed


def outside_scope(targeted: Sequence[Finding], changed: dict[str, str]) -> set[str]:
    """Changed objects no targeted finding pointed at (none when a chart-wide finding was targeted)."""
    if any(f.resource is None and not (f.file or "").startswith("templates/") for f in targeted):
        return set()  # values.yaml / Chart.yaml / chart-level findings reach every object
    pointed = {f.resource for f in targeted if f.resource}
    # a template-level finding (its YAML does not parse) may reshape any object of that template
    templates = {f.file for f in targeted if f.resource is None}
    return {ref for ref, template in changed.items() if ref not in pointed and template not in templates}


def judge(before: ValidationReport, after: ValidationReport, targeted: Sequence[Finding]) -> Verdict:
    """Keep an edit only when it strictly improves the chart and stays where its findings pointed."""
    now = {finding_key(f) for f in actionable(after.findings)}
    resolved = [f for f in targeted if finding_key(f) not in now]
    if not resolved:
        return Verdict(kept=False, reason="none of the findings it targeted went away")
    appeared = new_findings(before, after)
    unblocked = any(is_blocking(f) for f in resolved)
    disallowed = [f for f in appeared if not unblocked or is_structural(f)]
    if disallowed:
        first = disallowed[0]
        return Verdict(
            kept=False,
            reason=f"it introduced {len(disallowed)} new finding(s), e.g. [{first.rule_id}] {first.message}",
        )
    if len(after.errors) > len(before.errors) and not unblocked:
        return Verdict(kept=False, reason="it increased the number of errors")
    outside = outside_scope(targeted, changed_objects(before, after))
    if outside:
        return Verdict(
            kept=False,
            reason=f"it changed rendered objects no finding pointed at: {', '.join(sorted(outside)[:3])}",
        )
    return Verdict(kept=True)


def strictly_better(before: ValidationReport, after: ValidationReport) -> bool:
    """Fewer errors, and no error that was not there before (revealed ones included)."""
    old = {finding_key(f) for f in before.errors}
    return len(after.errors) < len(before.errors) and all(finding_key(f) in old for f in after.errors)
