"""Every corpus request plans to its expected facts; every needs-answers request asks, then completes."""

from __future__ import annotations

import pytest

from agents.plan import plan_request
from tests.agents.plan.corpus import load, plan_value

FULL = load("requests")
NEEDS_ANSWERS = load("needs_answers")


@pytest.mark.parametrize("case", FULL, ids=[c["id"] for c in FULL])
def test_request_plans_fully_to_expected_facts(case: dict) -> None:
    outcome = plan_request(case["request"], case.get("sets", []))
    assert outcome.questions == [], [q.key for q in outcome.questions]
    assert outcome.plan is not None
    for path, expected in case["expect"].items():
        assert plan_value(outcome.plan, path) == expected, path


def test_corpus_covers_every_workload_and_exposure_kind() -> None:
    workloads = {c["expect"]["workload"] for c in FULL}
    exposures = {plan_request(c["request"], c.get("sets", [])).plan.exposure.kind for c in FULL}  # type: ignore[union-attr]
    assert workloads == {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"}
    assert exposures == {"none", "ingress", "ingressroute", "httproute", "grpcroute"}
    assert len(FULL) >= 24


@pytest.mark.parametrize("case", NEEDS_ANSWERS, ids=[c["id"] for c in NEEDS_ANSWERS])
def test_request_asks_then_answers_complete_it(case: dict) -> None:
    asked = plan_request(case["request"])
    assert asked.plan is None
    assert [q.key for q in asked.questions] == case["questions"]
    assert all(q.prompt.endswith("?") for q in asked.questions)
    answered = plan_request(case["request"], answers=case["answers"])
    assert answered.plan is not None, [q.key for q in answered.questions]
    for path, expected in case["expect"].items():
        assert plan_value(answered.plan, path) == expected, path
