"""README.md with install steps and the parameters table, built from the same params as values.yaml."""

from __future__ import annotations

import json
from typing import Any

from agents.chart.params import Section
from agents.plan.model import ChartPlan

CRD_NOTES = {
    "ingressRoute": "Traefik's CRDs (`traefik.io/v1alpha1`) for `ingressRoute.enabled`",
    "httpRoute": "the Gateway API CRDs (`gateway.networking.k8s.io/v1`) and a Gateway for `httpRoute.enabled` "
    "or `grpcRoute.enabled`",
    "metrics": "the Prometheus operator CRDs (`monitoring.coreos.com/v1`) for `metrics.serviceMonitor.enabled`",
    "prometheusRule": "the Prometheus operator CRDs (`monitoring.coreos.com/v1`) for `prometheusRule.enabled`",
    "keda": "KEDA (`keda.sh/v1alpha1`) for `keda.enabled`",
    "vpa": "the Vertical Pod Autoscaler (`autoscaling.k8s.io/v1`) for `vpa.enabled`",
    "externalSecret": "the External Secrets Operator (`external-secrets.io/v1`) and a SecretStore for "
    "`externalSecret.enabled`",
}


def render_readme(plan: ChartPlan, sections: list[Section]) -> str:
    """README.md for the chart."""
    name = plan.name
    top_keys = {p.keys[0] for s in sections for p in s.params}
    lines = [
        f"# {name}",
        "",
        plan.description or f"A Helm chart for {name} on Kubernetes.",
        "",
        "## TL;DR",
        "",
        "```console",
        f"helm install my-release ./{name}",
        "```",
        "",
        "## Introduction",
        "",
        f"This chart deploys `{plan.image.reference}` as a Kubernetes {plan.workload}. "
        "Pods follow the restricted Pod Security Standard (non-root, read-only root filesystem, "
        "no privilege escalation, all capabilities dropped, RuntimeDefault seccomp), "
        "and every optional object can be switched on or off in `values.yaml`.",
        "",
        "## Prerequisites",
        "",
        f"- Kubernetes `{plan.kube_version}`",
        "- Helm 3.8+",
    ]
    lines += [f"- {note}" for key, note in CRD_NOTES.items() if key in top_keys]
    if plan.host_path_mounts:
        paths = ", ".join(f"`{m.host_path}`" for m in plan.host_path_mounts)
        lines += [
            "",
            "## Security exception: host paths",
            "",
            f"This node agent mounts {paths} from each node, read-only (`hostPathMounts`). hostPath volumes are "
            "outside the restricted Pod Security Standard: the namespace needs the `privileged` Pod Security "
            "level, and the pods declare the exception in their `autopilot.k8s.io/accepted-risks` annotation. "
            "Remove entries from `hostPathMounts` to drop it.",
        ]
    lines += [
        "",
        "## Installing the chart",
        "",
        "```console",
        f"helm install my-release ./{name} --namespace my-namespace --create-namespace",
        "```",
        "",
        "Change any parameter with `--set key=value` or a values file (`-f my-values.yaml`); "
        "`values.schema.json` rejects values of the wrong type before anything is installed.",
        "",
    ]
    if plan.is_serving and plan.service.enabled:
        lines += ["Check the release with `helm test my-release --namespace my-namespace`.", ""]
    lines += _credentials_lines(plan)
    lines += _scaling_lines(plan)
    lines += [
        "## Uninstalling the chart",
        "",
        "```console",
        "helm uninstall my-release --namespace my-namespace",
        "```",
        "",
    ]
    if plan.workload == "StatefulSet" or plan.persistence.enabled:
        lines += [
            "PersistentVolumeClaims created by a StatefulSet are kept; delete them by hand when the data is no longer needed.",
            "",
        ]
    lines += ["## Parameters", ""]
    for section in sections:
        lines += [
            f"### {section.title}",
            "",
            "| Name | Description | Value |",
            "| ---- | ----------- | ----- |",
        ]
        lines += [f"| `{p.path}` | {_cell(p.description)} | {_value_cell(p.value)} |" for p in section.params]
        lines.append("")
    lines += [
        "## Continuous integration",
        "",
        "The files in `ci/` switch the optional features on so that `helm lint` and "
        "`helm template` exercise every template:",
        "",
        "```console",
        f"helm lint ./{name} --strict -f ./{name}/ci/full-values.yaml",
        "```",
        "",
    ]
    return "\n".join(lines)


def _credentials_lines(plan: ChartPlan) -> list[str]:
    """How the credentials Secret is made, kept and read; the TL;DR install needs nothing else."""
    if not plan.credentials:
        return []
    random_keys = [c.key for c in plan.credentials if c.value is None]
    secret = f"my-release-{plan.name}-credentials"
    lines = [
        "## Credentials",
        "",
        f"The chart creates the Secret `<fullname>-credentials` (`{secret}` for the release above) with the keys "
        + ", ".join(f"`{c.key}`" for c in plan.credentials)
        + ". "
        + (
            "Keys left empty in `auth.credentials` ("
            + ", ".join(f"`{k}`" for k in random_keys)
            + ") get a random value on install; upgrades keep the value already in the cluster."
            if random_keys
            else ""
        ),
        "Set `auth.existingSecret` to the name of a Secret you manage (same keys) and the chart creates none.",
        "Tools that render without a cluster (`helm template`, Argo CD) cannot look the Secret up and would "
        "draw new values on every render: give them `auth.existingSecret` or the values themselves.",
        "",
        "```console",
    ]
    lines += [
        f"kubectl get secret --namespace my-namespace {secret} -o jsonpath='{{.data.{key}}}' | base64 -d"
        for key in random_keys[:1] or [plan.credentials[0].key]
    ]
    lines += ["```", ""]
    if plan.workload == "StatefulSet" or plan.persistence.enabled:
        lines += [
            "With persistence on, the Secret is kept on uninstall (`helm.sh/resource-policy: keep`), like the "
            "data, so a reinstall with the same release name finds the password the data was created with.",
            "",
        ]
    return lines


def _scaling_lines(plan: ChartPlan) -> list[str]:
    if not (plan.single_primary or plan.datastore):
        return []
    lines = ["## Scaling and exposure", ""]
    if plan.replication == "replicaof":
        lines.append(
            f"{plan.name} runs one primary; `replication.replicas` adds read replicas that follow it with "
            "`--replicaof` (Service `<fullname>` for writes, `<fullname>-replicas` for reads). There is no "
            "automatic failover; keep `persistence.enabled` on when replicas run, or a restarted primary "
            "comes back empty and the replicas copy that."
        )
    elif plan.single_primary:
        lines.append(
            f"{plan.name} keeps its data in one primary pod, so `replicaCount` is 0 or 1 and there is no "
            "HorizontalPodAutoscaler: more pods would be independent primaries. For replication and failover "
            "use an operator built for it (e.g. CloudNativePG for PostgreSQL, Strimzi for Kafka)."
        )
    if plan.datastore:
        lines.append(
            f"Clients reach {plan.name} through its Service inside the cluster; the chart has no Ingress, "
            "route or migration hook."
        )
    return [*lines, ""]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _value_cell(value: Any) -> str:
    if isinstance(value, str) and "\n" in value:
        return "(multi-line text)"
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if len(text) > 80:
        return "(see values.yaml)"
    return f"`{_cell(text)}`"
