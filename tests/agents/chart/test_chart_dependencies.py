"""Dependencies: the catalog chart bundled under charts/, declared, locked, rendered with the app and wired to it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import helm_python
import pytest
import yaml

from agents.chart import render_chart
from agents.plan import plan_request
from agents.plan.catalog import load_catalog
from agents.plan.model import ChartPlan
from agents.validate import validate_chart
from agents.validate.finding import Severity
from tests.agents.chart.chart_render_checks import KUBE_VERSIONS, lint_problems, only, schema_errors, write

RELEASE = "shop"


def _plan(**changes: Any) -> ChartPlan:
    data: dict[str, Any] = {
        "name": "shop",
        "image": {"registry": "ghcr.io", "repository": "acme/shop", "tag": "1.4"},
        "ports": [{"name": "http", "container_port": 8000, "app_protocol": "http"}],
        "probes": {
            "liveness": {"type": "tcp", "port": "http", "period_seconds": 20},
            "readiness": {"type": "http", "port": "http", "path": "/healthz", "period_seconds": 5},
        },
        "dependencies": [{"app": "postgres"}, {"app": "redis"}],
        **changes,
    }
    return ChartPlan.model_validate(data)


def _render(
    chart_dir: Path, values: dict[str, Any] | None = None, release: str = RELEASE
) -> dict[str, list[dict]]:
    """Rendered objects by template path (the chart-name prefix dropped)."""
    rendered = helm_python.Chart.load(str(chart_dir)).render(values or {}, name=release)
    out: dict[str, list[dict[str, Any]]] = {}
    for name, text in sorted(rendered.items()):
        if not name.endswith("NOTES.txt"):
            out[name.split("/", 1)[1]] = [d for d in yaml.safe_load_all(text) if d]
    return out


def _all(rendered: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return [doc for docs in rendered.values() for doc in docs]


def _env(deployment: dict[str, Any]) -> dict[str, Any]:
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])}


@pytest.fixture
def chart_dir(tmp_path: Path) -> Path:
    return write(_plan(), tmp_path)


def test_dependency_is_generated_as_a_subchart_and_declared(chart_dir: Path) -> None:
    files = render_chart(_plan())
    assert files["charts/postgres/Chart.yaml"] == render_chart(plan_request("postgres").plan)["Chart.yaml"]  # type: ignore[arg-type]
    assert (
        "charts/postgres/templates/statefulset.yaml" in files and "charts/redis/values.schema.json" in files
    )
    meta = yaml.safe_load((chart_dir / "Chart.yaml").read_text())
    assert meta["dependencies"] == [
        {
            "name": "postgres",
            "version": "0.1.0",
            "repository": "file://charts/postgres",
            "condition": "postgres.enabled",
        },
        {
            "name": "redis",
            "version": "0.1.0",
            "repository": "file://charts/redis",
            "condition": "redis.enabled",
        },
    ]
    lock = yaml.safe_load((chart_dir / "Chart.lock").read_text())
    assert [d["name"] for d in lock["dependencies"]] == ["postgres", "redis"]
    assert lock["digest"].startswith("sha256:")


def test_chart_lock_matches_chart_yaml_as_helm_checks_it(chart_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(chart_dir, copy)
    helm_python.dependency_build(copy)  # refuses a Chart.lock whose digest does not match Chart.yaml
    assert (copy / "charts" / "postgres-0.1.0.tgz").exists()
    lock = copy / "Chart.lock"
    lock.write_text(lock.read_text().replace("sha256:", "sha256:0"))
    with pytest.raises(helm_python.HelmError, match="out of sync"):
        helm_python.dependency_build(copy)


def test_umbrella_renders_its_subcharts_and_their_condition_switches_them_off(chart_dir: Path) -> None:
    rendered = _render(chart_dir)
    assert only(rendered["charts/postgres/templates/statefulset.yaml"], "StatefulSet")["metadata"][
        "name"
    ] == ("shop-postgres")
    assert (
        only(rendered["charts/redis/templates/deployment.yaml"], "Deployment")["metadata"]["name"]
        == "shop-redis"
    )
    off = _render(chart_dir, {"postgres": {"enabled": False}})
    assert not any(path.startswith("charts/postgres/") for path in off)
    assert "POSTGRES_HOST" not in _env(only(off["templates/deployment.yaml"], "Deployment"))


def test_app_is_wired_to_the_subcharts_service_and_credentials(chart_dir: Path) -> None:
    rendered = _render(chart_dir)
    env = _env(only(rendered["templates/deployment.yaml"], "Deployment"))
    service = only(rendered["charts/postgres/templates/service.yaml"], "Service")
    assert env["POSTGRES_HOST"] == service["metadata"]["name"] == "shop-postgres"
    assert env["POSTGRES_PORT"] == str(service["spec"]["ports"][0]["port"]) == "5432"
    assert env["POSTGRES_USER"] == "postgres"
    assert env["POSTGRES_PASSWORD"] == {
        "secretKeyRef": {"name": "shop-postgres-credentials", "key": "password"}
    }
    assert env["REDIS_HOST"] == "shop-redis" and env["REDIS_PORT"] == "6379"


def test_connection_url_comes_after_the_variables_it_references(tmp_path: Path) -> None:
    url = "postgresql://$(POSTGRES_USER):$(POSTGRES_PASSWORD)@$(POSTGRES_HOST):$(POSTGRES_PORT)/postgres"
    chart_dir = write(_plan(dependencies=[{"app": "postgres", "app_env": {"DATABASE_URL": url}}]), tmp_path)
    container = only(_render(chart_dir)["templates/deployment.yaml"], "Deployment")["spec"]["template"][
        "spec"
    ]
    names = [e["name"] for e in container["containers"][0]["env"]]
    # Kubernetes expands $(VAR) only for variables defined earlier in the list
    assert names.index("DATABASE_URL") > max(
        names.index(n) for n in ("POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_HOST")
    )
    assert _env({"spec": {"template": {"spec": container}}})["DATABASE_URL"] == url


def test_migration_runs_after_install_against_the_bundled_database(tmp_path: Path) -> None:
    outcome = plan_request("django app on ghcr.io/acme/shop:1.4 port 8000 with postgres, run migrations")
    assert outcome.plan is not None and outcome.plan.migration.backoff_limit >= 6
    chart_dir = write(outcome.plan, tmp_path)
    job = only(_render(chart_dir)["templates/migration-job.yaml"], "Job")
    assert job["metadata"]["annotations"]["helm.sh/hook"] == "post-install,pre-upgrade"
    assert _env(job)["DATABASE_URL"].startswith("postgresql://$(POSTGRES_USER)")
    alone = only(_render(chart_dir, {"postgres": {"enabled": False}})["templates/migration-job.yaml"], "Job")
    assert alone["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"


@pytest.mark.parametrize(
    ("release", "values", "host"),
    [
        ("prod", {}, "prod-postgres"),
        ("postgres-prod", {}, "postgres-prod"),  # the release name already holds the chart name
        ("prod", {"postgres": {"nameOverride": "db"}}, "prod-db"),
        ("prod", {"postgres": {"fullnameOverride": "main-db"}}, "main-db"),
    ],
)
def test_dependency_host_follows_the_subcharts_own_fullname(
    chart_dir: Path, release: str, values: dict[str, Any], host: str
) -> None:
    rendered = _render(chart_dir, values, release)
    service = only(rendered["charts/postgres/templates/service.yaml"], "Service")
    env = _env(only(rendered["templates/deployment.yaml"], "Deployment"))
    assert env["POSTGRES_HOST"] == service["metadata"]["name"] == host


def test_existing_secret_replaces_the_subcharts_credentials(chart_dir: Path) -> None:
    rendered = _render(chart_dir, {"postgres": {"auth": {"existingSecret": "shop-pg"}}})
    env = _env(only(rendered["templates/deployment.yaml"], "Deployment"))
    assert env["POSTGRES_PASSWORD"] == {"secretKeyRef": {"name": "shop-pg", "key": "password"}}


def test_restricted_egress_allows_the_dependencies(tmp_path: Path) -> None:
    chart_dir = write(_plan(network_policy={"egress_restricted": True}), tmp_path)
    policy = only(_render(chart_dir)["templates/networkpolicy.yaml"], "NetworkPolicy")
    # pods of this namespace (the DNS rule selects kube-dns pods through a namespaceSelector)
    rules = [
        r
        for r in policy["spec"]["egress"]
        if r.get("to") and "podSelector" in r["to"][0] and "namespaceSelector" not in r["to"][0]
    ]
    targets = {
        r["to"][0]["podSelector"]["matchLabels"].get("app.kubernetes.io/name"): r["ports"] for r in rules
    }
    assert targets["postgres"] == [{"port": 5432, "protocol": "TCP"}]
    assert targets["redis"] == [{"port": 6379, "protocol": "TCP"}]
    assert all(
        r["to"][0]["podSelector"]["matchLabels"]["app.kubernetes.io/instance"] == RELEASE for r in rules
    )


def test_existing_database_connects_through_its_secret_without_a_subchart(tmp_path: Path) -> None:
    outcome = plan_request(
        "a django app on ghcr.io/acme/shop:1.4, port 8000, postgres via existing secret shop-db"
    )
    assert outcome.plan is not None
    files = render_chart(outcome.plan)
    assert not any(path.startswith("charts/") for path in files) and "Chart.lock" not in files
    assert "dependencies" not in yaml.safe_load(files["Chart.yaml"])
    chart_dir = write(outcome.plan, tmp_path)
    env = _env(only(_render(chart_dir)["templates/deployment.yaml"], "Deployment"))
    assert env["DATABASE_URL"] == {"secretKeyRef": {"name": "shop-db", "key": "DATABASE_URL"}}


def test_umbrella_and_subcharts_are_strict_lint_clean_and_schema_valid(chart_dir: Path) -> None:
    for directory in (chart_dir, chart_dir / "charts" / "postgres", chart_dir / "charts" / "redis"):
        assert lint_problems(directory, {}) == [], directory.name
    for doc in _all(_render(chart_dir)):
        for version in KUBE_VERSIONS:
            assert schema_errors(doc, version) == [], f"{doc['kind']}/{doc['metadata']['name']} on {version}"


def test_validator_checks_the_subcharts_objects_with_the_app(chart_dir: Path) -> None:
    values = chart_dir / "values.yaml"
    text, replaced = re.subn(
        r'(@param postgres\.auth\.existingSecret[^\n]*\n\s*existingSecret: )""',
        r"\1shop-pg",
        values.read_text(),
    )
    assert replaced == 1
    values.write_text(text)
    report = validate_chart(chart_dir)
    assert any(path.startswith("charts/postgres/templates/") for path in report.rendered["values.yaml"])
    assert any(f.file and f.file.startswith("charts/postgres/") for f in report.findings), (
        "subchart objects are checked"
    )
    problems = [
        f"{f.location} [{f.rule_id}] {f.message}" for f in report.findings if f.severity != Severity.INFO
    ]
    assert problems == []


APPS_WITH_DEPENDENCIES = [e for e in load_catalog().apps if e.dependencies]


@pytest.mark.parametrize("entry", APPS_WITH_DEPENDENCIES, ids=[e.name for e in APPS_WITH_DEPENDENCIES])
def test_catalog_app_is_wired_to_its_usual_dependency(entry: Any, tmp_path: Path) -> None:
    outcome = plan_request(entry.name)
    assert outcome.plan is not None
    chart_dir = write(outcome.plan, tmp_path)
    rendered = _render(chart_dir)
    for usual in entry.dependencies:
        assert any(path.startswith(f"charts/{usual.app}/templates/") for path in rendered), usual.app
        workload = next(d for d in rendered[f"templates/{outcome.plan.workload.lower()}.yaml"])
        env = _env(workload)
        connection = load_catalog().connections[usual.app]
        host_env = usual.env.get("HOST", f"{connection.env_prefix}_HOST")
        assert env[host_env] == f"{RELEASE}-{usual.app}"
        for suffix, key in connection.secret_keys.items():
            name = usual.env.get(suffix, f"{connection.env_prefix}_{suffix}")
            assert env[name] == {"secretKeyRef": {"name": f"{RELEASE}-{usual.app}-credentials", "key": key}}
        for name, value in usual.app_env.items():
            assert env[name] == value
        sub_env = _env(
            next(
                iter(
                    rendered[
                        next(
                            p
                            for p in rendered
                            if p.startswith(f"charts/{usual.app}/templates/")
                            and p.endswith(("statefulset.yaml", "deployment.yaml"))
                        )
                    ]
                )
            )
        )
        for name, value in usual.subchart_env.items():
            assert sub_env[name] == value
