"""Every catalog app mounts each writable path once: an emptyDir, or the claim at its data directory."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from agents.plan import catalog_names, plan_request
from agents.plan.model import ChartPlan
from tests.agents.chart.chart_render_checks import only, pod_specs, render_docs, value_sets, write

APPS = catalog_names()


def catalog_plan(app: str) -> ChartPlan:
    outcome = plan_request(app)
    assert outcome.plan is not None
    return outcome.plan


def app_pod(docs: list[dict[str, Any]], plan: ChartPlan) -> dict[str, Any]:
    """The pod spec of the chart's own workload (not hooks, helm tests or a bundled dependency's)."""
    workload = f"{plan.workload}/{only(docs, plan.workload, plan.name)['metadata']['name']}"
    return next(spec for name, spec in pod_specs(docs) if name == workload)


def claim_mounted_at(pod: dict[str, Any], workload: dict[str, Any], path: str) -> bool:
    """Whether `path` of the main container is backed by the data claim (a PVC or a claim template)."""
    mount = next((m for m in pod["containers"][0].get("volumeMounts", []) if m["mountPath"] == path), None)
    if mount is None:
        return False
    volume = next((v for v in pod.get("volumes", []) if v["name"] == mount["name"]), None)
    templates = [t["metadata"]["name"] for t in workload["spec"].get("volumeClaimTemplates", [])]
    return (volume is not None and "persistentVolumeClaim" in volume) or mount["name"] in templates


def mount_problems(pod: dict[str, Any], workload: dict[str, Any], writable: list[str]) -> list[str]:
    problems = []
    volume_names = [v["name"] for v in pod.get("volumes", [])]
    problems += [f"volume {n} defined twice" for n, c in Counter(volume_names).items() if c > 1]
    for container in pod["containers"]:
        paths = [m["mountPath"] for m in container.get("volumeMounts", [])]
        problems += [f"{container['name']}: {p} mounted twice" for p, c in Counter(paths).items() if c > 1]
    main_paths = [m["mountPath"] for m in pod["containers"][0].get("volumeMounts", [])]
    problems += [f"writable path {p} has no volume" for p in writable if p not in main_paths]
    return problems


@pytest.mark.parametrize("app", APPS)
@pytest.mark.parametrize("persistence", [False, True], ids=["emptydir", "claim"])
def test_each_writable_path_is_one_emptydir_or_the_claim(app: str, persistence: bool, tmp_path: Path) -> None:
    plan = catalog_plan(app)
    chart_dir = write(plan, tmp_path)
    values = {"persistence": {"enabled": persistence}}
    docs = render_docs(chart_dir, values)
    workload = only(docs, plan.workload, plan.name)
    pod = app_pod(docs, plan)
    defaults = yaml.safe_load((chart_dir / "values.yaml").read_text())
    writable = list(defaults["writablePaths"])
    assert mount_problems(pod, workload, writable) == []
    data_dir = defaults["persistence"]["mountPath"]
    if persistence:
        assert claim_mounted_at(pod, workload, data_dir), f"{data_dir} is not on the claim"
    else:
        assert not claim_mounted_at(pod, workload, data_dir)


@pytest.mark.parametrize("app", APPS)
def test_full_ci_values_mount_every_path_once(app: str, tmp_path: Path) -> None:
    plan = catalog_plan(app)
    chart_dir = write(plan, tmp_path)
    values = value_sets(chart_dir)["ci/full-values.yaml"]
    docs = render_docs(chart_dir, values)
    for _, pod in pod_specs(docs):
        assert mount_problems(pod, {"spec": {}}, []) == []
        ports = [
            (p.get("protocol", "TCP"), p["containerPort"])
            for c in pod["containers"]
            for p in c.get("ports", [])
        ]
        names = [p["name"] for c in pod["containers"] for p in c.get("ports", [])]
        assert len(ports) == len(set(ports)) and len(names) == len(set(names)), (ports, names)


@pytest.mark.parametrize(
    ("app", "data_dir"),
    [("postgres", "/var/lib/postgresql/data"), ("grafana", "/var/lib/grafana"), ("redis", "/data")],
)
def test_the_data_directory_comes_from_the_catalog(app: str, data_dir: str, tmp_path: Path) -> None:
    plan = catalog_plan(app)
    assert plan.persistence.mount_path == data_dir
    docs = render_docs(write(plan, tmp_path), {"persistence": {"enabled": True}})
    assert claim_mounted_at(app_pod(docs, plan), only(docs, plan.workload, plan.name), data_dir)


def test_postgres_keeps_pgdata_below_the_mount_and_gets_memory_backed_shm(tmp_path: Path) -> None:
    docs = render_docs(write(catalog_plan("postgres"), tmp_path))
    pod = only(docs, "StatefulSet")["spec"]["template"]["spec"]
    env = {v["name"]: v.get("value") for v in pod["containers"][0]["env"]}
    assert env["PGDATA"].startswith("/var/lib/postgresql/data/")
    shm = next(m for m in pod["containers"][0]["volumeMounts"] if m["mountPath"] == "/dev/shm")
    volume = next(v for v in pod["volumes"] if v["name"] == shm["name"])
    assert volume["emptyDir"]["medium"] == "Memory" and volume["emptyDir"]["sizeLimit"]


@pytest.mark.parametrize("app", ["redis", "valkey"])
def test_redis_writes_an_append_only_file_only_with_a_volume(app: str, tmp_path: Path) -> None:
    chart_dir = write(catalog_plan(app), tmp_path)

    def args(persistence: bool) -> list[str]:
        docs = render_docs(chart_dir, {"persistence": {"enabled": persistence}})
        return list(only(docs, "Deployment")["spec"]["template"]["spec"]["containers"][0]["args"])

    durable = args(True)
    assert durable[durable.index("--appendonly") + 1] == "yes" and "--save" not in durable
    cache = args(False)
    assert cache[cache.index("--appendonly") + 1] == "no" and cache[cache.index("--save") + 1] == ""


def test_a_deployment_with_a_read_write_once_claim_recreates_its_pods(tmp_path: Path) -> None:
    chart_dir = write(catalog_plan("grafana"), tmp_path)
    rolling = only(render_docs(chart_dir), "Deployment")["spec"]["strategy"]
    assert rolling["type"] == "RollingUpdate"
    claimed = render_docs(chart_dir, {"persistence": {"enabled": True}})
    assert only(claimed, "Deployment")["spec"]["strategy"] == {"type": "Recreate"}
    shared = render_docs(chart_dir, {"persistence": {"enabled": True, "accessModes": ["ReadWriteMany"]}})
    assert only(shared, "Deployment")["spec"]["strategy"]["type"] == "RollingUpdate"
