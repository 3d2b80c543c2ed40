"""Components: a worker beside the web app renders as its own Deployment whose pods no web object selects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import helm_python
import pytest
import yaml

from agents.chart import render_chart
from agents.plan.model import ChartPlan
from agents.validate import validate_chart
from agents.validate.finding import Severity
from tests.agents.chart.chart_render_checks import KUBE_VERSIONS, lint_problems, only, schema_errors, write

RELEASE = "shop"
CELERY_PING = ["sh", "-c", "celery -A shop inspect ping"]
WORKER: dict[str, Any] = {
    "name": "worker",
    "command": ["celery", "-A", "shop", "worker"],
    "replicas": 2,
    "resources": {"cpu_request": "200m", "memory_request": "256Mi", "memory_limit": "512Mi"},
    "probes": {
        "liveness": {"type": "exec", "command": CELERY_PING, "period_seconds": 60, "timeout_seconds": 20},
        "readiness": {"type": "exec", "command": CELERY_PING, "period_seconds": 30, "timeout_seconds": 20},
    },
    "autoscaling": {"enabled": True, "min_replicas": 2, "max_replicas": 6},
    "termination_grace_period_seconds": 120,
}
FLOWER: dict[str, Any] = {
    "name": "flower",
    "command": ["celery", "-A", "shop", "flower"],
    "ports": [{"name": "http", "container_port": 5555}],
    "probes": {
        "liveness": {"type": "tcp", "port": "http", "period_seconds": 20},
        "readiness": {"type": "http", "port": "http", "path": "/healthcheck", "period_seconds": 5},
    },
}


def _plan(*components: dict[str, Any], **changes: Any) -> ChartPlan:
    data: dict[str, Any] = {
        "name": "shop",
        "image": {"registry": "ghcr.io", "repository": "acme/shop", "tag": "1.4"},
        "ports": [{"name": "http", "container_port": 8000, "app_protocol": "http"}],
        "probes": {
            "liveness": {"type": "tcp", "port": "http", "period_seconds": 20},
            "readiness": {"type": "http", "port": "http", "path": "/healthz", "period_seconds": 5},
        },
        "replicas": 3,
        "exposure": {"kind": "ingress", "hosts": ["shop.example.com"]},
        "components": list(components),
        **changes,
    }
    return ChartPlan.model_validate(data)


def _render(chart_dir: Path, values: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    rendered = helm_python.Chart.load(str(chart_dir)).render(values or {}, name=RELEASE)
    docs: list[dict[str, Any]] = []
    for name, text in sorted(rendered.items()):
        if not name.endswith("NOTES.txt"):
            docs += [d for d in yaml.safe_load_all(text) if d]
    return docs


def _selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


def _pod_labels(docs: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    return {
        d["metadata"]["name"]: d["spec"]["template"]["metadata"]["labels"]
        for d in docs
        if d["kind"] == "Deployment"
    }


@pytest.fixture
def chart_dir(tmp_path: Path) -> Path:
    return write(_plan(WORKER, FLOWER), tmp_path)


def test_each_component_is_its_own_deployment_with_its_command(chart_dir: Path) -> None:
    docs = _render(chart_dir)
    worker = only(docs, "Deployment", "-worker")
    assert worker["metadata"]["name"] == "shop-worker"
    container = worker["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] == ["celery", "-A", "shop", "worker"]
    assert container["image"] == "ghcr.io/acme/shop:1.4", "components share the app's image"
    assert "ports" not in container
    assert container["resources"]["requests"] == {"cpu": "200m", "memory": "256Mi"}
    assert container["livenessProbe"]["periodSeconds"] == 60
    assert worker["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] == 120
    assert "replicas" not in worker["spec"], "the worker's HPA owns its replica count"
    web = only(docs, "Deployment", "shop")
    assert web["spec"]["replicas"] == 3
    assert web["spec"]["template"]["spec"]["containers"][0].get("command") is None


def test_selectors_are_disjoint_between_components(chart_dir: Path) -> None:
    docs = _render(chart_dir)
    pods = _pod_labels(docs)
    assert {name: labels["app.kubernetes.io/component"] for name, labels in pods.items()} == {
        "shop": "web",
        "shop-worker": "worker",
        "shop-flower": "flower",
    }
    for doc in docs:
        if doc["kind"] == "Deployment":
            selector = doc["spec"]["selector"]["matchLabels"]
        elif doc["kind"] == "Service":
            selector = doc["spec"]["selector"]
        elif doc["kind"] == "PodDisruptionBudget":
            selector = doc["spec"]["selector"]["matchLabels"]
        else:
            continue
        selected = [name for name, labels in pods.items() if _selects(selector, labels)]
        owner = doc["metadata"]["name"]
        assert selected == [owner], f"{doc['kind']}/{owner} selects {selected}"


def test_only_serving_components_get_a_service_and_routes_stay_on_the_web_app(chart_dir: Path) -> None:
    docs = _render(chart_dir)
    services = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Service"}
    assert set(services) == {"shop", "shop-flower"}, "the worker serves nothing"
    assert services["shop-flower"]["spec"]["ports"][0]["targetPort"] == "http"
    ingress = only(docs, "Ingress")
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == "shop"


def test_hpa_and_pdb_target_their_own_component(chart_dir: Path) -> None:
    docs = _render(chart_dir)
    hpa = only(docs, "HorizontalPodAutoscaler", "-worker")
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "shop-worker",
    }
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 6)
    pdb = only(docs, "PodDisruptionBudget", "-worker")
    assert pdb["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"] == "worker"
    assert not [
        d for d in docs if d["kind"] == "PodDisruptionBudget" and d["metadata"]["name"] == "shop-flower"
    ], "one flower pod: no PDB"


def test_values_are_grouped_per_component(chart_dir: Path) -> None:
    values = yaml.safe_load((chart_dir / "values.yaml").read_text())
    assert values["componentInSelector"] is True
    assert values["worker"]["replicaCount"] == 2
    assert values["worker"]["command"] == ["celery", "-A", "shop", "worker"]
    assert values["worker"]["autoscaling"]["maxReplicas"] == 6
    assert values["flower"]["ports"][0]["containerPort"] == 5555
    text = (chart_dir / "values.yaml").read_text()
    assert "## @param worker.resources" in text and "## @param flower.readinessProbe" in text
    schema = yaml.safe_load((chart_dir / "values.schema.json").read_text())
    assert schema["properties"]["worker"]["properties"]["replicaCount"]["minimum"] == 0


def test_values_switch_a_component_off_and_rescale_it(chart_dir: Path) -> None:
    docs = _render(
        chart_dir,
        {"flower": {"enabled": False}, "worker": {"autoscaling": {"enabled": False}, "replicaCount": 5}},
    )
    assert not [d for d in docs if d["metadata"]["name"] == "shop-flower"]
    assert only(docs, "Deployment", "-worker")["spec"]["replicas"] == 5
    assert not [
        d for d in docs if d["kind"] == "HorizontalPodAutoscaler" and d["metadata"]["name"] == "shop-worker"
    ]


def test_component_chart_is_strict_lint_clean_schema_valid_and_passes_validation(chart_dir: Path) -> None:
    assert lint_problems(chart_dir, {}) == []
    for doc in _render(chart_dir):
        for version in KUBE_VERSIONS:
            assert schema_errors(doc, version) == [], f"{doc['kind']} on {version}"
    report = validate_chart(chart_dir)
    problems = [
        f"{f.location} [{f.rule_id}] {f.message}" for f in report.findings if f.severity != Severity.INFO
    ]
    assert problems == []


def test_components_do_not_mount_the_apps_volume(tmp_path: Path) -> None:
    plan = _plan(WORKER, persistence={"enabled": True, "mount_path": "/data", "size": "1Gi"})
    docs = _render(write(plan, tmp_path))
    worker = only(docs, "Deployment", "-worker")["spec"]["template"]["spec"]
    assert all("persistentVolumeClaim" not in v for v in worker.get("volumes", []))


def test_a_chart_without_components_keeps_its_selector() -> None:
    files = render_chart(_plan())
    assert not any(name.startswith("templates/worker") for name in files)
    values = yaml.safe_load(files["values.yaml"])
    assert "componentInSelector" not in values and values["component"] == "server"
