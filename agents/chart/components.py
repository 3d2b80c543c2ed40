"""Components: further Deployments on the app's image, with values grouped per component.

Each component gets its own copy of the `component-*.yaml` templates (named after it), with
its values under its own key the way Bitnami groups them: `worker.replicaCount`,
`worker.command`, `worker.resources`, `worker.autoscaling.*`, `worker.pdb.*`…
"""

from __future__ import annotations

from typing import Any

from agents.chart.params import Section
from agents.plan.model import ChartPlan, ComponentPlan, Probe, Resources

COMPONENT_KEY = "COMPONENTKEY"  # replaced by the component's values key (camelCase)
COMPONENT_NAME = "COMPONENTNAME"  # replaced by the component's name (its label and object suffix)
PORT_ITEMS = {"type": "object", "required": ["name", "containerPort"]}


def component_templates(component: ComponentPlan) -> list[str]:
    """The templates one component needs: a Service only when it serves traffic on its own ports."""
    names = ["_components.tpl", "component-deployment.yaml", "component-hpa.yaml", "component-pdb.yaml"]
    if component.ports:
        names.append("component-service.yaml")
    return names


def specialise(source: str, component: ComponentPlan) -> str:
    """A component template with its placeholders replaced."""
    return source.replace(COMPONENT_KEY, component.values_key).replace(COMPONENT_NAME, component.name)


def component_sections(plan: ChartPlan) -> list[Section]:
    """One values section per component, plus the switch that puts the component label in selectors."""
    if not plan.components:
        return []
    selector = Section(title="Component parameters")
    selector.add(
        "componentInSelector",
        True,
        "Select pods by app.kubernetes.io/component too, so each component's Service, PDB and HPA see only "
        "its own pods (immutable once installed)",
    )
    return [selector, *(_component_section(c) for c in plan.components)]


def _component_section(component: ComponentPlan) -> Section:
    key = component.values_key
    auto = component.autoscaling
    s = Section(title=f"{component.name} component parameters")
    s.add(f"{key}.enabled", True, f"Run the {component.name} component")
    s.add(
        f"{key}.replicaCount",
        component.replicas,
        "Number of pods (ignored when autoscaling is on)",
        minimum=0,
    )
    s.add(f"{key}.command", list(component.command), "Command of the container", items={"type": "string"})
    s.add(f"{key}.args", list(component.args), "Arguments of the container", items={"type": "string"})
    s.add(
        f"{key}.ports",
        [_port(p.name, p.container_port, p.exposed_port, p.protocol) for p in component.ports],
        "Container ports; a component with ports gets its own Service",
        items=PORT_ITEMS,
    )
    s.add(f"{key}.resources", _resources(component.resources), "Container resource requests and limits")
    probes = component.probes
    s.add(f"{key}.livenessProbe", _probe(probes.liveness), "Liveness probe (Kubernetes Probe plus enabled)")
    s.add(
        f"{key}.readinessProbe", _probe(probes.readiness), "Readiness probe (Kubernetes Probe plus enabled)"
    )
    s.add(f"{key}.startupProbe", _probe(probes.startup), "Startup probe (Kubernetes Probe plus enabled)")
    s.add(
        f"{key}.terminationGracePeriodSeconds",
        component.termination_grace_period_seconds,
        "Seconds a pod gets to finish its work when stopped",
        minimum=0,
    )
    s.add(
        f"{key}.extraEnvVars", [], "Environment variables added to those of the app", items={"type": "object"}
    )
    s.add(f"{key}.autoscaling.enabled", auto.enabled, "Create a HorizontalPodAutoscaler for the component")
    s.add(f"{key}.autoscaling.minReplicas", auto.min_replicas, "Minimum pods", minimum=1)
    s.add(f"{key}.autoscaling.maxReplicas", auto.max_replicas, "Maximum pods", minimum=1)
    s.add(
        f"{key}.autoscaling.targetCPU",
        auto.target_cpu_utilization or 0,
        "Target average CPU utilization in percent (0: not used)",
        minimum=0,
        maximum=100,
    )
    s.add(
        f"{key}.autoscaling.targetMemory",
        auto.target_memory_utilization or 0,
        "Target average memory utilization in percent (0: not used)",
        minimum=0,
        maximum=100,
    )
    pdb = component.pdb
    bound = {"type": ["integer", "string"], "pattern": "^([0-9]+%?)?$"}
    s.add(
        f"{key}.pdb.create",
        pdb.enabled if pdb.enabled is not None else component.highly_available,
        "Create a PodDisruptionBudget (on by default when more than one pod runs)",
    )
    s.add(
        f"{key}.pdb.minAvailable",
        pdb.min_available if pdb.min_available is not None else "",
        "Pods that must stay available (empty: use maxUnavailable)",
        **bound,
    )
    s.add(
        f"{key}.pdb.maxUnavailable",
        pdb.max_unavailable if pdb.max_unavailable is not None else "",
        "Pods that may be unavailable",
        **bound,
    )
    return s


def _port(name: str, container: int, service: int, protocol: str) -> dict[str, Any]:
    return {"name": name, "containerPort": container, "servicePort": service, "protocol": protocol}


def _resources(r: Resources) -> dict[str, Any]:
    requests = {k: v for k, v in (("cpu", r.cpu_request), ("memory", r.memory_request)) if v}
    limits = {k: v for k, v in (("cpu", r.cpu_limit), ("memory", r.memory_limit)) if v}
    return {k: v for k, v in (("requests", requests), ("limits", limits)) if v}


def _probe(probe: Probe | None) -> dict[str, Any]:
    """A component probe; named ports resolve in the component's own container."""
    if probe is None:
        return {"enabled": False}
    handler: dict[str, Any]
    if probe.type == "http":
        handler = {"httpGet": {"path": probe.path, "port": probe.port}}
    elif probe.type == "tcp":
        handler = {"tcpSocket": {"port": probe.port}}
    elif probe.type == "grpc":
        handler = {"grpc": {"port": probe.port}}
    else:
        handler = {"exec": {"command": list(probe.command or [])}}
    return {
        "enabled": True,
        **handler,
        "initialDelaySeconds": probe.initial_delay_seconds,
        "periodSeconds": probe.period_seconds,
        "timeoutSeconds": probe.timeout_seconds,
        "failureThreshold": probe.failure_threshold,
        "successThreshold": probe.success_threshold,
    }
