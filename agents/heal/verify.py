"""Judging a proposed edit: keep it only when the chart is strictly better and changed only where asked.

A fixer's edit is a proposal. It is kept when the re-validated chart still parses and renders,
at least one finding it targeted is gone, no new finding appears (a fixed parse error may reveal
findings on objects it hid, never new structural ones), and the rendered objects differ only on
the objects the targeted findings pointed at.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict

from agents.validate.finding import Finding, Severity, ValidationReport
from agents.validate.manifests import parse_manifests

BLOCKING_WORDS = ("parse", "unable to load", "cannot load", "render", "template:", "yaml")
STRUCTURAL_RULES = ("yaml", "helm-lint", "lint", "render", "schema", "values/", "chart/")

FindingKey = tuple[str, str, str]


def finding_key(finding: Finding) -> FindingKey:
    """What makes two findings the same problem, whatever line or render reported it.

    An object is known by its template and kind, not its name: charts name test pods and hook
    Jobs with `randAlphaNum`, so the same object has a new name in every render."""
    if finding.resource and "/" in finding.resource:
        kind, name = finding.resource.split("/", 1)
        message = finding.message.replace(name, "<name>") if name else finding.message
        return (finding.rule_id, f"{finding.file or ''}:{kind}", message)
    return (finding.rule_id, finding.file or "", finding.message)


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


ObjectKey = tuple[str, str, str, int]  # values file, template, kind, ordinal of that kind in the template


def _objects(report: ValidationReport) -> dict[ObjectKey, str]:
    """Every object of every render, its name masked (see `finding_key`), as comparable JSON."""
    objects: dict[ObjectKey, str] = {}
    for values_file, manifests in report.rendered.items():
        seen: dict[tuple[str, str], int] = {}
        for obj in parse_manifests(values_file, manifests).objects:
            ordinal = seen[(obj.template, obj.kind)] = seen.get((obj.template, obj.kind), -1) + 1
            text = json.dumps(obj.doc, sort_keys=True, default=str)
            objects[(values_file, obj.template, obj.kind, ordinal)] = (
                text.replace(json.dumps(obj.name), '"<name>"') if obj.name else text
            )
    return objects


def changed_objects(
    before: ValidationReport, after: ValidationReport, *, appeared: bool = True
) -> set[tuple[str, str]]:
    """(template, kind) of every object whose data changed, vanished or (with `appeared`) appeared.

    Pass `appeared=False` once a blocking error is fixed: objects its failed render hid come back
    unchanged by the edit, they only become visible."""
    old, new = _objects(before), _objects(after)
    keys = old.keys() | new.keys() if appeared else old.keys()
    return {(key[1], key[2]) for key in keys if old.get(key) != new.get(key)}


def outside_scope(targeted: Sequence[Finding], changed: set[tuple[str, str]]) -> set[str]:
    """Changed objects no targeted finding pointed at (none when a chart-wide finding was targeted)."""
    if any(f.resource is None and not (f.file or "").startswith("templates/") for f in targeted):
        return set()  # values.yaml / Chart.yaml / chart-level findings reach every object
    pointed = {(f.file, f.resource.split("/", 1)[0]) for f in targeted if f.resource}
    # a template-level finding (its YAML does not parse) may reshape any object of that template
    templates = {f.file for f in targeted if f.resource is None}
    return {
        f"{kind} in {template}"
        for template, kind in changed
        if (template, kind) not in pointed and template not in templates
    }


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
    outside = outside_scope(targeted, changed_objects(before, after, appeared=not unblocked))
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
