"""The subject is the workload: what it talks to is a dependency, a worker serves no traffic."""

from __future__ import annotations

import pytest

from agents.plan import parse_request, plan_request

WORKER = "a worker that consumes from rabbitmq, image ghcr.io/acme/worker:2.3, no service"
WORDPRESS = "wordpress with mysql"
FASTAPI = (
    "a python fastapi service on ghcr.io/acme/x:1 port 8000 that needs a postgres database and a redis cache"
)


def test_a_worker_consuming_from_rabbitmq_is_a_worker_chart_not_a_broker() -> None:
    outcome = plan_request(WORKER)
    plan = outcome.plan
    assert plan is not None
    assert (plan.name, plan.catalog_app) == ("worker", None)
    assert plan.image.reference == "ghcr.io/acme/worker:2.3"
    assert plan.service.enabled is False and plan.ports == []
    assert plan.probes.liveness is None and plan.probes.readiness is None
    assert plan.persistence.enabled is False
    assert (
        plan.lifecycle.termination_grace_period_seconds is not None
        and plan.lifecycle.termination_grace_period_seconds > 30
    )
    # the broker it consumes from is bundled as a dependency chart, so nothing is left undone
    assert [d.app for d in plan.dependencies] == ["rabbitmq"]
    assert outcome.not_done == []


def test_wordpress_with_mysql_keeps_wordpress_as_the_subject() -> None:
    facts = parse_request(WORDPRESS)
    assert facts.app != "mysql"
    assert [d.app for d in facts.dependencies] == ["mysql"]
    outcome = plan_request(WORDPRESS)
    if outcome.plan is not None:  # once the catalog knows WordPress
        assert outcome.plan.catalog_app == "wordpress"
        plan = outcome.plan
    else:
        assert "image" in [q.key for q in outcome.questions]
        answered = plan_request(WORDPRESS, answers={"image": "wordpress:6.6", "ports": "8080"})
        assert answered.plan is not None and answered.plan.name == "wordpress"
        assert answered.plan.catalog_app is None
        plan = answered.plan
    assert [d.app for d in plan.dependencies] == ["mysql"], "mysql is bundled, not the subject"
    assert "with mysql" not in [n.words for n in outcome.not_done]


def test_fastapi_needing_postgres_and_redis_bundles_both_dependencies() -> None:
    outcome = plan_request(FASTAPI)
    assert outcome.plan is not None
    assert outcome.plan.catalog_app == "fastapi"
    assert [p.container_port for p in outcome.plan.ports] == [8000]
    facts = parse_request(FASTAPI)
    assert [(d.app, d.existing) for d in facts.dependencies] == [("postgres", False), ("redis", False)]
    assert [d.app for d in outcome.plan.dependencies] == ["postgres", "redis"], "both bundled as subcharts"
    assert outcome.not_done == []


@pytest.mark.parametrize(
    ("text", "app", "dependencies"),
    [
        ("use postgres with 10Gi storage", "postgres", []),
        ("a postgresql database", "postgres", []),
        ("redis cache with 2 replicas", "redis", []),
        ("grafana with prometheus metrics", "grafana", []),
        ("nginx talks to redis", "nginx", [("redis", False, None)]),
        ("an app on ghcr.io/acme/a:1 backed by mongodb", None, [("mongodb", False, None)]),
        ("ghcr.io/acme/a:1 connects to an existing postgres", None, [("postgres", True, None)]),
        (
            "ghcr.io/acme/a:1 needs postgres via existing secret shop-db",
            None,
            [("postgres", True, "shop-db")],
        ),
        ("a rabbitmq consumer on ghcr.io/acme/c:1", None, [("rabbitmq", False, None)]),
        (
            "ghcr.io/acme/a:1 using kafka, redis and an external mysql",
            None,
            [("kafka", False, None), ("redis", False, None), ("mysql", True, None)],
        ),
    ],
)
def test_connection_words_make_dependencies_not_the_app(
    text: str, app: str | None, dependencies: list[tuple[str, bool, str | None]]
) -> None:
    facts = parse_request(text)
    assert facts.app == app
    assert [(d.app, d.existing, d.secret) for d in facts.dependencies] == dependencies
    assert all(d.words and d.words in text and d.words[0].isalnum() for d in facts.dependencies)


def test_an_existing_dependency_with_a_secret_is_wired_not_reported() -> None:
    outcome = plan_request("ghcr.io/acme/a:1 port 8080 needs postgres via existing secret shop-db")
    assert outcome.plan is not None
    assert [r.name for r in outcome.plan.secret_refs] == ["shop-db"]
    assert outcome.not_done == []


def test_an_existing_dependency_without_a_secret_is_asked_about() -> None:
    outcome = plan_request("ghcr.io/acme/a:1 port 8080 talks to our existing redis")
    assert [q.key for q in outcome.questions] == ["secret_refs[0].name"]
    assert outcome.not_done == []


@pytest.mark.parametrize(
    "text",
    [
        "a background worker on ghcr.io/acme/jobs:1.0",
        "queue consumer ghcr.io/acme/jobs:1.0",
        "ghcr.io/acme/jobs:1.0 without a service",
        "ghcr.io/acme/jobs:1.0, runs in the background",
    ],
)
def test_worker_words_mean_no_service_no_ports_no_http_probes(text: str) -> None:
    outcome = plan_request(text)
    assert outcome.plan is not None, [q.key for q in outcome.questions]
    assert outcome.plan.service.enabled is False and outcome.plan.ports == []
    probes = outcome.plan.probes
    assert all(p is None or p.type == "exec" for p in (probes.liveness, probes.readiness, probes.startup))
    assert outcome.not_done == []


def test_a_stated_grace_period_wins_over_the_worker_default() -> None:
    outcome = plan_request("a worker on ghcr.io/acme/jobs:1.0 with a grace period of 2 minutes")
    assert outcome.plan is not None
    assert outcome.plan.lifecycle.termination_grace_period_seconds == 120


def test_worker_nodes_are_not_a_worker() -> None:
    facts = parse_request("fluent-bit on all worker nodes")
    assert facts.worker is False and facts.workload == "DaemonSet"


def test_a_worker_next_to_a_route_is_a_second_component_not_a_gap() -> None:
    outcome = plan_request("ghcr.io/acme/shop:1 port 8000 on shop.example.com with a celery worker")
    assert outcome.plan is not None and outcome.plan.service.enabled
    assert [c.name for c in outcome.plan.components] == ["worker"]
    assert not any("worker" in n.words for n in outcome.not_done)
