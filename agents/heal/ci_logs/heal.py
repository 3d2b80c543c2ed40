"""Heal a chart from what CI reported, then from what our own validator sees.

CI findings go to the fixers first (the CI-only ones, then the validator's); with a model, what
no fixer changed goes to the LLM fixer once. That pass is kept only when it resolves a CI finding
(re-checked as far as it can be without CI) and our validator sees no finding it did not see
before (else it is undone whole); then the usual `heal_chart` loop runs. Runtime
findings are never edited for: they come back in `runtime` to be explained to a person.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import yaml
from langchain_core.language_models import BaseChatModel
from pydantic import Field

from agents.heal import route
from agents.heal.chart_files import read_chart_files, unified_diff, write_changes
from agents.heal.ci_logs.fixers import CHART_FILE, CI_FIXERS
from agents.heal.ci_logs.model import CiFinding
from agents.heal.fixers import FIXERS
from agents.heal.llm_fixer import as_extra_fixer, fix_with_llm
from agents.heal.loop import Validator, heal_chart
from agents.heal.model import ChartFiles, HealAttempt, HealResult
from agents.heal.verify import actionable, is_blocking, judge, new_findings
from agents.validate.finding import Finding, ValidationReport

MAX_EVIDENCE_CHARS = 600  # CI lines handed to the model per finding, as data
VERSION_BUMP_RULE = "ct/version-bump"


class CiHealResult(HealResult):
    """`HealResult` as our validator sees the chart after the heal, plus what became of each CI finding.

    CI findings left unfixed are not in `remaining`: the caller explains them with CI's own lines
    (a validator escalation listing them would say less, and say it twice).
    """

    ci_fixed: list[CiFinding] = Field(default_factory=list)
    ci_left: list[CiFinding] = Field(default_factory=list)
    runtime: list[CiFinding] = Field(default_factory=list)
    rolled_back: list[str] = Field(default_factory=list)


def _for_model(ci: CiFinding) -> Finding:
    """The finding with the CI lines that report it attached (JSON-quoted in the prompt: data)."""
    lines = " | ".join(ci.evidence)[:MAX_EVIDENCE_CHARS]
    return ci.finding.model_copy(update={"hint": f"{ci.finding.hint}; CI printed: {lines}"})


def _no_worse(before: ValidationReport, after: ValidationReport) -> bool:
    """No validator finding the chart did not have (one a fixed parse error revealed is allowed)."""
    old = ValidationReport(chart_dir="", findings=before.findings)
    new = ValidationReport(chart_dir="", findings=after.findings)
    return not new_findings(old, new) or judge(old, new, actionable(old.findings)).kept


def _chart_version(files: ChartFiles) -> str | None:
    try:
        meta = yaml.safe_load(files.get(CHART_FILE, "")) or {}
    except yaml.YAMLError:
        return None
    return str(meta["version"]) if isinstance(meta, dict) and "version" in meta else None


def _resolved(ci: CiFinding, original: ChartFiles, files: ChartFiles, after: ValidationReport) -> bool:
    """Re-check a CI finding the way it can be here: CI is not re-run, so a fixer's word is not enough.

    A version bump is resolved when the version now differs from the one CI saw; a file CI could not
    parse or render, when our validator no longer fails to parse or render it."""
    if ci.finding.rule_id == VERSION_BUMP_RULE:
        return _chart_version(files) not in (None, _chart_version(original))
    if ci.finding.file:
        return not any(is_blocking(f) and f.file == ci.finding.file for f in after.errors)
    return True


def heal_from_ci(
    chart_dir: Path,
    ci_findings: Sequence[CiFinding],
    kube_versions: Sequence[str] | None = None,
    max_attempts: int = 3,
    model: BaseChatModel | None = None,
    validator_loop: bool = True,
    validate: Validator | None = None,
) -> CiHealResult:
    """Heal `chart_dir` in place from CI's findings, then from the validator's; see the module docstring.

    `model` should come metered (`agents.llm.metered`): this function may call it once for the CI
    findings and again inside `heal_chart`, and the budget decides how many calls really happen.
    With `validator_loop=False` only CI's findings drive the heal (the benchmark's CI-log mode).
    `validate` (default: `validate_chart` on the versions) sets the policy the chart is judged by.
    """
    from agents.validate import default_kube_versions, validate_chart

    chart_dir = Path(chart_dir)
    versions = list(kube_versions) if kube_versions else list(default_kube_versions())
    check: Validator = validate or (lambda path: validate_chart(path, versions))
    original = read_chart_files(chart_dir)
    chart_ci = [c for c in ci_findings if c.kind == "chart"]
    runtime = [c for c in ci_findings if c.kind == "runtime"]
    before = check(chart_dir)
    files = dict(original)
    applied: list[str] = []
    fixed: list[CiFinding] = []
    for fixer, mine in route([c.finding for c in chart_ci], [*CI_FIXERS, *FIXERS]):
        outcome = fixer.fix(files, mine, versions)
        if outcome.files != files:
            files = outcome.files
            applied += [f"[{fixer.name}] {change}" for change in outcome.changes]
            fixed += [c for c in chart_ci if c.finding in mine and c not in fixed]
    left = [c for c in chart_ci if c not in fixed]
    rejected: list[str] = []
    if left and model is not None:
        answer = fix_with_llm(model, files, [_for_model(c) for c in left])
        rejected += answer.rejected
        if answer.files != files:
            files = answer.files
            applied += answer.applied
            fixed, left = fixed + left, []
    attempts: list[HealAttempt] = []
    if files != original:
        write_changes(chart_dir, original, files)
        after = check(chart_dir)
        fixed = [c for c in fixed if _resolved(c, original, files, after)]
        left = [c for c in chart_ci if c not in fixed]
        if not fixed:  # nothing CI reported is gone: a pass that does not improve is undone
            write_changes(chart_dir, files, original)
            rejected.append("undid the CI-driven edits: none of CI's findings is resolved by them")
        elif _no_worse(before, after):
            attempts.append(
                HealAttempt(
                    number=1,
                    errors_before=len(before.errors),
                    errors_after=len(after.errors),
                    applied=applied,
                    progressed=True,
                )
            )
        else:
            write_changes(chart_dir, files, original)  # the CI pass made the chart worse: undo all of it
            rejected.append(
                f"undid the CI-driven edits: they added validation findings ({len(after.errors)} "
                f"error(s) after, {len(before.errors)} before)"
            )
            left, fixed = chart_ci, []
    if validator_loop:
        own = heal_chart(
            chart_dir,
            versions,
            max_attempts=max_attempts,
            extra_fixer=as_extra_fixer(model) if model is not None else None,
            validate=check,
        )
    else:
        own = HealResult(chart_dir=str(chart_dir), healed=True)
    for attempt in own.attempts:
        attempts.append(attempt.model_copy(update={"number": len(attempts) + 1}))
    final = read_chart_files(chart_dir)
    # worth a commit: CI's own findings fixed without a new validator error, or the loop improved
    ci_pass_kept = bool(fixed) and bool(attempts)
    return CiHealResult(
        chart_dir=str(chart_dir),
        attempts=attempts,
        healed=own.healed,
        improved=final != original and (ci_pass_kept or own.improved),
        errors_before=len(before.errors),
        before=[f for f in before.findings if f.severity != "info"],
        remaining=own.remaining,
        diff=unified_diff(original, final),
        proposed_diff=own.proposed_diff,
        ci_fixed=fixed,
        ci_left=left,
        runtime=runtime,
        rolled_back=rejected,
    )
