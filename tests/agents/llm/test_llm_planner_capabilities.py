"""The LLM planner can express every capability field, and each is validated like a rule-based fact."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import helm_python
import yaml

from agents.chart import render_chart, write_chart
from agents.plan.llm_planner import ChartDraft, PlanChange, apply_plan_changes, plan_with_llm
from agents.plan.model import ChartPlan
from tests.fakes.chat_model import ScriptedChatModel, tool_reply

REQUEST = "Deploy our order worker; it should follow the queue and pull its secrets from Vault"
BASE = {"name": "orders", "image": "ghcr.io/acme/orders:3.1.0", "ports": [8080]}
CAPABILITIES: dict[str, Any] = {
    "ports_detail": [
        {"name": "http", "container_port": 8080, "app_protocol": "http"},
        {"name": "metrics", "container_port": 9090},
    ],
    "service_type": "LoadBalancer",
    "gpu": 1,
    "priority_class": "high",
    "node_selector": {"pool": "workers"},
    "tolerations": [{"key": "dedicated", "operator": "Exists", "effect": "NoSchedule"}],
    "metrics": True,
    "service_monitor_labels": {"release": "kube-prometheus-stack"},
    "config_data": {"LOG_LEVEL": "info"},
    "secret_refs": [{"name": "orders-tls", "mount_path": "/etc/tls"}],
    "keda": {
        "min_replicas": 0,
        "max_replicas": 20,
        "triggers": [
            {"type": "rabbitmq", "metadata": {"queueName": "orders", "mode": "QueueLength", "value": "5"}}
        ],
        "auth_secret": "mq-auth",
        "auth_params": {"host": "amqp-url"},
    },
    "vpa": {},
    "external_secret": {
        "store_name": "vault",
        "store_kind": "ClusterSecretStore",
        "extract_key": "prod/orders",
    },
    "alerting": {"labels": {"release": "kube-prometheus-stack"}},
    "lifecycle": {"termination_grace_period_seconds": 90, "pre_stop_sleep_seconds": 15},
    "network_policy": {
        "allow_external": False,
        "ingress_namespaces": ["frontend"],
        "egress_restricted": True,
        "egress_rules": [{"cidr": "10.0.5.0/24", "port": 5672}],
    },
    "migration": {"command": ["./migrate"], "hooks": ["pre-install"], "weight": 3},
    "init_containers": [
        {"name": "warm-cache", "command": ["./warm"], "shared_path": "/cache", "size_limit": "1Gi"}
    ],
}


def _plan(draft: dict[str, Any]) -> tuple[ChartPlan, list[str]]:
    outcome = plan_with_llm(ScriptedChatModel([tool_reply("ChartDraft", draft)]), REQUEST)
    assert outcome.plan is not None, outcome.questions
    return outcome.plan, outcome.notes


def _docs(plan: ChartPlan, tmp_path: Path) -> list[dict[str, Any]]:
    """Objects as the chart's default values render them, through the real Helm engine."""
    chart_dir = tmp_path / plan.name
    write_chart(render_chart(plan), chart_dir)
    rendered = helm_python.Chart.load(str(chart_dir)).render({})
    return [
        d
        for name, text in rendered.items()
        if not name.endswith("NOTES.txt")
        for d in yaml.safe_load_all(text)
        if d
    ]


def test_every_capability_field_of_the_draft_reaches_the_plan() -> None:
    plan, notes = _plan({**BASE, **CAPABILITIES})
    assert not [n for n in notes if n.startswith("LLM fact refused")], notes
    assert plan.keda.enabled and plan.keda.min_replicas == 0 and not plan.autoscaling.enabled
    assert plan.vpa.enabled and plan.vpa.update_mode == "Off"
    assert plan.external_secret.enabled and plan.external_secret.store_kind == "ClusterSecretStore"
    assert plan.alerting.enabled and plan.metrics.service_monitor_labels == {
        "release": "kube-prometheus-stack"
    }
    assert plan.service.type == "LoadBalancer" and [p.name for p in plan.ports] == ["http", "metrics"]
    assert plan.resources.gpu == 1 and plan.scheduling.priority_class_name == "high"
    assert plan.lifecycle.termination_grace_period_seconds == 90
    assert plan.network_policy.egress_rules[0].port == 5672
    assert plan.migration.enabled and plan.migration.hooks == ["pre-install"]
    assert plan.init_containers[0].size_limit == "1Gi"
    assert plan.config_data == {"LOG_LEVEL": "info"}
    assert plan.secret_refs[0].mount_path == "/etc/tls"


def test_the_drafted_capabilities_render_their_objects(tmp_path: Path) -> None:
    plan, _ = _plan({**BASE, **CAPABILITIES})
    kinds = {d["kind"] for d in _docs(plan, tmp_path)}
    expected = {
        "ScaledObject",
        "TriggerAuthentication",
        "VerticalPodAutoscaler",
        "ExternalSecret",
        "PrometheusRule",
    }
    assert expected <= kinds
    assert "HorizontalPodAutoscaler" not in kinds


def test_a_capability_that_breaks_a_plan_rule_is_refused_and_reported() -> None:
    # hostPath mounts are for DaemonSet node agents only; the rest of the draft still applies
    draft = {
        **BASE,
        "vpa": {},
        "host_path_mounts": [{"name": "logs", "host_path": "/var/log", "mount_path": "/logs"}],
    }
    plan, notes = _plan(draft)
    assert plan.vpa.enabled and plan.host_path_mounts == []
    assert any(
        "host_path_mounts" in n and "DaemonSet" in n for n in notes if n.startswith("LLM fact refused")
    )


def test_keda_and_an_hpa_together_are_refused() -> None:
    draft = {**BASE, "autoscale_max": 5, "keda": CAPABILITIES["keda"]}
    plan, notes = _plan(draft)
    assert plan.keda.enabled and not plan.autoscaling.enabled
    assert any("LLM: autoscaling.enabled=false" in n for n in notes)


def test_capability_draft_fields_are_typed_so_bad_shapes_never_reach_the_planner() -> None:
    bad = ChartDraft.model_json_schema()["properties"]
    assert {"keda", "vpa", "external_secret", "alerting", "middlewares", "host_path_mounts"} <= set(bad)
    draft = {**BASE, "keda": {"triggers": "rabbitmq"}}  # not a list of triggers: the whole answer is unusable
    outcome = plan_with_llm(ScriptedChatModel([tool_reply("ChartDraft", draft)]), REQUEST)
    assert outcome.plan is None  # the rule-based outcome stands: it asks for what it does not know
    assert any("LLM planner not used" in n and "triggers" in n for n in outcome.notes)


def test_review_patch_can_switch_a_capability_on() -> None:
    plan, _ = _plan(BASE)
    changes = [
        PlanChange(
            path="external_secret", value={"enabled": True, "store_name": "vault", "extract_key": "prod/x"}
        ),
        PlanChange(path="middlewares.redirect_https", value=True),
        PlanChange(path="vpa.enabled", value=True),
        PlanChange(path="keda.enabled", value=True),  # no trigger: refused with the reason
    ]
    edited, applied, refused = apply_plan_changes(plan, changes)
    assert edited.external_secret.store_name == "vault" and edited.vpa.enabled
    assert len(applied) == 3
    assert len(refused) == 1 and "trigger" in refused[0]
