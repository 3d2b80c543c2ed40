"""The heal loop: propose → verify on a copy → keep, until the chart is clean or stops improving.

Every fixer's edit is applied to a scratch copy of the chart and re-validated there; it is kept
only when `agents.heal.verify.judge` says the chart got strictly better where the findings pointed.
A pass that does not strictly improve is undone whole. The chart directory itself is written once,
at the end, and only with kept edits; a chart with no error is never touched.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from agents.chart_edits import UnsafeEditError, check_edit_path
from agents.heal import route
from agents.heal.chart_files import read_chart_files, safe_target, unified_diff, write_changes
from agents.heal.model import ChartFiles, FixResult, HealAttempt, HealResult
from agents.heal.verify import BLOCKING_WORDS, Verdict, judge, strictly_better
from agents.heal.verify import actionable as _actionable
from agents.safe_paths import UnsafePathError, relative_parts
from agents.validate.finding import Finding, ValidationReport

ExtraFixer = Callable[[ChartFiles, list[Finding], Sequence[str]], FixResult]
"""A fallback (the LLM fixer) tried when no deterministic edit was kept."""

Validator = Callable[[Path], ValidationReport]

BLOCKING = BLOCKING_WORDS  # kept for callers that test messages against it


def actionable(report: ValidationReport) -> list[Finding]:
    """Errors and warnings: what a fix should address (info-level opinions are left alone)."""
    return _actionable(report.findings)


def made_progress(before: ValidationReport, after: ValidationReport) -> bool:
    """Something was resolved and nothing got worse (the graph's heal node asks this of a whole pass)."""
    return judge(before, after, actionable(before)).kept


class _Scratch:
    """A copy of the chart in a temporary directory, where proposals are written and validated."""

    def __init__(self, chart_dir: Path, files: ChartFiles, validate: Validator) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="autopilot-heal-")
        self.root = Path(self._tmp.name) / chart_dir.resolve().name
        shutil.copytree(chart_dir, self.root, symlinks=True)
        self.files = dict(files)
        self._validate = validate

    def try_files(self, proposal: ChartFiles) -> ValidationReport:
        """Lay `proposal` over the copy (removing files it dropped) and validate it."""
        for path in self.files.keys() - proposal.keys():
            safe_target(self.root, path).unlink(missing_ok=True)
        write_changes(self.root, self.files, proposal)
        self.files = dict(proposal)
        return self._validate(self.root)

    def close(self) -> None:
        self._tmp.cleanup()


def _outside_editable(before: ChartFiles, after: ChartFiles) -> list[str]:
    """Changed paths that are not templates, values or chart metadata (crds/ and files/ are data)."""
    refused = []
    for path in sorted(set(before) | set(after)):
        if before.get(path) == after.get(path):
            continue
        try:
            check_edit_path(path, {p: t for p, t in before.items() if p != path})
        except UnsafeEditError:
            refused.append(path)
    return refused


def _check_paths(chart_dir: Path, before: ChartFiles, after: ChartFiles) -> None:
    """Refuse a proposal that would write outside the chart before anything is written anywhere."""
    for path, text in after.items():
        if before.get(path) != text:
            safe_target(chart_dir, path)


@dataclass
class _Pass:
    """What one verified fixer pass kept, refused, and last proposed (for an escalation's diff)."""

    files: ChartFiles
    report: ValidationReport
    applied: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    proposed: ChartFiles | None = None


def _verified_pass(
    scratch: _Scratch,
    files: ChartFiles,
    report: ValidationReport,
    targeted: Sequence[Finding],
    versions: Sequence[str],
) -> _Pass:
    """Each fixer whose findings are present proposes an edit; it is kept only when `judge` agrees."""
    result = _Pass(files=files, report=report)
    for fixer, mine in route(targeted):
        outcome = fixer.fix(result.files, mine, versions)
        if outcome.files == result.files:
            continue
        result.proposed = outcome.files
        _check_paths(scratch.root, result.files, outcome.files)
        if data := _outside_editable(result.files, outcome.files):
            result.rejected.append(f"[{fixer.name}] not kept: it edited data files {', '.join(data)}")
            continue
        after = scratch.try_files(outcome.files)
        verdict = judge(result.report, after, mine)
        if verdict.kept:
            result.files, result.report = outcome.files, after
            result.applied += [f"[{fixer.name}] {change}" for change in outcome.changes]
        else:
            result.rejected.append(f"[{fixer.name}] not kept: {verdict.reason}")
    return result


def verified_fix(files: ChartFiles, findings: list[Finding], kube_versions: Sequence[str]) -> FixResult:
    """One verified fixer pass over an in-memory chart: the graph's heal step.

    A chart the bot has just generated is healed by the same propose → verify → keep rule as a
    chart on disk, so an edit that breaks something else never reaches the pull request.
    """
    from agents.validate import validate_chart

    versions = list(kube_versions)
    with tempfile.TemporaryDirectory(prefix="autopilot-fix-") as tmp:
        chart_dir = Path(tmp) / _chart_name(files)
        write_changes(chart_dir, {}, files)
        check: Validator = lambda path: validate_chart(path, versions)  # noqa: E731
        scratch = _Scratch(chart_dir, files, check)
        try:
            kept = _verified_pass(scratch, dict(files), check(chart_dir), findings, versions)
        finally:
            scratch.close()
    return FixResult(files=kept.files, applied=kept.applied, rejected=kept.rejected)


def _chart_name(files: ChartFiles) -> str:
    """The directory name Helm expects (lint compares it with Chart.yaml's name)."""
    try:
        meta = yaml.safe_load(files.get("Chart.yaml", "")) or {}
    except yaml.YAMLError:
        meta = {}
    name = meta.get("name") if isinstance(meta, dict) else None
    try:
        return name if isinstance(name, str) and len(relative_parts(name)) == 1 else "chart"
    except UnsafePathError:
        return "chart"


def heal_chart(
    chart_dir: Path,
    kube_versions: Sequence[str] | None = None,
    max_attempts: int = 3,
    extra_fixer: ExtraFixer | None = None,
    validate: Validator | None = None,
) -> HealResult:
    """Heal `chart_dir` in place with verified edits only; the result carries the diff and what is left.

    `validate` defaults to `validate_chart` on `kube_versions`; pass one to set the policy and
    accepted risks the chart is judged by.
    """
    from agents.validate import default_kube_versions, validate_chart

    if max_attempts < 1:
        raise ValueError(f"max_attempts must be at least 1, got {max_attempts}")
    chart_dir = Path(chart_dir)
    versions = list(kube_versions) if kube_versions else list(default_kube_versions())
    check: Validator = validate or (lambda path: validate_chart(path, versions))
    original = read_chart_files(chart_dir)
    first_report = report = check(chart_dir)
    if report.ok:  # nothing is broken: a chart with no error is never edited
        return HealResult(
            chart_dir=str(chart_dir), healed=True, before=actionable(report), remaining=actionable(report)
        )
    files = dict(original)
    attempts: list[HealAttempt] = []
    rejected: list[str] = []
    proposed = dict(original)
    scratch = _Scratch(chart_dir, original, check)
    try:
        for number in range(1, max_attempts + 1):
            if report.ok:
                break
            pass_files, pass_report = files, report
            kept = _verified_pass(scratch, files, report, report.errors, versions)
            files, report, applied = kept.files, kept.report, list(kept.applied)
            rejected += kept.rejected
            proposed = kept.proposed or proposed
            if not applied and extra_fixer is not None:
                extra = extra_fixer(files, report.errors, versions)
                if extra.files != files:
                    proposed = extra.files
                    _check_paths(chart_dir, files, extra.files)
                    data = _outside_editable(files, extra.files)
                    after = report if data else scratch.try_files(extra.files)
                    verdict = (
                        Verdict(kept=False, reason=f"it edited data files {', '.join(data)}")
                        if data
                        else judge(report, after, report.errors)
                    )
                    if verdict.kept:
                        files, report = extra.files, after
                        applied += extra.applied
                    else:
                        rejected.append(f"[fallback] not kept: {verdict.reason}")
            pass_kept = bool(applied) and judge(pass_report, report, pass_report.errors).kept
            attempts.append(
                HealAttempt(
                    number=number,
                    errors_before=len(pass_report.errors),
                    errors_after=len(report.errors) if pass_kept else len(pass_report.errors),
                    applied=applied if pass_kept else [],
                )
            )
            if not pass_kept:  # the pass as a whole did not improve the chart: undo all of it
                files, report = pass_files, pass_report
                break
    finally:
        scratch.close()
    write_changes(chart_dir, original, files)
    return HealResult(
        chart_dir=str(chart_dir),
        attempts=attempts,
        healed=report.ok,
        improved=strictly_better(first_report, report),
        errors_before=len(first_report.errors),
        before=actionable(first_report),
        remaining=actionable(report),
        diff=unified_diff(original, files),
        proposed_diff="" if files != original else unified_diff(original, proposed),
        rejected=rejected,
    )
