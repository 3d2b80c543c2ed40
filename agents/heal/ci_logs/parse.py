"""Every tool parser, listed explicitly, and the one call that runs them over a log."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from agents.heal.ci_logs import chart_testing, helm, kubeconform, runtime, scanners
from agents.heal.ci_logs.log_lines import failing_step_lines
from agents.heal.ci_logs.model import CiFinding

Parser = Callable[[Sequence[str]], list[CiFinding]]

PARSERS: dict[str, Parser] = {
    "helm lint / helm template": helm.parse,
    "ct lint / yamllint": chart_testing.parse,
    "kubeconform / kubeval": kubeconform.parse,
    "helm install / ct install / helm test": runtime.parse,
    "checkov": scanners.parse_checkov,
    "kube-linter": scanners.parse_kube_linter,
    "polaris": scanners.parse_polaris,
}


def findings_from_lines(lines: Sequence[str]) -> list[CiFinding]:
    """Every parser over the same lines; a finding two tools report alike is kept once."""
    found: list[CiFinding] = []
    seen: set[tuple[str, str | None, int | None, str]] = set()
    for parse in PARSERS.values():
        for ci in parse(lines):
            key = (ci.finding.rule_id, ci.finding.file, ci.finding.line, ci.finding.message)
            if key not in seen:
                seen.add(key)
                found.append(ci)
    return found


def findings_from_log(log: str) -> tuple[list[str], list[CiFinding]]:
    """(the failing step's lines, what they say) for a raw Actions job log or any tool transcript."""
    lines = failing_step_lines(log)
    return lines, findings_from_lines(lines)
