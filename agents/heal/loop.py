"""The heal loop: validate → fix → re-validate a chart directory until it is clean or stops improving."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from agents.heal import fix_findings
from agents.heal.chart_files import read_chart_files, unified_diff, write_changes
from agents.heal.model import ChartFiles, FixResult, HealAttempt, HealResult
from agents.validate.finding import Finding, Severity, ValidationReport

ExtraFixer = Callable[[ChartFiles, list[Finding], Sequence[str]], FixResult]
"""A fallback (the LLM fixer) tried when the deterministic pass changes nothing."""

BLOCKING = ("parse", "unable to load", "cannot load", "render", "template:")


def actionable(report: ValidationReport) -> list[Finding]:
    """Errors and warnings: what a fix should address (info-level opinions are left alone)."""
    return [f for f in report.findings if f.severity in (Severity.ERROR, Severity.WARNING)]


def _key(finding: Finding) -> tuple[str, str | None, str, str | None]:
    return (finding.rule_id, finding.file, finding.message, finding.resource)


def made_progress(before: ValidationReport, after: ValidationReport) -> bool:
    """Something was resolved, and errors did not grow (unless a parse error that hid them was fixed)."""
    old = {_key(f): f for f in actionable(before)}
    new = {_key(f) for f in actionable(after)}
    resolved = [old[k] for k in old.keys() - new]
    if not resolved:
        return False
    if len(after.errors) <= len(before.errors):
        return True
    return any(any(word in f.message.lower() for word in BLOCKING) for f in resolved)


def heal_chart(
    chart_dir: Path,
    kube_versions: Sequence[str] | None = None,
    max_attempts: int = 3,
    extra_fixer: ExtraFixer | None = None,
) -> HealResult:
    """Heal `chart_dir` in place, writing only inside it; the result carries the diff and what is left."""
    from agents.validate import default_kube_versions, validate_chart

    if max_attempts < 1:
        raise ValueError(f"max_attempts must be at least 1, got {max_attempts}")
    chart_dir = Path(chart_dir)
    versions = list(kube_versions) if kube_versions else list(default_kube_versions())
    original = read_chart_files(chart_dir)
    files = dict(original)
    report = validate_chart(chart_dir, versions)
    attempts: list[HealAttempt] = []
    for number in range(1, max_attempts + 1):
        findings = actionable(report)
        if not findings:
            break
        result = fix_findings(files, findings, versions)
        if not result.changed and extra_fixer is not None:
            result = extra_fixer(files, findings, versions)
        if result.files == files:
            if report.errors:  # an attempt that could not touch the errors; warnings alone are not worth one
                attempts.append(
                    HealAttempt(
                        number=number, errors_before=len(report.errors), errors_after=len(report.errors)
                    )
                )
            break
        write_changes(chart_dir, files, result.files)
        after = validate_chart(chart_dir, versions)
        attempts.append(
            HealAttempt(
                number=number,
                errors_before=len(report.errors),
                errors_after=len(after.errors),
                applied=result.applied,
            )
        )
        if not made_progress(report, after):
            if len(after.errors) > len(report.errors):
                write_changes(chart_dir, result.files, files)  # the pass made things worse: undo it
            else:
                files, report = result.files, after
            break
        files, report = result.files, after
    final = read_chart_files(chart_dir)
    return HealResult(
        chart_dir=str(chart_dir),
        attempts=attempts,
        healed=report.ok,
        remaining=actionable(report),
        diff=unified_diff(original, final),
    )
