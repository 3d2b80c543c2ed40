"""Gap questions: asked instead of guessed, keyed by plan path, answered like --set values."""

from __future__ import annotations

import pytest

from agents.plan import PlanError, PlanOutcome, Question, find_gaps, plan_request


def test_django_example_asks_only_for_the_secret_name() -> None:
    request = (
        "a django app on ghcr.io/acme/shop:1.4, port 8000, postgres via existing secret, 3 replicas, "
        "autoscale to 10, traefik host shop.example.com"
    )
    asked = plan_request(request)
    assert [q.key for q in asked.questions] == ["secret_refs[0].name"]
    assert "DATABASE_URL" in asked.questions[0].prompt
    plan = plan_request(request, answers={"secret_refs[0].name": "shop-db"}).plan
    assert plan is not None
    assert (plan.name, plan.replicas, plan.autoscaling.min_replicas, plan.autoscaling.max_replicas) == (
        "shop",
        3,
        3,
        10,
    )
    assert plan.exposure.kind == "ingressroute" and plan.exposure.hosts == ["shop.example.com"]
    assert plan.secret_refs[0].name == "shop-db"


def test_answers_and_sets_both_fill_gaps() -> None:
    via_set = plan_request("a cronjob on ghcr.io/acme/x:1", ["job.schedule=0 4 * * *"])
    via_answer = plan_request("a cronjob on ghcr.io/acme/x:1", answers={"job.schedule": "0 4 * * *"})
    assert via_set.plan == via_answer.plan


@pytest.mark.parametrize(
    ("data", "keys"),
    [
        ({}, ["image", "ports"]),
        ({"image": {"repository": "a/b"}, "ports": [{"name": "http"}]}, ["image.tag"]),
        ({"image": {"repository": "a/b", "tag": "1"}, "workload": "Job"}, []),
        (
            {"image": {"repository": "a/b", "tag": "1"}, "ports": [1], "exposure": {"kind": "ingressroute"}},
            ["exposure.hosts"],
        ),
        (
            {"image": {"repository": "a/b", "tag": "1"}, "ports": [1], "exposure": {"kind": "grpcroute"}},
            ["exposure.gateway_name"],
        ),
        ({"image": {"repository": "a/b", "tag": "1"}, "workload": "CronJob"}, ["job.schedule"]),
        (
            {
                "image": {"repository": "a/b", "tag": "1"},
                "ports": [1],
                "env": [{"name": "X", "secret": "", "key": "k"}],
            },
            ["env[0].secret"],
        ),
        (
            {"image": {"repository": "a/b", "tag": "1"}, "ports": [1], "migration": {"enabled": True}},
            ["migration.command"],
        ),
        ({"image": {"repository": "a/b", "tag": "1"}, "service": {"enabled": False}}, []),
    ],
)
def test_find_gaps_names_each_missing_fact(data: dict, keys: list[str]) -> None:
    assert [q.key for q in find_gaps(data)] == keys


def test_bad_answer_raises_plan_error_with_the_key() -> None:
    with pytest.raises(PlanError, match="ports"):
        plan_request("a django app", answers={"image": "ghcr.io/acme/x:1", "ports": "http"})
    with pytest.raises(PlanError, match="empty"):
        plan_request("a django app", answers={"image": "  "})
    with pytest.raises(PlanError, match="secret_refs\\[0\\].name"):
        plan_request(
            "django on ghcr.io/a/b:1 postgres via existing secret",
            answers={"secret_refs[0].name": "Bad_Name"},
        )


def test_outcome_holds_exactly_one_of_plan_or_questions() -> None:
    with pytest.raises(ValueError, match="either a plan or questions"):
        PlanOutcome()
    plan = plan_request("nginx").plan
    with pytest.raises(ValueError, match="either a plan or questions"):
        PlanOutcome(plan=plan, questions=[Question(key="image", prompt="Which?")])
