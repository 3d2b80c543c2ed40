"""Fixers against charts from the real generator: clean ones are left alone, faults touch one file."""

from __future__ import annotations

import pytest

from agents.chart import render_chart
from agents.heal import fix_findings
from agents.plan import plan_request
from bench.faults import FAULTS, fault_named, touched
from tests.agents.heal.conftest import CASES, recorded_findings

REQUESTS = [
    "nginx with 3 replicas behind an nginx ingress for www.example.com with tls issuer letsencrypt-prod",
    "a cronjob every 15 minutes on ghcr.io/acme/sync:1.2.0",
    "redis",
]


@pytest.fixture(scope="module")
def generated() -> list[dict[str, str]]:
    charts = []
    for request in REQUESTS:
        outcome = plan_request(request)
        assert outcome.plan is not None
        charts.append(render_chart(outcome.plan))
    return charts


def test_every_fixer_leaves_a_clean_generated_chart_alone(generated: list[dict[str, str]]) -> None:
    findings = [finding for case in CASES for finding in recorded_findings(case)]
    for files in generated:
        result = fix_findings(files, findings, ["1.33.0"])
        assert result.applied == [] and result.files == files


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.name)
def test_each_fault_touches_one_file_of_some_generated_chart(fault, generated: list[dict[str, str]]) -> None:
    applied = [(files, fault.apply(files)) for files in generated]
    broken = [(files, b) for files, b in applied if b is not None]
    assert broken, f"{fault.name} applies to none of {REQUESTS}"
    for files, b in broken:
        assert len(touched(files, b)) == 1


def test_unknown_fault_names_list_the_known_ones() -> None:
    with pytest.raises(KeyError, match="tab-in-template"):
        fault_named("no-such-fault")
