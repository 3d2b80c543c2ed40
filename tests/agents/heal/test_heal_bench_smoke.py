"""A small run of the self-heal benchmark: two corpus charts × every fault class, no LLM."""

from __future__ import annotations

import pytest

from agents.chart import render_chart
from agents.plan import plan_request
from bench.faults import FAULTS, Fault
from bench.selfheal import Tally, collateral_edits, format_table, overall_rate, run

KUBE = ["1.33.0"]
# one serving chart with Ingress + HPA + PDB, one CronJob chart: between them every fault applies
REQUESTS = [
    "nginx with 3 replicas behind an nginx ingress for www.example.com with tls issuer letsencrypt-prod",
    "a cronjob every 15 minutes on ghcr.io/acme/sync:1.2.0",
]
# faults the validator reports as warnings only: `fix` leaves a chart with no error alone
WARNINGS_ONLY = {"readiness-probe-removed", "resources-removed"}


@pytest.fixture(scope="module")
def charts() -> list[tuple[str, dict[str, str]]]:
    rendered = []
    for request in REQUESTS:
        outcome = plan_request(request)
        assert outcome.plan is not None, f"corpus request needs answers now: {outcome.questions}"
        rendered.append((request, render_chart(outcome.plan)))
    return rendered


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.name)
def test_every_fault_is_healed_without_collateral_edits(
    fault: Fault, charts: list[tuple[str, dict[str, str]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHECKOV_PARALLELIZATION_TYPE", "none")
    tallies = run(charts, [fault], KUBE)
    tally = tallies[fault.name]
    assert tally.faulted >= 1, f"{fault.name} applies to neither smoke chart"
    if fault.name in WARNINGS_ONLY:
        assert tally.detected == 0 and tally.collateral == 0, format_table(tallies)
        return
    assert tally.detected >= 1, f"the validator missed {fault.name}:\n{format_table(tallies)}"
    assert overall_rate(tallies) >= 0.95, format_table(tallies)
    assert tally.collateral == 0, format_table(tallies)


def test_collateral_check_flags_edits_outside_the_fault() -> None:
    original = {"values.yaml": "a: 1\nb: 2\nc: 3\n", "Chart.yaml": "name: x\n"}
    faulted = {**original, "values.yaml": "a: 1\nb: two\nc: 3\n"}
    assert collateral_edits(original, faulted, original) == []
    assert collateral_edits(original, faulted, {**original, "values.yaml": "a: 1\nb: 2\nc: 4\n"}) == [
        "values.yaml: lines [3] changed outside the fault"
    ]
    assert collateral_edits(original, faulted, {**original, "Chart.yaml": "name: y\n"}) == [
        "Chart.yaml: changed though the fault did not touch it"
    ]


def test_table_reports_the_overall_rate() -> None:
    tallies = {
        "a": Tally(faulted=2, detected=2, healed=2, attempts=2),
        "b": Tally(faulted=1, detected=1, healed=0),
    }
    table = format_table(tallies)
    assert "overall heal rate 66.7 % (2/3 detected faults" in table
    assert overall_rate(tallies) == pytest.approx(2 / 3)
