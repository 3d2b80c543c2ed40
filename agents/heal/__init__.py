"""Deterministic self-heal: route validator findings to the fixer of their fault family.

`fix_findings` is one unverified pass (what each fixer proposes); `agents.heal.loop.heal_chart`
is the one heal loop (graph, CLI and bot alike): verified passes until the chart is clean, stops
improving, or the attempt bound is reached.
"""

from __future__ import annotations

from collections.abc import Sequence

from agents.heal.fixers import FIXERS, Fixer
from agents.heal.model import ChartFiles, FixResult, HealAttempt, HealResult
from agents.validate.finding import Finding


def route(findings: Sequence[Finding], fixers: Sequence[Fixer] = FIXERS) -> list[tuple[Fixer, list[Finding]]]:
    """Each fixer with the findings it answers, in pass order; fixers with none are left out."""
    routed = []
    for fixer in fixers:
        mine = [f for f in findings if fixer.handles(f)]
        if mine:
            routed.append((fixer, mine))
    return routed


def fix_findings(files: ChartFiles, findings: list[Finding], kube_versions: Sequence[str]) -> FixResult:
    """One deterministic pass: every fixer whose findings are present edits the in-memory chart."""
    current = dict(files)
    applied: list[str] = []
    for fixer, mine in route(findings):
        outcome = fixer.fix(current, mine, kube_versions)
        if outcome.files != current:
            current = outcome.files
            applied += [f"[{fixer.name}] {change}" for change in outcome.changes]
    return FixResult(files=current, applied=applied)


__all__ = ["ChartFiles", "FixResult", "HealAttempt", "HealResult", "fix_findings", "route"]
