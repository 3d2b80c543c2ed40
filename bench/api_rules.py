"""Findings of the API server's rules on the generated corpus, per rule, with where they come from.

    .venv/bin/python -m bench.api_rules            # every catalog app and corpus request
    .venv/bin/python -m bench.api_rules --limit 5  # a quick look
    .venv/bin/python -m bench.api_rules --details  # also every finding: case, values file, location

Each corpus chart is planned, generated and validated with its default values, every
ci/*-values.yaml file and the 53-character release render (security scans off: they do not
change these rules' findings). Generated charts should end at zero findings.

It also prints what these rules cost per chart: the CPU time of their checks over every render
of the chart, and the wall time of the extra render as a 53-character release.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from agents.chart import render_chart, write_chart
from agents.validate import Finding, HelmEngine, ValidationReport, get_engine, validate_chart
from agents.validate.manifests import parse_manifests
from agents.validate.rules import RULES, ChartFacts, RuleInput
from agents.validate.rules.contract import LONG_RELEASE_NAME
from bench.corpus import corpus_cases, plan_case

# the API server's own rules: what its OpenAPI schemas accept and it still refuses
API_SERVER_RULES = tuple(r.id for r in RULES if r.family == "apiserver") + ("wiring/statefulset-service",)


def rules_cpu_seconds(report: ValidationReport, chart_dir: Path) -> float:
    """CPU time of the API server's rules over every render of a validated chart (parsing excluded)."""
    facts = ChartFacts(chart_dir, report.kube_versions, {})
    checks = [r.check for r in RULES if r.id in API_SERVER_RULES]
    given = [RuleInput(parse_manifests(v, m).objects, facts, v) for v, m in report.rendered.items()]
    start = time.process_time()
    for one in given:
        for check in checks:
            list(check(one))
    return time.process_time() - start


def long_release_render_seconds(helm: HelmEngine, chart_dir: Path) -> float:
    start = time.perf_counter()
    helm.render(chart_dir, None, release_name=LONG_RELEASE_NAME)
    return time.perf_counter() - start


def api_findings(
    request: str, sets: list[str], workdir: Path, helm: HelmEngine
) -> tuple[list[Finding], float, float]:
    """The API-server-rule findings of one corpus chart over every render, and their cost."""
    plan = plan_case(request, sets)
    chart_dir = workdir / plan.name
    write_chart(render_chart(plan), chart_dir)
    report = validate_chart(chart_dir, security=False, checkov=False, engine=helm)
    found = [f for f in report.findings if f.rule_id in API_SERVER_RULES]
    return found, rules_cpu_seconds(report, chart_dir), long_release_render_seconds(helm, chart_dir)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit", type=int, default=None, help="only the first N corpus cases")
    parser.add_argument("--details", action="store_true", help="print every finding")
    args = parser.parse_args(argv)

    cases = corpus_cases()[: args.limit]
    per_rule: Counter[str] = Counter()
    per_case: dict[str, list[Finding]] = {}
    rules_ms: list[float] = []
    render_ms: list[float] = []
    helm = get_engine()
    with tempfile.TemporaryDirectory() as tmp:
        for n, (case_id, request, sets) in enumerate(cases):
            found, rules_cpu, render_wall = api_findings(request, sets, Path(tmp) / str(n), helm)
            rules_ms.append(rules_cpu * 1000)
            render_ms.append(render_wall * 1000)
            per_rule.update(f.rule_id for f in found)
            if found:
                per_case[case_id] = found

    print(f"charts: {len(cases)}  with findings: {len(per_case)}  findings: {sum(per_rule.values())}")
    print(
        f"cost per chart: rule checks over all renders median {statistics.median(rules_ms):.1f} ms CPU "
        f"(max {max(rules_ms):.1f}); render as a 53-character release median "
        f"{statistics.median(render_ms):.1f} ms wall (runs in a Helm thread)"
    )
    for rule_id in API_SERVER_RULES:
        print(f"  {rule_id:<40} {per_rule[rule_id]}")
    for case_id, found in per_case.items():
        summary = Counter(f"{f.rule_id} [{f.values_file or '-'}]" for f in found)
        print(f"{case_id}: " + ", ".join(f"{key} x{count}" for key, count in sorted(summary.items())))
        if args.details:
            for f in found:
                print(f"    {f.location} [{f.values_file}] {f.severity.value}: {f.message}")
    return 0 if not per_case else 1


if __name__ == "__main__":
    sys.exit(main())
