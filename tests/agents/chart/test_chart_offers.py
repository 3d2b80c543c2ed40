"""A chart offers only what can work: no HPA or extra primaries for single-primary apps, no routes or
migration hook for datastores, a ServiceMonitor only where a port serves metrics, TLS with a source."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from agents.chart import render_chart, template_names
from agents.plan import PlanError, catalog_names, plan_request
from agents.plan.model import ChartPlan
from tests.agents.chart.chart_render_checks import (
    kinds,
    only,
    plan,
    pod_specs,
    render_docs,
    value_sets,
    write,
)

APPS = catalog_names()
DATABASES = ["postgres", "mysql", "mariadb", "mongodb", "redis", "valkey", "rabbitmq", "kafka", "nats"]
EXPORTERS = {"redis": 9121, "valkey": 9121, "postgres": 9187, "mysql": 9104, "mariadb": 9104, "mongodb": 9216}
ROUTES = ["ingress.yaml", "ingressroute.yaml", "httproute.yaml", "grpcroute.yaml", "migration-job.yaml"]


def catalog_plan(app: str) -> ChartPlan:
    outcome = plan_request(app)
    assert outcome.plan is not None
    return outcome.plan


def schema_errors(plan_: ChartPlan, values: dict[str, Any]) -> list[str]:
    schema = json.loads(render_chart(plan_)["values.schema.json"])
    return [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(values)]


@pytest.mark.parametrize("app", DATABASES)
def test_databases_and_brokers_ship_no_hpa_routes_or_migration(app: str) -> None:
    p = catalog_plan(app)
    names = template_names(p)
    assert "hpa.yaml" not in names
    assert not set(ROUTES) & set(names)
    values = render_chart(p)["values.yaml"]
    assert "\ningress:" not in values and "\nmigration:" not in values


@pytest.mark.parametrize("app", DATABASES)
def test_single_primary_values_refuse_more_pods_or_autoscaling(app: str) -> None:
    p = catalog_plan(app)
    assert schema_errors(p, {"replicaCount": 1}) == []
    assert schema_errors(p, {"replicaCount": 2})
    assert schema_errors(p, {"autoscaling": {"enabled": True}})


def test_a_request_for_database_replicas_gets_one_and_a_note_pointing_to_an_operator() -> None:
    outcome = plan_request("postgres with 3 replicas and autoscaling")
    assert outcome.plan is not None
    assert outcome.plan.replicas == 1 and not outcome.plan.autoscaling.enabled
    assert any("CloudNativePG" in note for note in outcome.notes)


def test_setting_database_replicas_explains_why_not() -> None:
    with pytest.raises(PlanError, match="one primary pod"):
        plan_request("postgres", sets=["replicas=3"])


def test_a_request_to_expose_a_database_is_answered_with_a_note() -> None:
    outcome = plan_request("mysql with an ingress for db.example.com")
    assert outcome.plan is not None and outcome.plan.exposure.kind == "none"
    assert any("inside the cluster" in note for note in outcome.notes)


@pytest.mark.parametrize("app", APPS)
def test_a_service_monitor_only_scrapes_a_port_something_serves(app: str, tmp_path: Path) -> None:
    p = catalog_plan(app)
    chart_dir = write(p, tmp_path)
    for values in value_sets(chart_dir).values():
        docs = render_docs(chart_dir, values)
        monitors = [d for d in docs if d["kind"] == "ServiceMonitor"]
        if not monitors:
            continue
        service = only(docs, "Service", p.name)  # the headless one ends in -headless
        container_ports = {
            port["name"]
            for _, pod in pod_specs(docs)
            for c in pod["containers"]
            for port in c.get("ports", [])
        }
        for endpoint in monitors[0]["spec"]["endpoints"]:
            target = next(s for s in service["spec"]["ports"] if s["name"] == endpoint["port"])
            assert target["targetPort"] in container_ports


@pytest.mark.parametrize("app", sorted(EXPORTERS))
def test_exporter_sidecar_is_pinned_restricted_and_switched_by_metrics_enabled(
    app: str, tmp_path: Path
) -> None:
    p = catalog_plan(app)
    chart_dir = write(p, tmp_path)
    off = render_docs(chart_dir, {"metrics": {"serviceMonitor": {"enabled": True}}})
    assert "ServiceMonitor" not in kinds(off)
    assert len(only(off, p.workload)["spec"]["template"]["spec"]["containers"]) == 1

    docs = render_docs(chart_dir, {"metrics": {"enabled": True, "serviceMonitor": {"enabled": True}}})
    pod = only(docs, p.workload)["spec"]["template"]["spec"]
    exporter = next(c for c in pod["containers"] if c["name"] == "metrics-exporter")
    tag = exporter["image"].rsplit(":", 1)[1]
    assert tag and tag != "latest"
    assert exporter["ports"] == [{"name": "metrics", "containerPort": EXPORTERS[app], "protocol": "TCP"}]
    context = exporter["securityContext"]
    assert context["runAsNonRoot"] and context["readOnlyRootFilesystem"]
    assert context["capabilities"] == {"drop": ["ALL"]} and not context["allowPrivilegeEscalation"]
    assert exporter["resources"]["limits"]["memory"]
    service_ports = {s["name"]: s for s in only(docs, "Service", p.name)["spec"]["ports"]}
    assert service_ports["metrics"]["targetPort"] == "metrics"
    assert only(docs, "ServiceMonitor")["spec"]["endpoints"][0]["port"] == "metrics"
    policy_ports = [r["port"] for r in only(docs, "NetworkPolicy")["spec"]["ingress"][0]["ports"]]
    assert EXPORTERS[app] in policy_ports


def test_nginx_exporter_reads_stub_status_served_on_loopback(tmp_path: Path) -> None:
    p = catalog_plan("nginx")
    assert "stub_status" in p.config_files[0].content and "allow 127.0.0.1" in p.config_files[0].content
    docs = render_docs(write(p, tmp_path), {"metrics": {"enabled": True}})
    exporter = only(docs, "Deployment")["spec"]["template"]["spec"]["containers"][1]
    assert exporter["args"] == ["--nginx.scrape-uri=http://127.0.0.1:8080/stub_status"]


def test_ingress_tls_needs_a_secret_or_an_issuer(tmp_path: Path) -> None:
    web = plan("web-deployment")
    ingress = {"enabled": True, "hosts": ["web.example.com"], "tls": True}
    assert schema_errors(web, {"ingress": ingress})
    assert schema_errors(web, {"ingress": {**ingress, "tlsSecret": "web-tls"}}) == []
    assert schema_errors(web, {"ingress": {**ingress, "certManager": {"issuer": "letsencrypt"}}}) == []


def test_a_requested_ingress_tls_without_issuer_names_the_secret_to_create() -> None:
    outcome = plan_request("nginx behind an ingress for www.example.com with tls")
    assert outcome.plan is not None
    values = render_chart(outcome.plan)["values.yaml"]
    assert "tlsSecret: nginx-tls" in values


def test_traefik_tls_without_a_secret_uses_the_default_certificate(tmp_path: Path) -> None:
    chart_dir = write(plan("web-deployment"), tmp_path)
    docs = render_docs(
        chart_dir, {"ingressRoute": {"enabled": True, "hosts": ["w.example.com"], "tls": {"enabled": True}}}
    )
    assert only(docs, "IngressRoute")["spec"]["tls"] == {}


def test_a_service_monitor_on_a_port_nothing_serves_fails_with_what_to_do(tmp_path: Path) -> None:
    chart_dir = write(catalog_plan("memcached"), tmp_path)
    with pytest.raises(Exception, match="nothing serves metrics there"):
        render_docs(chart_dir, {"metrics": {"enabled": True, "serviceMonitor": {"enabled": True}}})
