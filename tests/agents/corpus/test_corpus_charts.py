"""Acceptance for the chart engine: every catalog app and every corpus request yields a chart that is
lint-clean in strict mode, renders with default and full values, is schema-valid on every default
Kubernetes version, meets the restricted Pod Security Standard and fails no security/wiring check."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.chart import render_chart, write_chart
from agents.validate import default_kube_versions, validate_chart
from agents.validate.finding import Severity
from bench.corpus import corpus_cases, load_requests, plan_case

CASES = corpus_cases()


def test_corpus_is_large_enough_and_covers_every_kind() -> None:
    requests = load_requests()
    assert len(CASES) - len(requests) >= 60, "at least 60 catalog apps"
    assert len(requests) >= 20, "at least 20 free-text requests"
    plans = [plan_case(r.request, r.sets) for r in requests]
    assert {p.workload for p in plans} == {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"}
    assert {p.exposure.kind for p in plans} == {"none", "ingress", "ingressroute", "httproute", "grpcroute"}


@pytest.mark.parametrize(("case_id", "request_text", "sets"), CASES, ids=[c[0] for c in CASES])
def test_corpus_chart_is_valid(case_id: str, request_text: str, sets: list[str], tmp_path: Path) -> None:
    plan = plan_case(request_text, sets)
    chart_dir = tmp_path / plan.name
    write_chart(render_chart(plan), chart_dir)
    report = validate_chart(chart_dir)

    assert report.kube_versions == default_kube_versions()
    rendered = set(report.rendered)
    assert "values.yaml" in rendered and any(name.startswith("ci/") for name in rendered), rendered
    errors = [f"{f.location} [{f.rule_id}] {f.message}" for f in report.errors]
    assert not errors, "\n".join(errors)
    # On default values, no security or wiring rule may even warn (info-level opinions are allowed).
    default_warnings = [
        f"{f.location} [{f.rule_id}] {f.message}"
        for f in report.findings
        if f.severity == Severity.WARNING and f.values_file in (None, "values.yaml")
    ]
    assert not default_warnings, "\n".join(default_warnings)
