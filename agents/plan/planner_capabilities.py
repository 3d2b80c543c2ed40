"""Facts → plan data for the capabilities beyond the core workload (issue 11 point 5).

Scaling (HPA targets, KEDA, VPA), secrets (ExternalSecret, mounted Secrets), networking
(Service type, named ports, NetworkPolicy rules, Traefik and cert-manager options),
observability (ServiceMonitor labels, alerts), scheduling and hardware, lifecycle, hooks and
job limits, init containers, ConfigMap data, storage options and node-agent host paths.
Each function reads `RequestFacts` and writes plain plan data; the model validates it later.
Anything a fact cannot become is written to `notes` in words, never dropped silently.
"""

from __future__ import annotations

import math
import re
from typing import Any

from agents.plan.facts import RequestFacts

WEB_PROTOCOLS = {"http": "http", "https": "https", "web": "http", "api": "http", "admin": "http",
                 "grpc": "grpc", "h2c": "h2c", "http2": "http2", "ws": "ws"}  # fmt: skip
NODE_AGENT_RULES = [
    {"api_groups": [""], "resources": ["pods", "namespaces", "nodes"], "verbs": ["get", "list", "watch"]}
]


def name_ports(data: dict[str, Any], facts: RequestFacts) -> None:
    """`admin port 9090`: the port gets that name (and appProtocol when the name says it)."""
    ports: list[dict[str, Any]] = data.get("ports", [])
    for name, number in facts.named_ports:
        taken = {p["name"] for p in ports if p["container_port"] != number}
        for port in ports:
            if port["container_port"] == number and name not in taken:
                port["name"] = name
                if name in WEB_PROTOCOLS:
                    port["app_protocol"] = WEB_PROTOCOLS[name]
                elif port.get("app_protocol") == "http" and port is not ports[0]:
                    port.pop("app_protocol")


def apply_capabilities(data: dict[str, Any], facts: RequestFacts, notes: list[str]) -> None:
    """Every capability fact the request states, written into the plan data."""
    _scaling(data, facts, notes)
    _secrets(data, facts, notes)
    _networking(data, facts)
    _observability(data, facts)
    _scheduling(data, facts, notes)
    _lifecycle(data, facts, notes)
    _jobs(data, facts, notes)
    _config_and_storage(data, facts)
    _node_agent(data, facts, notes)


def _scaling(data: dict[str, Any], facts: RequestFacts, notes: list[str]) -> None:
    auto = data.get("autoscaling", {})
    if auto.get("enabled") and (facts.target_cpu or facts.target_memory):
        auto["target_cpu_utilization"] = facts.target_cpu
        auto["target_memory_utilization"] = facts.target_memory
    if facts.keda_triggers:
        minimum = facts.keda_min if facts.keda_min is not None else 1
        if minimum == 0 and all(t.type in {"cpu", "memory"} for t in facts.keda_triggers):
            minimum = 1
            notes.append(
                "keda: a CPU trigger cannot scale to zero; minReplicaCount 1 (name a queue to scale to zero)"
            )
        keda: dict[str, Any] = {
            "enabled": True,
            "min_replicas": minimum,
            "max_replicas": max(facts.keda_max or 10, minimum, 1),
            "triggers": [t.model_dump() for t in facts.keda_triggers],
        }
        if facts.keda_auth_secret:
            keda["auth_secret"] = facts.keda_auth_secret
            keda["auth_params"] = dict(facts.keda_auth_params)
        data["keda"] = keda
        data["autoscaling"] = {"enabled": False}
        for trigger in facts.keda_triggers:
            defaults = {
                k: v
                for k, v in trigger.metadata.items()
                if k in {"bootstrapServers", "address", "serverAddress"}
            }
            if defaults:
                notes.append(
                    f"keda {trigger.type}: assumed {defaults}; set keda.triggers in values.yaml to your endpoints"
                )
    if facts.vpa:
        data["vpa"] = {"enabled": True, "update_mode": facts.vpa_mode or "Off"}
        if not facts.vpa_mode:
            notes.append(
                "vpa: recommendation only (updateMode Off); say 'vpa in auto mode' to let it resize pods"
            )


def _secrets(data: dict[str, Any], facts: RequestFacts, notes: list[str]) -> None:
    if facts.external_secret and not facts.external_store:
        notes.append(
            "not done: ExternalSecret needs the SecretStore it reads from (say 'from secret store NAME')"
        )
    elif facts.external_store:
        external: dict[str, Any] = {
            "enabled": True,
            "store_name": facts.external_store,
            "store_kind": facts.external_store_kind or "SecretStore",
            "data": [k.model_dump(exclude_none=True) for k in facts.external_keys],
        }
        extract = facts.external_extract_key
        if not (extract or facts.external_keys):
            extract = f"{data.get('name', 'app')}"
            notes.append(
                f"external secret: no remote key named; every property of remote key {extract!r} is copied "
                "(set external_secret.extract_key)"
            )
        if extract:
            external["extract_key"] = extract
        data["external_secret"] = external
    refs: list[dict[str, Any]] = list(data.get("secret_refs", []))
    for name, path in facts.secret_mounts.items():
        refs.append({"name": name, "mount_path": path})
    if refs:
        data["secret_refs"] = refs


def _networking(data: dict[str, Any], facts: RequestFacts) -> None:
    if facts.service_type and data.get("service", {}).get("enabled", True):
        data.setdefault("service", {})["type"] = facts.service_type
    policy = data.setdefault("network_policy", {})
    if facts.np_ingress_namespaces or facts.np_ingress_pod_labels:
        policy["allow_external"] = False
        policy["ingress_namespaces"] = list(facts.np_ingress_namespaces)
        policy["ingress_pod_labels"] = dict(facts.np_ingress_pod_labels)
        if facts.np_only:
            policy["allow_same_namespace"] = False
    elif facts.np_only:
        policy["allow_external"] = False
    if facts.np_egress_rules:
        policy["egress_restricted"] = True
        policy["egress_rules"] = [r.model_dump(exclude_none=True) for r in facts.np_egress_rules]
    if not policy:
        data.pop("network_policy")
    exposure = data.get("exposure")
    if exposure is None:
        return
    if facts.cert_resolver:
        exposure["cert_resolver"] = facts.cert_resolver
        exposure["tls"] = True
    if facts.issuer_kind:
        exposure["cert_manager_issuer_kind"] = facts.issuer_kind
    middlewares: dict[str, Any] = {}
    if facts.redirect_https:
        middlewares["redirect_https"] = True
    if facts.security_headers:
        middlewares["security_headers"] = True
    if facts.rate_limit:
        middlewares["rate_limit_average"] = facts.rate_limit
        if facts.rate_limit_burst:
            middlewares["rate_limit_burst"] = facts.rate_limit_burst
    if middlewares:
        data["middlewares"] = middlewares


def _observability(data: dict[str, Any], facts: RequestFacts) -> None:
    metrics = data.get("metrics")
    if metrics is None:
        return
    if facts.service_monitor_labels:
        metrics["service_monitor_labels"] = dict(facts.service_monitor_labels)
    if facts.alerting and metrics.get("enabled"):
        data["alerting"] = {"enabled": True, "labels": dict(facts.service_monitor_labels)}


def _scheduling(data: dict[str, Any], facts: RequestFacts, notes: list[str]) -> None:
    if facts.gpu:
        data.setdefault("resources", {})["gpu"] = facts.gpu
        notes.append(f"gpu: limit nvidia.com/gpu={facts.gpu} and a toleration for nvidia.com/gpu taints")
    scheduling = data.setdefault("scheduling", {})
    if facts.control_plane:
        tolerations = list(scheduling.get("tolerations", []))
        tolerations.append(
            {"key": "node-role.kubernetes.io/control-plane", "operator": "Exists", "effect": "NoSchedule"}
        )
        scheduling["tolerations"] = tolerations
    if facts.priority_class:
        scheduling["priority_class_name"] = facts.priority_class
    if not scheduling:
        data.pop("scheduling")


def _lifecycle(data: dict[str, Any], facts: RequestFacts, notes: list[str]) -> None:
    lifecycle: dict[str, Any] = dict(data.get("lifecycle") or {})
    if facts.grace_seconds is not None:
        lifecycle["termination_grace_period_seconds"] = facts.grace_seconds
    if facts.pre_stop_seconds:
        lifecycle["pre_stop_sleep_seconds"] = facts.pre_stop_seconds
        grace = lifecycle.get("termination_grace_period_seconds", 30)
        if grace <= facts.pre_stop_seconds:
            lifecycle["termination_grace_period_seconds"] = facts.pre_stop_seconds + 30
            notes.append("grace period raised above the preStop pause so the app still gets time to stop")
    if lifecycle:
        data["lifecycle"] = lifecycle
    if facts.startup_seconds is None:
        return
    ports = data.get("ports") or []
    if not ports or data.get("workload") in {"Job", "CronJob"}:
        notes.append("not done: a startupProbe needs a serving workload with a port")
        return
    first = ports[0]
    probe: dict[str, Any] = {"type": "tcp", "port": first["name"]}
    if first.get("app_protocol") == "grpc":
        probe = {"type": "grpc", "port": first["container_port"]}
    probe.update(period_seconds=10, failure_threshold=max(3, math.ceil(facts.startup_seconds / 10)))
    data.setdefault("probes", {})["startup"] = probe


def _jobs(data: dict[str, Any], facts: RequestFacts, notes: list[str]) -> None:
    if facts.hook_events:
        migration = dict(data.get("migration", {}))
        command = facts.hook_command or migration.get("command")
        if not command:
            notes.append(
                f"not done: the {'/'.join(facts.hook_events)} hook needs a command (say \"runs 'your command'\")"
            )
        else:
            migration.update(enabled=True, command=list(command), hooks=list(facts.hook_events))
            if facts.hook_weight is not None:
                migration["weight"] = facts.hook_weight
            if facts.hook_delete_policy:
                migration["delete_policy"] = list(facts.hook_delete_policy)
            data["migration"] = migration
    job: dict[str, Any] = {}
    if facts.active_deadline:
        job["active_deadline_seconds"] = facts.active_deadline
    if facts.starting_deadline:
        job["starting_deadline_seconds"] = facts.starting_deadline
    if facts.keep_successful is not None:
        job["successful_jobs_history_limit"] = facts.keep_successful
    if facts.keep_failed is not None:
        job["failed_jobs_history_limit"] = facts.keep_failed
    if facts.time_zone and data.get("workload") == "CronJob":
        job["time_zone"] = facts.time_zone
    if job:
        data.setdefault("job", {}).update(job)
    # an init container with neither a command nor an image of its own would run the app itself and
    # never finish, holding the pod in Init: it is left out, and the accounting reports the words
    runnable = [c for c in facts.init_containers if c.command or c.image is not None]
    if runnable:
        data["init_containers"] = [c.model_dump(exclude_none=True) for c in runnable]


def _config_and_storage(data: dict[str, Any], facts: RequestFacts) -> None:
    if facts.config_data:
        data["config_data"] = dict(facts.config_data)
    if facts.existing_claim:
        persistence = data.setdefault("persistence", {})
        persistence.update(enabled=True, existing_claim=facts.existing_claim)
    if facts.access_modes and data.get("persistence", {}).get("enabled"):
        data["persistence"]["access_modes"] = list(facts.access_modes)
    if facts.storage_class and data.get("persistence", {}).get("enabled"):
        data["persistence"]["storage_class"] = facts.storage_class


def _node_agent(data: dict[str, Any], facts: RequestFacts, notes: list[str]) -> None:
    if not facts.host_paths:
        return
    if data.get("workload") != "DaemonSet":
        notes.append("not done: host paths are mounted only for DaemonSet node agents (say 'on every node')")
        return
    mounts = []
    for host_path, mount_path in facts.host_paths:
        name = re.sub(r"[^a-z0-9]+", "-", host_path.lower()).strip("-")[:50] or "root"
        mounts.append({"name": name, "host_path": host_path, "mount_path": mount_path})
    data["host_path_mounts"] = mounts
    notes.append(
        "node agent: host paths mounted read-only, a documented exception to the restricted profile "
        "(declared in the pods' accepted-risks annotation)"
    )
    if not data.get("rbac", {}).get("rules"):
        data["rbac"] = {"create": True, "cluster_wide": True, "rules": NODE_AGENT_RULES}
        data.setdefault("service_account", {})["automount_token"] = True
        notes.append("node agent: a ClusterRole reads pods, namespaces and nodes (to label what it collects)")
