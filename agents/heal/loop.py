"""The one heal loop: propose → verify on a copy → keep, until the chart is clean or stops improving.

Every fixer's edit is applied to a scratch copy of the chart and re-validated there; it is kept
only when `agents.heal.verify.judge` says the chart got strictly better where the findings pointed.
A pass that does not strictly improve is undone whole. The chart directory itself is written once,
at the end, and only with kept edits; a chart with no error is never touched. The graph's heal
node, the CLI's `fix` and the bot's CI-driven heal all run `heal_chart`: the attempt bound lives here.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from agents.chart_edits import UnsafeEditError, check_edit_path
from agents.heal import route
from agents.heal.chart_files import read_chart_files, safe_target, unified_diff, write_changes
from agents.heal.model import ChartFiles, FixResult, FixSource, HealAttempt, HealResult
from agents.heal.verify import BLOCKING_WORDS, judge, strictly_better
from agents.heal.verify import actionable as _actionable
from agents.validate.finding import Finding, ValidationReport

ExtraFixer = Callable[[ChartFiles, list[Finding], Sequence[str]], FixResult]
"""A fallback (the LLM fixer) tried when no deterministic edit was kept."""

Validator = Callable[[Path], ValidationReport]

Targets = Callable[[ValidationReport], list[Finding]]
"""The findings a pass heals; the loop stops when there are none (`errors_of` by default)."""

BLOCKING = BLOCKING_WORDS  # kept for callers that test messages against it


def actionable(report: ValidationReport) -> list[Finding]:
    """Errors and warnings: what a fix should address (info-level opinions are left alone)."""
    return _actionable(report.findings)


def errors_of(report: ValidationReport) -> list[Finding]:
    """What the loop heals by default: errors (warnings are reported, not edited for)."""
    return report.errors


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
    """What one verified pass kept, refused, and last proposed (for an escalation's diff)."""

    files: ChartFiles
    report: ValidationReport
    applied: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    proposed: ChartFiles | None = None

    def consider(
        self, scratch: _Scratch, name: str, files: ChartFiles, applied: list[str], targeted: Sequence[Finding]
    ) -> None:
        """Keep `files` only when `judge` says the chart got strictly better where `targeted` pointed."""
        if files == self.files:
            return
        self.proposed = files
        _check_paths(scratch.root, self.files, files)
        if data := _outside_editable(self.files, files):
            self.rejected.append(f"[{name}] not kept: it edited data files {', '.join(data)}")
            return
        after = scratch.try_files(files)
        verdict = judge(self.report, after, targeted)
        if verdict.kept:
            self.files, self.report = files, after
            self.applied += applied
        else:
            self.rejected.append(f"[{name}] not kept: {verdict.reason}")


def _verified_pass(
    scratch: _Scratch,
    before: _Pass,
    targeted: Sequence[Finding],
    extra_fixer: ExtraFixer | None,
    versions: Sequence[str],
) -> tuple[_Pass, FixSource]:
    """Each fixer whose findings are present proposes an edit; with none kept, the extra fixer tries."""
    result = _Pass(files=before.files, report=before.report)
    for fixer, mine in route(targeted):
        outcome = fixer.fix(result.files, mine, versions)
        changes = [f"[{fixer.name}] {change}" for change in outcome.changes]
        result.consider(scratch, fixer.name, outcome.files, changes, mine)
    if result.applied or extra_fixer is None:
        return result, "deterministic"
    extra = extra_fixer(result.files, list(targeted), versions)
    result.rejected += extra.rejected
    result.consider(scratch, "fallback", extra.files, list(extra.applied), targeted)
    return result, "llm"


@dataclass
class _Healed:
    """Where the loop left the chart: its files and their validation, and every attempt made."""

    files: ChartFiles
    report: ValidationReport
    attempts: list[HealAttempt]
    proposed: ChartFiles


def _heal_passes(
    scratch: _Scratch,
    start: _Pass,
    max_attempts: int,
    targets: Targets,
    extra_fixer: ExtraFixer | None,
    versions: Sequence[str],
) -> _Healed:
    """The heal loop: up to `max_attempts` passes, until nothing is targeted or a pass cannot improve.

    A pass is kept whole only when the chart is strictly better for it; otherwise it is undone and
    the loop stops, since the next pass would see the same chart and propose the same edits.
    """
    current, proposed = start, start.files
    attempts: list[HealAttempt] = []
    for number in range(1, max_attempts + 1):
        targeted = targets(current.report)
        if not targeted:
            break
        tried, source = _verified_pass(scratch, current, targeted, extra_fixer, versions)
        proposed = tried.proposed or proposed
        progressed = bool(tried.applied) and judge(current.report, tried.report, targeted).kept
        kept = tried if progressed else current
        attempts.append(
            HealAttempt(
                number=number,
                errors_before=len(current.report.errors),
                errors_after=len(kept.report.errors),
                applied=tried.applied if progressed else [],
                rejected=tried.rejected,
                source=source,
                progressed=progressed,
            )
        )
        if not progressed:
            break
        current = kept
    return _Healed(files=current.files, report=current.report, attempts=attempts, proposed=proposed)


def heal_chart(
    chart_dir: Path,
    kube_versions: Sequence[str] | None = None,
    max_attempts: int = 3,
    extra_fixer: ExtraFixer | None = None,
    validate: Validator | None = None,
    targets: Targets = errors_of,
) -> HealResult:
    """Heal `chart_dir` in place with verified edits only; the result carries the diff and what is left.

    This is the one heal loop: the CLI's `fix`, the bot's CI-driven heal and the graph's heal node
    all run it, so the attempt bound and the keep-only-what-verifies rule live here alone.
    `validate` defaults to `validate_chart` on `kube_versions`; pass one to set the policy and
    accepted risks the chart is judged by. `targets` picks the findings to heal (default: errors).
    """
    from agents.validate import default_kube_versions, validate_chart

    if max_attempts < 1:
        raise ValueError(f"max_attempts must be at least 1, got {max_attempts}")
    chart_dir = Path(chart_dir)
    versions = list(kube_versions) if kube_versions else list(default_kube_versions())
    check: Validator = validate or (lambda path: validate_chart(path, versions))
    original = read_chart_files(chart_dir)
    first = check(chart_dir)
    if not targets(first):  # nothing to heal: a chart with no error is never edited
        return HealResult(
            chart_dir=str(chart_dir),
            healed=first.ok,
            before=actionable(first),
            remaining=actionable(first),
            findings=first.findings,
        )
    scratch = _Scratch(chart_dir, original, check)
    try:
        healed = _heal_passes(
            scratch, _Pass(files=dict(original), report=first), max_attempts, targets, extra_fixer, versions
        )
    finally:
        scratch.close()
    write_changes(chart_dir, original, healed.files)
    return HealResult(
        chart_dir=str(chart_dir),
        attempts=healed.attempts,
        healed=healed.report.ok,
        improved=strictly_better(first, healed.report),
        errors_before=len(first.errors),
        before=actionable(first),
        remaining=actionable(healed.report),
        diff=unified_diff(original, healed.files),
        proposed_diff="" if healed.files != original else unified_diff(original, healed.proposed),
        rejected=[line for attempt in healed.attempts for line in attempt.rejected],
        findings=healed.report.findings,
    )
