"""Did the plan honour each fact the parser read? What it did not becomes a `NotDone` note.

Each fact field has a check that looks at the merged plan data (catalog defaults, facts,
answers and `--set`s, before validation): the fact is applied when the plan says what the
request said. A field without a check of its own is applied when its value shows up somewhere
in the plan; a bare `True` without a check never counts as applied, so a new fact an extractor
reads is reported until the planner is taught to honour it, never dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from pydantic import BaseModel

from agents.plan.dependencies import SERVICE_APPS
from agents.plan.facts import DependencyFact, FactOrigin, NotDone, RequestFacts
from agents.plan.model import ImageSpec

FactCheck = Callable[[RequestFacts, dict[str, Any]], bool]


def _get(data: dict[str, Any], path: str, default: Any = None) -> Any:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return default
        node = node[part]
    return node


def _equal(path: str, field: str, default: Any = None) -> FactCheck:
    return lambda facts, data: _get(data, path, default) == getattr(facts, field)


def _image(facts: RequestFacts, data: dict[str, Any]) -> bool:
    ref = facts.image or ""
    try:
        wanted = ImageSpec.parse(ref if ":" in ref.rsplit("/", 1)[-1] or "@" in ref else ref + ":0")
    except ValueError:
        return False
    return bool(_get(data, "image.repository") == wanted.repository)


def _ports(facts: RequestFacts, data: dict[str, Any]) -> bool:
    numbers = {p.get("container_port") for p in data.get("ports", [])}
    return set(facts.ports) <= numbers


def _grpc(facts: RequestFacts, data: dict[str, Any]) -> bool:
    protocols = {p.get("app_protocol") for p in data.get("ports", [])}
    probes = {(p or {}).get("type") for p in (data.get("probes") or {}).values()}
    return "grpc" in protocols or "grpc" in probes or _get(data, "exposure.kind") == "grpcroute"


def _replicas(facts: RequestFacts, data: dict[str, Any]) -> bool:
    """Pods in all: redis' `2 replicas` is one primary and one read replica following it."""
    replicas = data.get("replicas")
    return replicas is not None and replicas + (data.get("read_replicas") or 0) == facts.replicas


def _autoscale(facts: RequestFacts, data: dict[str, Any]) -> bool:
    return _get(data, "autoscaling.enabled") is True


def _exposure(facts: RequestFacts, data: dict[str, Any]) -> bool:
    return _get(data, "exposure.kind", "none") == facts.exposure


def _hosts(facts: RequestFacts, data: dict[str, Any]) -> bool:
    return set(facts.hosts) <= set(_get(data, "exposure.hosts", []))


def _tls(facts: RequestFacts, data: dict[str, Any]) -> bool:
    return _get(data, "exposure.tls") is True


def _env(facts: RequestFacts, data: dict[str, Any]) -> bool:
    values = {v.get("name"): v.get("value") for v in data.get("env", [])}
    return all(values.get(k) == v for k, v in facts.env.items())


def _secret_envs(facts: RequestFacts, data: dict[str, Any]) -> bool:
    secrets = {(v.get("name"), v.get("secret"), v.get("key")) for v in data.get("env", [])}
    return all((s.env, s.secret, s.key) in secrets for s in facts.secret_envs)


def _secret_ref_names(data: dict[str, Any]) -> list[str | None]:
    return [r.get("name") for r in data.get("secret_refs", [])]


def _databases(facts: RequestFacts, data: dict[str, Any]) -> bool:
    names = _secret_ref_names(data)
    # a nameless reference is asked about (gap question), which also accounts for the fact
    return all(db.secret in names or (db.secret is None and None in names) for db in facts.databases)


def _secrets(facts: RequestFacts, data: dict[str, Any]) -> bool:
    return set(facts.secrets) <= set(_secret_ref_names(data))


def _persistence(facts: RequestFacts, data: dict[str, Any]) -> bool:
    return bool(_get(data, "persistence.enabled", False)) == facts.persistence


def _metrics(facts: RequestFacts, data: dict[str, Any]) -> bool:
    return bool(_get(data, "metrics.enabled", False)) == facts.metrics


def _metrics_port(facts: RequestFacts, data: dict[str, Any]) -> bool:
    port = _get(data, "metrics.port", "metrics")
    return any(
        p.get("name") == port and p.get("container_port") == facts.metrics_port for p in data.get("ports", [])
    )


def _migration_command(facts: RequestFacts, data: dict[str, Any]) -> bool:
    return _get(data, "migration.command") == facts.migration_command


def _network_policy(facts: RequestFacts, data: dict[str, Any]) -> bool:
    return _get(data, "network_policy.enabled", True) == facts.network_policy


def _rbac_rules(facts: RequestFacts, data: dict[str, Any]) -> bool:
    return _get(data, "rbac.rules") == [r.model_dump() for r in facts.rbac_rules]


def _node_selector(facts: RequestFacts, data: dict[str, Any]) -> bool:
    selector = _get(data, "scheduling.node_selector", {}) or {}
    return all(selector.get(k) == v for k, v in facts.node_selector.items())


def _tolerations(facts: RequestFacts, data: dict[str, Any]) -> bool:
    have = _get(data, "scheduling.tolerations", []) or []
    return all(t.model_dump(exclude_none=True) in have for t in facts.tolerations)


def _pdb(facts: RequestFacts, data: dict[str, Any]) -> bool:
    return _get(data, "pdb.enabled") == facts.pdb


def _autoscale_off(facts: RequestFacts, data: dict[str, Any]) -> bool:
    return _get(data, "autoscaling.enabled", False) is False


def _no_service(facts: RequestFacts, data: dict[str, Any]) -> bool:
    return _get(data, "service.enabled", True) == facts.service


def _worker(facts: RequestFacts, data: dict[str, Any]) -> bool:
    return _get(data, "service.enabled", True) is False and not data.get("ports")


def _name(facts: RequestFacts, data: dict[str, Any]) -> bool:
    from agents.plan.planner import chart_name

    return data.get("name") == chart_name(facts.name or "")


def _components(facts: RequestFacts, data: dict[str, Any]) -> bool:
    planned = {c.get("name"): c for c in data.get("components", []) if isinstance(c, dict)}
    return all(
        c.name in planned and (c.replicas is None or planned[c.name].get("replicas", 1) == c.replicas)
        for c in facts.components
    )


def _init_containers(facts: RequestFacts, data: dict[str, Any]) -> bool:
    names = {c.get("name") for c in data.get("init_containers", []) if isinstance(c, dict)}
    return all(c.name in names for c in facts.init_containers)


CHECKS: dict[str, FactCheck] = {
    "app": lambda facts, data: data.get("catalog_app") == facts.app,
    "image": _image,
    "name": _name,
    "ports": _ports,
    "grpc": _grpc,
    "replicas": _replicas,
    "autoscale": _autoscale,
    "autoscale_min": _equal("autoscaling.min_replicas", "autoscale_min"),
    "autoscale_max": _equal("autoscaling.max_replicas", "autoscale_max"),
    "cpu_request": _equal("resources.cpu_request", "cpu_request"),
    "cpu_limit": _equal("resources.cpu_limit", "cpu_limit"),
    "memory_request": _equal("resources.memory_request", "memory_request"),
    "memory_limit": _equal("resources.memory_limit", "memory_limit"),
    "workload": _equal("workload", "workload", "Deployment"),
    "schedule": _equal("job.schedule", "schedule"),
    "time_zone": _equal("job.time_zone", "time_zone"),
    "command": _equal("command", "command"),
    "exposure": _exposure,
    "hosts": _hosts,
    "ingress_class": _equal("exposure.class_name", "ingress_class"),
    "tls": _tls,
    "cert_manager_issuer": _equal("exposure.cert_manager_issuer", "cert_manager_issuer"),
    "tls_secret": _equal("exposure.tls_secret", "tls_secret"),
    "gateway_name": _equal("exposure.gateway_name", "gateway_name"),
    "gateway_namespace": _equal("exposure.gateway_namespace", "gateway_namespace"),
    "path": _equal("exposure.path", "path"),
    "env": _env,
    "secret_envs": _secret_envs,
    "databases": _databases,
    "secrets": _secrets,
    "persistence": _persistence,
    "persistence_size": _equal("persistence.size", "persistence_size"),
    "persistence_path": _equal("persistence.mount_path", "persistence_path"),
    "storage_class": _equal("persistence.storage_class", "storage_class"),
    "metrics": _metrics,
    "metrics_port": _metrics_port,
    "service_monitor": lambda facts, data: _get(data, "metrics.service_monitor") is True,
    "migration": lambda facts, data: _get(data, "migration.enabled") is True,
    "migration_command": _migration_command,
    "network_policy": _network_policy,
    "egress_restricted": lambda facts, data: _get(data, "network_policy.egress_restricted") is True,
    "rbac_rules": _rbac_rules,
    "rbac_cluster_wide": lambda facts, data: _get(data, "rbac.cluster_wide") is True,
    "node_selector": _node_selector,
    "tolerations": _tolerations,
    "pdb": _pdb,
    "udp_ports": lambda facts, data: all(
        any(p.get("container_port") == n and p.get("protocol") == "UDP" for p in data.get("ports", []))
        for n in facts.udp_ports
    ),
    "app_protocol": lambda facts, data: (
        bool(data.get("ports")) and data["ports"][0].get("app_protocol") == facts.app_protocol
    ),
    "health_path": _equal("probes.readiness.path", "health_path"),
    "pdb_min_available": _equal("pdb.min_available", "pdb_min_available"),
    "autoscale_off": _autoscale_off,
    "service": _no_service,
    "worker": _worker,
    "init_containers": _init_containers,
    "components": _components,
    # capability flags: applied when the plan switches the object on
    "vpa": lambda facts, data: _get(data, "vpa.enabled") is True,
    "external_secret": lambda facts, data: _get(data, "external_secret.enabled") is True,
    "alerting": lambda facts, data: _get(data, "alerting.enabled") is True,
    "redirect_https": lambda facts, data: _get(data, "middlewares.redirect_https") is True,
    "security_headers": lambda facts, data: _get(data, "middlewares.security_headers") is True,
    "control_plane": lambda facts, data: any(
        t.get("key") == "node-role.kubernetes.io/control-plane"
        for t in _get(data, "scheduling.tolerations", []) or []
    ),
    "grace_seconds": lambda facts, data: (
        _get(data, "lifecycle.termination_grace_period_seconds") is not None
        and _get(data, "lifecycle.termination_grace_period_seconds") >= facts.grace_seconds
    ),
}

REASONS: dict[str, str] = {
    "storage_class": "a storage class applies to persistent storage; say how much (e.g. '10Gi storage')",
    "worker": "a worker next to ports or a route needs a second component, which is not generated yet",
    "persistence_path": "the mount path applies to persistent storage, which this chart does not use",
    "external_secret": "an ExternalSecret needs the SecretStore it reads from: say 'from secret store NAME'",
    "alerting": "alerts are PrometheusRules on the app's metrics: say 'with metrics' too",
    "init_containers": "an init container needs something to run: say its command "
    "(`init container that runs 'cmd' into /path`) or the URL it downloads",
    "ingress_class": "the ingress class applies to an Ingress; this chart is exposed another way",
}


def _scalars(value: Any) -> Iterable[str]:
    if isinstance(value, BaseModel):  # a typed fact (EgressRule, KedaTrigger) shows as its fields
        value = value.model_dump(exclude_none=True)
    if isinstance(value, dict):
        for item in value.values():
            yield from _scalars(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _scalars(item)
    elif value is not None and not isinstance(value, bool):
        yield str(value)


def _shows_in_plan(value: Any, data: dict[str, Any]) -> bool:
    """The fallback check: every scalar of the fact appears somewhere in the plan."""
    wanted = set(_scalars(value))
    return bool(wanted) and wanted <= set(_scalars(data))


def fact_applied(field: str, facts: RequestFacts, data: dict[str, Any]) -> bool:
    check = CHECKS.get(field)
    if check is not None:
        return check(facts, data)
    return _shows_in_plan(getattr(facts, field), data)


def dependency_applied(dep: DependencyFact, data: dict[str, Any]) -> bool:
    """An existing dependency is a connection through a Secret (named, or asked for by a gap question)."""
    if not dep.existing:  # bundled: a dependency chart of that app (`postgresql` is the postgres entry)
        app = SERVICE_APPS.get(dep.app, dep.app)
        return any(d.get("app") == app for d in data.get("dependencies", []) if isinstance(d, dict))
    names = _secret_ref_names(data)
    return dep.secret in names if dep.secret else None in names


def dependency_reason(dep: DependencyFact) -> str:
    if dep.existing:
        return f"the connection to the existing {dep.app} was not wired: say which Secret holds it ('{dep.app} via existing secret NAME')"
    return (
        f"{dep.app} is something this app talks to, not the app itself; there is no {dep.app} chart to bundle "
        f"here: run it separately and connect with '{dep.app} via existing secret NAME'"
    )


def _origin_words(origins: list[FactOrigin], field: str) -> str | None:
    words = [o.words for o in origins if o.field == field]
    return " … ".join(words) if words else None


def unapplied_facts(facts: RequestFacts, data: dict[str, Any]) -> list[NotDone]:
    """The facts the request stated that the plan data does not carry, in the user's words."""
    notes: list[NotDone] = []
    for dep in facts.dependencies:
        if not dependency_applied(dep, data):
            notes.append(NotDone(words=dep.words, reason=dependency_reason(dep)))
    seen: set[str] = set()
    for origin in facts.origins:
        field = origin.field
        if field in seen or field == "dependencies":
            continue
        seen.add(field)
        if fact_applied(field, facts, data):
            continue
        words = _origin_words(facts.origins, field) or field
        reason = REASONS.get(
            field, f"understood ({field.replace('_', ' ')}) but this chart does not apply it"
        )
        notes.append(NotDone(words=words, reason=reason))
    unique: dict[str, NotDone] = {}
    for note in notes:
        unique.setdefault(note.words.lower(), note)
    return list(unique.values())
