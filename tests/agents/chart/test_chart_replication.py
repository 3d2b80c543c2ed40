"""redis-style replication: one primary (the chart's workload) and read replicas that follow it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agents.plan import PlanError, plan_request
from agents.plan.model import ChartPlan
from tests.agents.chart.chart_render_checks import only, render_docs, write


def redis_plan(request: str = "redis") -> ChartPlan:
    outcome = plan_request(request)
    assert outcome.plan is not None
    return outcome.plan


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return selector.items() <= labels.items()


@pytest.fixture
def docs(tmp_path: Path) -> list[dict[str, Any]]:
    values = {"replication": {"replicas": 2}, "persistence": {"enabled": True}}
    return render_docs(write(redis_plan(), tmp_path), values)


def test_replicas_follow_the_primary_service_with_replicaof(docs: list[dict[str, Any]]) -> None:
    primary_service = only(docs, "Service", "-redis")
    replicas = only(docs, "StatefulSet", "-replicas")
    assert replicas["spec"]["replicas"] == 2
    args = replicas["spec"]["template"]["spec"]["containers"][0]["args"]
    port = str(primary_service["spec"]["ports"][0]["port"])
    assert args[-3:] == ["--replicaof", primary_service["metadata"]["name"], port]
    primary_args = only(docs, "Deployment")["spec"]["template"]["spec"]["containers"][0]["args"]
    assert "--replicaof" not in primary_args


def test_writes_reach_only_the_primary_and_reads_only_the_replicas(docs: list[dict[str, Any]]) -> None:
    primary_labels = only(docs, "Deployment")["spec"]["template"]["metadata"]["labels"]
    replica_labels = only(docs, "StatefulSet", "-replicas")["spec"]["template"]["metadata"]["labels"]
    primary_selector = only(docs, "Service", "-redis")["spec"]["selector"]
    read_selector = only(docs, "Service", "-replicas")["spec"]["selector"]
    assert selects(primary_selector, primary_labels) and not selects(primary_selector, replica_labels)
    assert selects(read_selector, replica_labels) and not selects(read_selector, primary_labels)
    headless = only(docs, "Service", "-replicas-headless")
    assert headless["spec"]["clusterIP"] == "None"
    assert only(docs, "StatefulSet", "-replicas")["spec"]["serviceName"] == headless["metadata"]["name"]


def test_replicas_keep_no_claim_and_no_durability_of_their_own(docs: list[dict[str, Any]]) -> None:
    replicas = only(docs, "StatefulSet", "-replicas")
    assert "volumeClaimTemplates" not in replicas["spec"]
    pod = replicas["spec"]["template"]["spec"]
    assert not [v for v in pod["volumes"] if "persistentVolumeClaim" in v]
    data = next(m for m in pod["containers"][0]["volumeMounts"] if m["mountPath"] == "/data")
    assert next(v for v in pod["volumes"] if v["name"] == data["name"])["emptyDir"] == {}
    assert "--appendonly" in pod["containers"][0]["args"]
    assert pod["containers"][0]["args"][pod["containers"][0]["args"].index("--appendonly") + 1] == "no"


def test_the_network_policy_covers_the_replicas(docs: list[dict[str, Any]]) -> None:
    selector = only(docs, "NetworkPolicy")["spec"]["podSelector"]
    labels = only(docs, "StatefulSet", "-replicas")["spec"]["template"]["metadata"]["labels"]
    assert selects(selector["matchLabels"], labels)
    for expression in selector["matchExpressions"]:
        assert labels[expression["key"]] in expression["values"]


def test_no_replicas_render_nothing_extra(tmp_path: Path) -> None:
    docs = render_docs(write(redis_plan(), tmp_path))
    assert not [d for d in docs if d["metadata"]["name"].endswith(("-replicas", "-replicas-headless"))]


def test_a_request_for_redis_replicas_becomes_a_primary_and_read_replicas() -> None:
    outcome = plan_request("redis with 3 replicas")
    assert outcome.plan is not None
    assert (outcome.plan.replicas, outcome.plan.read_replicas) == (1, 2)
    assert any("--replicaof" in note and "no automatic failover" in note for note in outcome.notes)


def test_setting_redis_replicas_points_to_read_replicas() -> None:
    with pytest.raises(PlanError, match="set read_replicas"):
        plan_request("redis", sets=["replicas=3"])
    outcome = plan_request("redis", sets=["read_replicas=2"])
    assert outcome.plan is not None and outcome.plan.read_replicas == 2
