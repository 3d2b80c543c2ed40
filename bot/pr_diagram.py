"""What the chart creates, for the pull request body: a Mermaid diagram (GitHub renders it) and the
values people change most, with their defaults. Built from the plan, so it says what was asked for
rather than what a template happens to print."""

from __future__ import annotations

from pydantic import BaseModel

from agents.plan.model import ChartPlan

ROUTE_NAMES = {
    "ingress": "Ingress",
    "ingressroute": "Traefik IngressRoute",
    "httproute": "HTTPRoute",
    "grpcroute": "GRPCRoute",
}


def _label(text: str) -> str:
    """A Mermaid node label: quotes and angle brackets would end or break it."""
    return text.replace('"', "'").replace("<", "‹").replace(">", "›")


def _node(key: str, text: str) -> str:
    return f'  {key}["{_label(text)}"]'


def _pdb_on(plan: ChartPlan) -> bool:
    if plan.pdb.enabled is not None:
        return plan.pdb.enabled
    return plan.replicas > 1 or plan.autoscaling.enabled


def diagram(plan: ChartPlan) -> str:
    """routes → Service → workload → ConfigMap/Secret/PVC, with HPA, PDB, NetworkPolicy and
    ServiceMonitor attached by dotted lines."""
    replicas = (
        f"{plan.autoscaling.min_replicas}–{plan.autoscaling.max_replicas}"
        if plan.autoscaling.enabled
        else str(plan.replicas)
    )
    serving = plan.workload in ("Deployment", "StatefulSet", "DaemonSet")
    workload = f"{plan.workload} {plan.name}" + (
        f" ×{replicas}" if plan.workload != "DaemonSet" and serving else ""
    )
    lines = ["```mermaid", "flowchart LR", _node("workload", workload)]
    if serving and plan.service.enabled and plan.ports:
        ports = ", ".join(str(p.service_port or p.container_port) for p in plan.ports)
        lines += [_node("service", f"Service {plan.service.type} :{ports}"), "  service --> workload"]
        if plan.exposure.kind != "none":
            hosts = ", ".join(plan.exposure.hosts) or "any host"
            route = f"{ROUTE_NAMES[plan.exposure.kind]} {hosts}{plan.exposure.path if plan.exposure.path != '/' else ''}"
            lines += [_node("route", route + (" (TLS)" if plan.exposure.tls else "")), "  route --> service"]
        if plan.metrics.enabled and plan.metrics.service_monitor:
            lines += [_node("monitor", "ServiceMonitor"), "  monitor -.-> service"]
    if plan.config_files:
        lines += [_node("config", f"ConfigMap ({len(plan.config_files)} file(s))"), "  workload --> config"]
    secrets = sorted({ref.name for ref in plan.secret_refs} | {e.secret for e in plan.env if e.secret})
    for index, name in enumerate(secrets):
        lines += [_node(f"secret{index}", f"Secret {name} (existing)"), f"  workload --> secret{index}"]
    if plan.persistence.enabled:
        claim = plan.persistence.existing_claim or f"PVC {plan.persistence.size}"
        lines += [_node("volume", f"{claim} at {plan.persistence.mount_path}"), "  workload --> volume"]
    if plan.autoscaling.enabled:
        lines += [_node("hpa", f"HPA {replicas}"), "  hpa -.-> workload"]
    if serving and _pdb_on(plan):
        lines += [_node("pdb", "PodDisruptionBudget"), "  pdb -.-> workload"]
    if plan.network_policy.enabled:
        lines += [_node("netpol", "NetworkPolicy"), "  netpol -.-> workload"]
    return "\n".join([*lines, "```"])


def common_values(plan: ChartPlan) -> str:
    """The values people change most, with this chart's defaults, as a Markdown table."""
    rows = [
        (
            "image.registry / repository / tag",
            f"{plan.image.registry} / {plan.image.repository} / {plan.image.tag or '-'}",
        ),
        ("replicaCount", f"{plan.replicas}"),
        (
            "resources.requests",
            f"cpu {plan.resources.cpu_request or '-'}, memory {plan.resources.memory_request or '-'}",
        ),
        (
            "resources.limits",
            f"cpu {plan.resources.cpu_limit or '-'}, memory {plan.resources.memory_limit or '-'}",
        ),
    ]
    if plan.autoscaling.enabled:
        rows.append(
            (
                "autoscaling.minReplicas / maxReplicas",
                f"{plan.autoscaling.min_replicas} / {plan.autoscaling.max_replicas}",
            )
        )
    if plan.exposure.kind != "none":
        rows.append(
            (f"{ROUTE_NAMES[plan.exposure.kind]} host(s)", ", ".join(plan.exposure.hosts) or "(none)")
        )
    persistence = (
        f"{plan.persistence.size} at {plan.persistence.mount_path}" if plan.persistence.enabled else "off"
    )
    rows.append(("persistence.enabled / size", persistence))
    body = "\n".join(f"| `{key}` | {value.replace('|', '/')} |" for key, value in rows)
    return f"| Value | Default |\n|---|---|\n{body}"


def chart_overview(plan: BaseModel) -> str:
    """The diagram and the values table, or nothing for a plan that is not a `ChartPlan`."""
    if not isinstance(plan, ChartPlan):
        return ""
    return f"### What the chart creates\n\n{diagram(plan)}\n\n{common_values(plan)}\n\n"
