"""Dependencies and components from a request: what the parser reads and what the plan holds."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from agents.plan import PlanError, parse_request, plan_request
from agents.plan.catalog import load_catalog
from agents.plan.model import ChartPlan, ComponentPlan, DependencyPlan
from agents.plan.planner import dependency_chart_plan

IMAGE = {"registry": "ghcr.io", "repository": "acme/shop", "tag": "1.4"}
HTTP = [{"name": "http", "container_port": 8000}]


def _plan(request: str) -> ChartPlan:
    outcome = plan_request(request)
    assert outcome.plan is not None, [q.key for q in outcome.questions]
    return outcome.plan


@pytest.mark.parametrize(
    ("request_text", "app", "dependencies"),
    [
        ("wordpress with mysql", "wordpress", [("mysql", False)]),
        ("fastapi on ghcr.io/acme/x:1 port 8000 that needs a postgres database and a redis cache", "fastapi",
         [("postgres", False), ("redis", False)]),
        ("ghcr.io/acme/api:2 backed by mongodb", None, [("mongodb", False)]),
        ("go service ghcr.io/acme/q:3 that talks to rabbitmq, plus valkey", "go", [("rabbitmq", False), ("valkey", False)]),
        ("express app ghcr.io/acme/e:1 using an external postgres", "express", [("postgres", True)]),
        ("postgres with 20Gi storage", "postgres", []),
        ("redis cache with 2 replicas", "redis", []),
        ("redis-exporter", "redis-exporter", []),
    ],
)  # fmt: skip
def test_dependency_words_make_dependencies_not_the_subject(
    request_text: str, app: str | None, dependencies: list[tuple[str, bool]]
) -> None:
    facts = parse_request(request_text)
    assert facts.app == app
    assert [(d.app, d.existing) for d in facts.dependencies] == dependencies
    assert all(d.words for d in facts.dependencies)


@pytest.mark.parametrize(
    ("request_text", "components"),
    [
        ('django app on ghcr.io/acme/shop:1.4 port 8000 with a celery worker running "celery -A shop worker"',
         [("worker", ["celery", "-A", "shop", "worker"])]),
        ("rails app ghcr.io/acme/r:2 plus a sidekiq worker", [("worker", ["bundle", "exec", "sidekiq"])]),
        ("ghcr.io/acme/app:1 port 8080 and a worker component", [("worker", [])]),
        ("ghcr.io/acme/app:1 port 8080 with a celery worker and a celery beat",
         [("worker", ["celery", "worker"]), ("beat", ["celery", "beat"])]),
    ],
)  # fmt: skip
def test_worker_words_make_components(request_text: str, components: list[tuple[str, list[str]]]) -> None:
    facts = parse_request(request_text)
    assert [(c.name, c.command) for c in facts.components] == components
    assert facts.command == [], "the component's command is not the app's"


def test_catalog_app_brings_its_usual_dependency() -> None:
    plan = _plan("wordpress")
    assert plan.name == "wordpress"
    [dep] = plan.dependencies
    assert (dep.app, dep.bundled, dep.env["HOST"]) == ("mariadb", True, "WORDPRESS_DB_HOST")
    assert dep.subchart_env == {"MARIADB_DATABASE": "wordpress"}


def test_named_dependency_replaces_the_usual_one_of_the_same_kind() -> None:
    plan = _plan("wordpress with mysql")
    assert plan.name == "wordpress", "the subject stays WordPress"
    [dep] = plan.dependencies
    assert dep.app == "mysql"
    assert dep.env["PASSWORD"] == "WORDPRESS_DB_PASSWORD", "the app's env names are kept"
    assert dep.subchart_env == {"MYSQL_DATABASE": "wordpress"}, "the database is created by MySQL's variable"


def test_request_without_dependency_words_has_none() -> None:
    assert _plan("ghcr.io/acme/x:1 port 8000").dependencies == []


def test_existing_database_is_an_external_connection_not_a_subchart() -> None:
    plan = _plan("a django app on ghcr.io/acme/shop:1.4, port 8000, postgres via existing secret shop-db")
    assert [(d.app, d.existing_secret, d.bundled) for d in plan.dependencies] == [
        ("postgres", "shop-db", False)
    ]
    assert [(r.name, r.keys) for r in plan.secret_refs] == [("shop-db", ["DATABASE_URL"])]


def test_external_database_without_a_secret_name_is_asked() -> None:
    outcome = plan_request("fastapi ghcr.io/a/b:1 backed by an existing postgres")
    assert outcome.plan is None
    assert [q.key for q in outcome.questions] == ["secret_refs[0].name"]


def test_celery_worker_gets_exec_probes_and_a_longer_grace_period() -> None:
    plan = _plan(
        'django app on ghcr.io/acme/shop:1.4 port 8000 with a celery worker running "celery -A shop worker"'
    )
    [worker] = plan.components
    assert worker.command == ["celery", "-A", "shop", "worker"]
    assert worker.probes.liveness is not None and worker.probes.liveness.type == "exec"
    assert worker.probes.liveness != worker.probes.readiness
    assert worker.termination_grace_period_seconds > 30
    assert plan.ports and plan.service.enabled, "the web app keeps its port and Service"


def test_worker_without_a_known_health_check_is_reported() -> None:
    outcome = plan_request("rails app ghcr.io/acme/r:2 plus a sidekiq worker")
    assert any("component worker: no health check" in n for n in outcome.notes)


def test_every_catalog_dependency_plans_as_a_subchart() -> None:
    catalog = load_catalog()
    for app in catalog.connections:
        sub = dependency_chart_plan(app)
        assert sub.name == app and sub.catalog_app == app


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"components": [{"name": "Worker"}]}, "component name"),
        ({"components": [{"name": "worker"}, {"name": "worker"}]}, "must be unique"),
        ({"components": [{"name": "service"}]}, "values key of the chart itself"),
        ({"dependencies": [{"app": "postgres"}, {"app": "postgres"}]}, "must be unique"),
        ({"components": [{"name": "worker", "probes": {"liveness": {"type": "tcp"}}}]}, "one of its own ports"),
        ({"workload": "CronJob", "job": {"schedule": "@daily"}, "ports": [], "service": {"enabled": False},
          "components": [{"name": "worker"}]}, "beside a Deployment"),
    ],
)  # fmt: skip
def test_invalid_components_and_dependencies_are_refused(changes: dict[str, object], message: str) -> None:
    data = {"name": "shop", "image": IMAGE, "ports": HTTP, **changes}
    with pytest.raises(ValidationError, match=message):
        ChartPlan.model_validate(data)


def test_component_values_key_is_camel_case() -> None:
    assert ComponentPlan(name="celery-beat").values_key == "celeryBeat"
    assert DependencyPlan(app="postgres").bundled
    assert not DependencyPlan(app="postgres", existing_secret="db").bundled


def test_an_app_by_image_also_gets_one_connection_url_per_dependency() -> None:
    plan = _plan("fastapi on ghcr.io/acme/x:1 port 8000 that needs a postgres database and a redis cache")
    urls = {d.app: d.app_env for d in plan.dependencies}
    assert urls["postgres"]["DATABASE_URL"].startswith("postgresql://$(POSTGRES_USER):$(POSTGRES_PASSWORD)@")
    assert urls["redis"] == {"REDIS_URL": "redis://$(REDIS_HOST):$(REDIS_PORT)/0"}


def test_a_runtime_reading_a_jdbc_url_gets_only_the_separate_settings() -> None:
    plan = _plan("spring boot app ghcr.io/acme/s:1 port 8080 with mysql")
    assert [(d.app, d.app_env) for d in plan.dependencies] == [("mysql", {})]


def test_an_existing_database_replaces_the_catalog_apps_bundled_one() -> None:
    outcome = plan_request("gitea with an existing postgres via secret gitea-db")
    assert outcome.plan is not None
    assert [(d.app, d.existing_secret) for d in outcome.plan.dependencies] == [("postgres", "gitea-db")]
    assert any("instead of a bundled subchart" in n for n in outcome.notes)
    env = {v.name: (v.secret, v.key) for v in outcome.plan.env if v.secret}
    assert env == {
        "GITEA__database__HOST": ("gitea-db", "host"),
        "POSTGRES_PORT": ("gitea-db", "port"),
        "GITEA__database__USER": ("gitea-db", "username"),
        "GITEA__database__PASSWD": ("gitea-db", "password"),
    }, "gitea reads its own settings, not a DATABASE_URL"
    assert outcome.plan.secret_refs == []
    assert not any("is bundled" in n or "DATABASE_URL" in n for n in outcome.notes)


def test_a_dependency_the_catalog_cannot_wire_is_refused() -> None:
    with pytest.raises(ValidationError, match="not a service the catalog can wire"):
        DependencyPlan(app="wordpress")


def test_sets_add_dependencies_and_components_and_are_validated() -> None:
    sets = ["dependencies[0].app=redis", "components[0].name=worker", "components[0].command[0]=rq"]
    plan = plan_request("ghcr.io/acme/b:1 port 8000", sets=sets).plan
    assert plan is not None
    assert [d.app for d in plan.dependencies] == ["redis"] and plan.components[0].command == ["rq"]
    with pytest.raises(PlanError, match="not a service the catalog can wire"):
        plan_request("ghcr.io/acme/b:1 port 8000", sets=["dependencies[0].app=wordpress"])
