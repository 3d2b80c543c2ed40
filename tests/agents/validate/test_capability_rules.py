"""Validator behaviour the capabilities rely on: node-agent host paths, ExternalSecret targets, VPA schemas."""

from __future__ import annotations

from pathlib import Path

import yaml

from agents.validate.crd_schemas import crd_validator, is_builtin_group
from agents.validate.manifests import parse_manifests
from agents.validate.rules import RULES_BY_ID, ChartFacts, RuleInput

FACTS = ChartFacts(Path("."), ["1.33.0"], {})


def _pod(kind: str, read_only: bool, extra: dict | None = None) -> str:
    pod = {
        "containers": [
            {
                "name": "agent",
                "image": "ghcr.io/acme/agent:1",
                "volumeMounts": [{"name": "logs", "mountPath": "/var/log", "readOnly": read_only}],
                **(extra or {}),
            }
        ],
        "volumes": [{"name": "logs", "hostPath": {"path": "/var/log", "type": "Directory"}}],
    }
    doc = {
        "apiVersion": "apps/v1",
        "kind": kind,
        "metadata": {"name": "agent"},
        "spec": {"selector": {"matchLabels": {"app": "a"}}, "template": {"spec": pod}},
    }
    return yaml.safe_dump(doc)


def _violations(rule_id: str, manifests: dict[str, str]) -> list:
    objects = parse_manifests("values.yaml", manifests).objects
    return list(RULES_BY_ID[rule_id].check(RuleInput(objects, FACTS)))


def test_read_only_host_path_of_a_daemonset_is_an_error_naming_the_node_agent_way_out() -> None:
    """Baseline forbids host paths: a node agent is accepted with a reason, never softened by the rule."""
    [found] = _violations(
        "security/host-path", {"templates/daemonset.yaml": _pod("DaemonSet", read_only=True)}
    )
    assert found.severity is None and "node agent" in found.message  # the rule's own severity: ERROR
    assert found.hint is not None and "accepted-risks" in found.hint


def test_writable_host_path_or_a_deployment_stays_an_error() -> None:
    for manifest in (_pod("DaemonSet", read_only=False), _pod("Deployment", read_only=True)):
        [found] = _violations("security/host-path", {"templates/x.yaml": manifest})
        assert found.severity is None  # the rule's own severity: ERROR


def test_a_secret_written_by_an_external_secret_exists() -> None:
    pod = yaml.safe_dump(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "web"},
            "spec": {
                "containers": [
                    {"name": "web", "image": "x:1", "envFrom": [{"secretRef": {"name": "web-external"}}]}
                ]
            },
        }
    )
    external = yaml.safe_dump(
        {
            "apiVersion": "external-secrets.io/v1",
            "kind": "ExternalSecret",
            "metadata": {"name": "web"},
            "spec": {"target": {"name": "web-external"}},
        }
    )
    assert _violations("wiring/pod-references", {"templates/pod.yaml": pod})
    assert not _violations(
        "wiring/pod-references", {"templates/pod.yaml": pod, "templates/es.yaml": external}
    )


def test_vpa_is_a_custom_resource_with_a_shipped_schema() -> None:
    assert not is_builtin_group("autoscaling.k8s.io/v1") and is_builtin_group("autoscaling/v2")
    validator = crd_validator("autoscaling.k8s.io/v1", "VerticalPodAutoscaler")
    assert validator is not None
    doc = {
        "apiVersion": "autoscaling.k8s.io/v1",
        "kind": "VerticalPodAutoscaler",
        "metadata": {"name": "web"},
        "spec": {
            "targetRef": {"kind": "Deployment", "name": "web"},
            "updatePolicy": {"updateMode": "Sometimes"},
        },
    }
    assert any("Sometimes" in e.message for e in validator.iter_errors(doc))
