"""ci/*-values.yaml: value sets that switch optional features on so lint and render exercise them.

chart-testing (`ct lint`) and our validator render the chart once per file; `full` turns on
every feature this chart has, and each exposure kind gets its own file because only one
route kind is enabled at a time in practice.
"""

from __future__ import annotations

from typing import Any

from agents.chart.values import TEST_IMAGE, grpc_port, web_port
from agents.chart.yaml_text import dump_yaml
from agents.plan.model import ChartPlan

CI_HOST = "chart.ci.example.com"
EXPOSURE_OBJECTS = {
    "ingress": "an Ingress",
    "ingressroute": "a Traefik IngressRoute",
    "httproute": "a Gateway API HTTPRoute",
    "grpcroute": "a Gateway API GRPCRoute",
}
HELPER_CONTAINER_SECURITY = {
    "runAsNonRoot": True,
    "runAsUser": 65534,
    "runAsGroup": 65534,
    "allowPrivilegeEscalation": False,
    "privileged": False,
    "readOnlyRootFilesystem": True,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}
HELPER_RESOURCES = {"requests": {"cpu": "10m", "memory": "16Mi"}, "limits": {"memory": "32Mi"}}


def render_ci_values(plan: ChartPlan) -> dict[str, str]:
    """File name (under ci/) to YAML text."""
    files = {
        "default-values.yaml": "# Chart defaults, rendered as they are.\n{}\n",
        "full-values.yaml": _text("Every optional feature on.", full_values(plan)),
    }
    for kind, values in exposure_values(plan).items():
        files[f"{kind}-values.yaml"] = _text(f"Exposure through {EXPOSURE_OBJECTS[kind]}.", values)
    if keda_alternative(plan):
        files["keda-values.yaml"] = _text(
            "KEDA ScaledObject (scale to zero) with a TriggerAuthentication instead of the HPA.",
            keda_values(plan),
        )
    return files


def full_values(plan: ChartPlan) -> dict[str, Any]:
    """Values with every feature the chart's workload supports switched on, still valid."""
    name = plan.name
    values: dict[str, Any] = {
        "partOf": f"{name}-ci",
        "commonLabels": {"ci.example.com/suite": "full"},
        "commonAnnotations": {"ci.example.com/owner": "ci"},
        "podAnnotations": {"ci.example.com/scrape": "false"},
        "podLabels": {"ci.example.com/pod": "true"},
        "extraEnvVars": [{"name": "CI_FULL_VALUES", "value": "true"}],
        "extraVolumes": [{"name": "ci-extra", "emptyDir": {}}],
        "extraVolumeMounts": [{"name": "ci-extra", "mountPath": "/ci-extra"}],
        "initContainers": [_helper_container("ci-init", ["sh", "-c", "true"])],
        "tolerations": [{"key": "ci.example.com/dedicated", "operator": "Exists", "effect": "NoSchedule"}],
        "networkPolicy": {
            "enabled": True,
            "allowExternal": False,
            "allowSameNamespace": True,
            "ingressNamespaces": ["ingress-nginx"],
            "egressRestricted": True,
            "egressCIDRs": ["10.0.0.0/8"],
        },
        "serviceAccount": {"create": True, "annotations": {"ci.example.com/identity": "ci"}},
        "rbac": {
            "create": True,
            "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list", "watch"]}],
        },
        "persistence": {
            "enabled": True,
            "size": "1Gi",
            # Several pods share the claim unless a StatefulSet gives each its own.
            # A single-primary Deployment keeps one pod and recreates it on upgrade.
            "accessModes": ["ReadWriteOnce"]
            if plan.workload == "StatefulSet" or plan.single_primary
            else ["ReadWriteMany"],
        },
        "topologySpread": {"enabled": True},
    }
    if plan.replication is not None and plan.is_serving:
        values["replication"] = {"replicas": 1}
    if not plan.config_files:
        values["configFiles"] = [
            {
                "name": "ci.conf",
                "mountPath": f"/etc/{name}-ci/ci.conf",
                "content": "# rendered by CI\nkey = value\n",
            }
        ]
    if plan.keda.enabled:
        values["replicaCount"] = 2  # the ScaledObject the plan asked for stays; no HPA next to it
        values["pdb"] = {"create": True, "minAvailable": "", "maxUnavailable": 1}
        values["podAntiAffinityPreset"] = "soft"
    elif plan.workload in {"Deployment", "StatefulSet"} and not plan.single_primary:
        values["autoscaling"] = {
            "enabled": True,
            "minReplicas": 2,
            "maxReplicas": 5,
            "targetCPU": 75,
            "targetMemory": 80,
        }
        values["replicaCount"] = 2
        values["pdb"] = {"create": True, "minAvailable": "", "maxUnavailable": 1}
        values["podAntiAffinityPreset"] = "soft"
    if plan.is_serving:
        sidecar = _helper_container("ci-sidecar", ["sh", "-c", "sleep 3600"])
        sidecar["livenessProbe"] = {"exec": {"command": ["true"]}, "periodSeconds": 30, "failureThreshold": 3}
        sidecar["readinessProbe"] = {"exec": {"command": ["true"]}, "periodSeconds": 10}
        values["sidecars"] = [sidecar]
        values["lifecycleHooks"] = {"preStop": {"exec": {"command": ["sh", "-c", "sleep 5"]}}}
        if not plan.datastore:
            values["migration"] = {
                "enabled": True,
                "command": list(plan.migration.command) or ["sh", "-c", "echo migrate"],
            }
        if plan.probes.startup is not None:
            # the default startup probe has its handler already: values files merge, so adding
            # another handler here would give the probe two (the API server refuses that)
            values["startupProbe"] = {"enabled": True, "periodSeconds": 5, "failureThreshold": 30}
        elif plan.ports:
            values["startupProbe"] = {
                "enabled": True,
                "tcpSocket": {"port": plan.ports[0].name},
                "periodSeconds": 5,
                "failureThreshold": 30,
            }
        if plan.exporter is not None or plan.metrics.port in {p.name for p in plan.ports}:
            values["metrics"] = {
                "enabled": True,
                "serviceMonitor": {"enabled": True, "labels": {"release": "prometheus"}},
            }
        relevant = list(exposure_values(plan))
        if relevant:
            kind = plan.exposure.kind if plan.exposure.kind != "none" else relevant[0]
            values.update(_exposure(plan, kind))
    values.update(_capability_values(plan, values))
    return values


def keda_alternative(plan: ChartPlan) -> bool:
    """A KEDA file for charts that autoscale with an HPA by default.

    Their workload already leaves replicas to the autoscaler, so the KEDA render differs from the
    defaults only by the scaling objects and costs the validator little; other charts' KEDA
    template is the same file, validated by the generator's own test suite.
    """
    return (
        plan.workload in {"Deployment", "StatefulSet"} and plan.autoscaling.enabled and not plan.keda.enabled
    )


def keda_values(plan: ChartPlan) -> dict[str, Any]:
    """A ScaledObject that may scale to zero, its credentials read from an existing Secret; no HPA."""
    return {
        "autoscaling": {"enabled": False},
        "keda": {
            "enabled": True,
            "minReplicaCount": 0,
            "maxReplicaCount": 5,
            "triggers": [
                {
                    "type": "rabbitmq",
                    "metadata": {
                        "protocol": "amqp",
                        "queueName": f"{plan.name}-ci",
                        "mode": "QueueLength",
                        "value": "20",
                    },
                }
            ],
            "triggerAuthentication": {
                "enabled": True,
                "existingSecret": f"{plan.name}-ci-keda",
                "secretTargetRefs": [{"parameter": "host", "key": "amqp-url"}],
            },
        },
    }


def _capability_values(plan: ChartPlan, values: dict[str, Any]) -> dict[str, Any]:
    """The request-driven objects (ExternalSecret, ConfigMap data, VPA, PrometheusRule, Traefik middlewares)."""
    extra: dict[str, Any] = {
        "configData": {"CI_MODE": "full", "CI_LEVEL": "2"},
        "externalSecret": {
            "enabled": True,
            "secretStoreRef": {"name": "ci-store", "kind": "ClusterSecretStore"},
            "data": [{"secretKey": "CI_TOKEN", "remoteKey": f"ci/{plan.name}", "property": "token"}],
            "extractKey": f"ci/{plan.name}/env",
        },
    }
    if plan.workload in {"Deployment", "StatefulSet"}:
        extra["vpa"] = {"enabled": True, "updateMode": "Off", "maxAllowed": {"cpu": "2", "memory": "2Gi"}}
    if values.get("metrics", {}).get("enabled"):
        extra["prometheusRule"] = {"enabled": True, "labels": {"release": "prometheus"}}
    if values.get("ingressRoute", {}).get("enabled"):
        extra["traefikMiddlewares"] = {
            "redirectHttps": {"enabled": True},
            "headers": {"enabled": True},
            "rateLimit": {"enabled": True, "average": 50, "burst": 100},
        }
    return extra


def exposure_values(plan: ChartPlan) -> dict[str, dict[str, Any]]:
    """One value set per exposure kind that fits the app's ports (plus the plan's own kind), by kind."""
    if plan.datastore or not (plan.is_serving and plan.service.enabled and plan.ports):
        return {}
    kinds = []
    if web_port(plan) is not None:
        kinds += ["ingress", "ingressroute", "httproute"]
    if grpc_port(plan) is not None:
        kinds.append("grpcroute")
    if plan.exposure.kind != "none" and plan.exposure.kind not in kinds:
        kinds.append(plan.exposure.kind)
    return {kind: _exposure(plan, kind) for kind in sorted(kinds)}


def _exposure(plan: ChartPlan, kind: str) -> dict[str, Any]:
    """Values that turn on `kind` (and only it), with TLS where the kind has it."""
    hosts = list(plan.exposure.hosts) or [CI_HOST]
    off: dict[str, dict[str, Any]] = {
        "ingress": {"enabled": False},
        "ingressRoute": {"enabled": False},
        "httpRoute": {"enabled": False},
        "grpcRoute": {"enabled": False},
    }
    gateway = [
        {
            "name": plan.exposure.gateway_name or "ci-gateway",
            "namespace": plan.exposure.gateway_namespace or "gateway-system",
        }
    ]
    if kind == "ingress":
        off["ingress"] = {
            "enabled": True,
            "className": plan.exposure.class_name or "nginx",
            "hosts": hosts,
            "tls": True,
            "certManager": {
                "issuer": plan.exposure.cert_manager_issuer or "letsencrypt",
                "issuerKind": "ClusterIssuer",
            },
        }
    elif kind == "ingressroute":
        off["ingressRoute"] = {"enabled": True, "hosts": hosts, "tls": {"enabled": True}}
        off["traefikMiddlewares"] = {"redirectHttps": {"enabled": True}, "headers": {"enabled": True}}
    elif kind == "httproute":
        off["httpRoute"] = {"enabled": True, "parentRefs": gateway, "hostnames": hosts}
    else:
        off["grpcRoute"] = {"enabled": True, "parentRefs": gateway, "hostnames": hosts}
    return off


def _helper_container(name: str, command: list[str]) -> dict[str, Any]:
    image = TEST_IMAGE
    return {
        "name": name,
        "image": f"{image['registry']}/{image['repository']}:{image['tag']}",
        "imagePullPolicy": "IfNotPresent",
        "command": command,
        "securityContext": HELPER_CONTAINER_SECURITY,
        "resources": HELPER_RESOURCES,
    }


def _text(purpose: str, values: dict[str, Any]) -> str:
    return f"# {purpose} Used by `helm lint -f` and chart-testing.\n" + dump_yaml(values)
