"""The benchmark's CI-log mode: every fault class has a tool log the parsers read, and a cronjob chart heals from it."""

from __future__ import annotations

import pytest
import yaml

from agents.chart import render_chart
from agents.heal.ci_logs import findings_from_log
from agents.heal.ci_logs.locate import localise
from agents.plan import plan_request
from bench.faults import FAULTS, Fault
from bench.selfheal import CI_ONLY_FAULT, RUNTIME_FAULT, ci_log_for, format_ci_table, run_ci_logs

SERVING = "nginx with 3 replicas behind an nginx ingress for www.example.com with tls issuer letsencrypt-prod"
CRONJOB = "a cronjob every 15 minutes on ghcr.io/acme/sync:1.2.0"


def _chart(request: str) -> dict[str, str]:
    outcome = plan_request(request)
    assert outcome.plan is not None
    return render_chart(outcome.plan)


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.name)
def test_each_fault_class_has_a_ci_log_that_names_this_chart(fault: Fault) -> None:
    files = _chart(CRONJOB if fault.name == "cronjob-batch-v1beta1" else SERVING)
    name = yaml.safe_load(files["Chart.yaml"])["name"]
    broken = fault.apply(files)
    assert broken is not None
    log = ci_log_for(fault.name, files, broken, name)
    assert log is not None and "##[error]" in log
    found = localise(findings_from_log(log)[1], f"charts/{name}")
    assert found and all(f.kind == "chart" for f in found)


def test_runtime_and_ci_only_cases_are_logged_as_such() -> None:
    files = _chart(SERVING)
    name = yaml.safe_load(files["Chart.yaml"])["name"]
    runtime = findings_from_log(ci_log_for(RUNTIME_FAULT, files, files, name) or "")[1]
    assert {f.kind for f in runtime} == {"runtime"}
    bump = findings_from_log(ci_log_for(CI_ONLY_FAULT, files, files, name) or "")[1]
    assert [f.finding.rule_id for f in bump] == ["ct/version-bump"]


def test_a_small_ci_log_run_heals_and_never_edits_for_a_runtime_failure() -> None:
    faults = [f for f in FAULTS if f.name in ("cronjob-batch-v1beta1", "replicas-string")]
    tallies = run_ci_logs([("cronjob", _chart(CRONJOB))], faults, "none", ["1.33.0"])
    assert tallies["cronjob-batch-v1beta1"].healed == tallies["cronjob-batch-v1beta1"].faulted == 1
    assert tallies[CI_ONLY_FAULT].healed == 1
    assert tallies[RUNTIME_FAULT].faulted == 1 and tallies[RUNTIME_FAULT].edited_runtime == 0
    assert "overall CI-log heal rate" in format_ci_table(tallies, "none")
