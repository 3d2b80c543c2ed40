"""`plan_request`: request text (+ answers, + `--set`) → a validated `ChartPlan` or questions.

Order: catalog defaults → parsed facts → answers → sets → gap check → validation. Every
assumption that is not a plain model default is written to `notes` for the user to see.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from agents.plan.accounting import unapplied_facts
from agents.plan.catalog import CatalogEntry, find_entry
from agents.plan.dependencies import plan_components, plan_dependencies
from agents.plan.errors import PlanError
from agents.plan.facts import NotDone, RequestFacts
from agents.plan.gaps import find_gaps
from agents.plan.model import EXPORTER_PORT_NAME, ChartPlan, ImageSpec
from agents.plan.overrides import apply_answers, apply_sets, split_assignment, validate_plan
from agents.plan.parser import parse_request
from agents.plan.planner_capabilities import apply_capabilities, name_ports
from agents.plan.questions import PlanOutcome

MAX_REQUEST = 4000
WORKER_GRACE_SECONDS = 60  # a worker finishes the message in hand before it stops
SERVING = {"Deployment", "StatefulSet", "DaemonSet"}
SERVICE_ENV = {
    "redis": "REDIS_URL", "valkey": "REDIS_URL", "rabbitmq": "AMQP_URL", "amqp": "AMQP_URL",
    "mongo": "MONGODB_URI", "mongodb": "MONGODB_URI", "kafka": "KAFKA_BOOTSTRAP_SERVERS",
}  # fmt: skip


def chart_name(text: str) -> str:
    """A DNS-1123 chart name (≤ 53 chars) from an app or image name."""
    name = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")
    name = re.sub(r"-{2,}", "-", name)[:53].strip("-")
    return name or "app"


def _from_entry(entry: CatalogEntry, name: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": name,
        "description": entry.description,
        "home": entry.home,
        "sources": list(entry.sources),
        "icon": entry.icon,
        "keywords": list(entry.keywords),
        "catalog_app": entry.name,
        "workload": entry.workload,
        "ports": [p.model_dump(exclude_none=True) for p in entry.ports],
        "command": list(entry.command),
        "args": list(entry.args),
        "env": entry.env_for(name),
        "config_files": [c.model_dump() for c in entry.config_files],
        "probes": entry.probes.model_dump(exclude_none=True),
        "security": entry.security.model_dump(),
    }
    if entry.image:
        image = ImageSpec.parse(entry.image)
        data["image"] = image.model_dump()
        data["app_version"] = image.tag
    for field in ("persistence", "service", "metrics", "rbac", "resources"):
        value = getattr(entry, field)
        if value is not None:
            data[field] = value.model_dump(exclude_none=True)
    _run_facts(data, entry, name)
    if entry.rbac is not None and entry.rbac.create:
        data["service_account"] = {"automount_token": True}
    if entry.workload == "StatefulSet":
        data.setdefault("service", {})["headless"] = True
    return {k: v for k, v in data.items() if v is not None}


def _run_facts(data: dict[str, Any], entry: CatalogEntry, name: str) -> None:
    """What makes the app run, not only lint: data dir, credentials, exporter, scaling limits."""
    data_dir = entry.effective_data_dir()
    if data_dir is not None:
        persistence = data.setdefault("persistence", {"enabled": False})
        persistence["mount_path"] = data_dir
        writable = data["security"]["writable_paths"]
        if not persistence.get("enabled") and data_dir not in writable:
            writable.append(data_dir)  # an emptyDir until persistence is switched on
    if entry.credential_keys():
        data["credentials"] = [k.model_dump(exclude_none=True) for k in entry.credential_keys()]
    if entry.exporter is not None:
        exporter = entry.exporter
        data["exporter"] = {
            "image": ImageSpec.parse(exporter.image).model_dump(),
            "port": exporter.port,
            "path": exporter.path,
            "args": list(exporter.args),
            "env": entry.env_for(name, exporter.env),
            "run_as_user": exporter.run_as_user,
        }
        data["metrics"] = {"enabled": False, "port": EXPORTER_PORT_NAME, "path": exporter.path}
    if entry.shared_memory:
        data["shared_memory"] = entry.shared_memory
    data["datastore"] = entry.datastore
    data["single_primary"] = entry.single_primary
    if entry.replication is not None:
        data["replication"] = entry.replication


def _only_what_works(data: dict[str, Any], notes: list[str]) -> None:
    """Drop what a datastore or a single-primary app cannot do, saying why (ChartPlan rejects it)."""
    name = data.get("name", "the app")
    if data.get("single_primary"):
        if data.get("replication") == "replicaof" and data.get("replicas", 1) > 1:
            data["read_replicas"] = data["replicas"] - 1
            notes.append(
                f"{name}: one primary and {data['read_replicas']} read replica(s) that follow it with "
                "--replicaof; write to the primary Service, read from <fullname>-replicas; there is no "
                "automatic failover (no sentinel), and with persistence off a restarted primary comes back empty"
            )
        elif data.get("replicas", 1) > 1 or data.get("autoscaling", {}).get("enabled"):
            notes.append(
                f"{name} keeps its data in one primary pod, so it runs one replica without autoscaling: "
                "more pods would be independent primaries. For a replicated database use an operator "
                "(e.g. CloudNativePG for PostgreSQL)"
            )
        data["replicas"] = 1
        data["autoscaling"] = {"enabled": False}
    if data.get("datastore"):
        if data.get("exposure", {}).get("kind", "none") != "none":
            notes.append(
                f"{name} is reached through its Service inside the cluster: no Ingress or route is made"
            )
            data.pop("exposure")
        if data.get("migration", {}).get("enabled"):
            notes.append(f"{name} is a datastore: the migration hook belongs to the app that uses it")
            data.pop("migration")


def dependency_chart_plan(app: str) -> ChartPlan:
    """The plan of catalog app `app` bundled as a subchart (the same chart `autopilot chart app` makes)."""
    entry = find_entry(app)
    if entry is None or entry.kind != "app":
        raise PlanError(
            f"dependency {app!r} is not a catalog app: use one of postgres, mysql, mariadb, redis, …"
        )
    data = _from_entry(entry, entry.name)
    _writable_paths(data)
    return ChartPlan.model_validate(data)


def _image(data: dict[str, Any], facts: RequestFacts, notes: list[str]) -> None:
    if facts.image is None:
        return
    ref = facts.image
    try:
        image = ImageSpec.parse(ref)
        data["image"] = image.model_dump()
        data["app_version"] = image.tag or (image.digest or "")[7:19] or None
    except ValueError:
        # untagged reference: keep the repository, ask for the tag (gaps.py)
        untagged = ImageSpec.parse(ref + ":0")
        data["image"] = {"registry": untagged.registry, "repository": untagged.repository}
        data.pop("app_version", None)


def _ports(data: dict[str, Any], facts: RequestFacts) -> None:
    ports: list[dict[str, Any]] = [dict(p) for p in data.get("ports", [])]
    first_name = "grpc" if facts.grpc else "http"
    for i, number in enumerate(facts.ports):
        if any(p["container_port"] == number for p in ports):
            continue
        if i == 0 and ports:
            ports[0]["container_port"] = number
            ports[0].pop("service_port", None)
        else:
            taken = {p["name"] for p in ports}
            name = first_name if first_name not in taken else f"port-{number}"
            ports.append({"name": name, "container_port": number})
    if facts.grpc and ports and not data.get("catalog_app"):
        ports[0]["app_protocol"] = "grpc"
    elif ports and not data.get("catalog_app") and "app_protocol" not in ports[0]:
        ports[0]["app_protocol"] = "http"
    for port in ports:
        if port["container_port"] in facts.udp_ports:
            port["protocol"] = "UDP"
            port.pop("app_protocol", None)
            if port["name"] == "http":  # not HTTP: named for what it carries
                port["name"] = "udp"
    if facts.app_protocol and ports:
        ports[0]["app_protocol"] = facts.app_protocol
    if facts.metrics_port is not None and not any(p["container_port"] == facts.metrics_port for p in ports):
        ports.append({"name": "metrics", "container_port": facts.metrics_port, "app_protocol": "http"})
    if ports or "ports" in data:
        data["ports"] = ports


def _default_probes(data: dict[str, Any], facts: RequestFacts, notes: list[str]) -> None:
    """Plans without catalog probes get TCP liveness and protocol-aware readiness on the first port."""
    if data.get("probes") or not data.get("ports") or data.get("workload") in {"Job", "CronJob"}:
        return
    port = data["ports"][0]
    if port.get("protocol") == "UDP":
        notes.append(f"probes: none — port {port['name']} is UDP, which a TCP or HTTP probe cannot check; "
                     "add an exec probe (probes.liveness.type=exec) if the image has a health command")  # fmt: skip
        return
    readiness: dict[str, Any] = {"type": "tcp", "port": port["name"], "period_seconds": 5}
    liveness: dict[str, Any] = {
        "type": "tcp",
        "port": port["name"],
        "period_seconds": 20,
        "failure_threshold": 6,
    }
    if facts.health_path:  # the app said where it answers: HTTP probes there
        readiness = {"type": "http", "port": port["name"], "path": facts.health_path, "period_seconds": 5}
        liveness = {**liveness, "type": "http", "path": facts.health_path}
    elif facts.grpc or port.get("app_protocol") == "grpc":
        # a gRPC server is checked with the standard health protocol (native grpc probes)
        readiness = {"type": "grpc", "port": port["container_port"], "period_seconds": 5}
        liveness = {**liveness, "type": "grpc", "port": port["container_port"]}
    data["probes"] = {"liveness": liveness, "readiness": readiness}
    notes.append(f"probes: {liveness['type']} liveness and {readiness['type']} readiness on port {port['name']}; "
                 "set probes.readiness.type=http and probes.readiness.path=/healthz if the app has a health endpoint")  # fmt: skip


def _workload(data: dict[str, Any], facts: RequestFacts, notes: list[str]) -> None:
    if facts.workload:
        data["workload"] = facts.workload
    if data.get("workload") in {"Job", "CronJob"}:
        data["service"] = {"enabled": False}
        data["probes"] = {}
        data.pop("persistence", None) if not facts.persistence else None
        if facts.schedule:
            data.setdefault("job", {})["schedule"] = facts.schedule
        if facts.time_zone:
            data.setdefault("job", {})["time_zone"] = facts.time_zone
        if data.get("workload") == "CronJob" and facts.schedule and facts.schedule.startswith("0 0"):
            notes.append(f"schedule {facts.schedule!r}: midnight assumed where no time was given")
    if facts.command:
        data["command"] = facts.command
    if data.get("workload") == "StatefulSet":
        data.setdefault("service", {})["headless"] = True


def _serves_nothing(data: dict[str, Any], facts: RequestFacts) -> bool:
    """A worker or consumer (or "no service"): no Service, no ports, no HTTP probes."""
    if facts.service is False:
        return True
    routed = facts.exposure not in (None, "none") or bool(facts.hosts)
    return facts.worker and not facts.ports and not routed and data.get("workload", "Deployment") in SERVING


def _role(data: dict[str, Any], facts: RequestFacts, notes: list[str]) -> None:
    if not _serves_nothing(data, facts):
        return
    data["service"] = {"enabled": False}
    if not facts.ports:
        data["ports"] = []
    probes = data.get("probes") or {}
    data["probes"] = {kind: p for kind, p in probes.items() if p and p.get("type") == "exec"}
    if data.get("metrics", {}).get("enabled") and not facts.metrics:
        data["metrics"] = {"enabled": False}
    if facts.worker and facts.grace_seconds is None:
        data.setdefault("lifecycle", {})["termination_grace_period_seconds"] = WORKER_GRACE_SECONDS
        notes.append(
            f"worker: no Service, no ports, no HTTP probes; {WORKER_GRACE_SECONDS}s to stop gracefully "
            "(set lifecycle.termination_grace_period_seconds to change it)"
        )


def _scaling(data: dict[str, Any], facts: RequestFacts) -> None:
    if facts.replicas is not None:
        data["replicas"] = facts.replicas
    if facts.autoscale and not facts.autoscale_off:
        low = facts.autoscale_min or facts.replicas or 2
        high = facts.autoscale_max or max(10, low)
        data["autoscaling"] = {"enabled": True, "min_replicas": low, "max_replicas": high}
        data["replicas"] = facts.replicas if facts.replicas is not None else low
    if facts.autoscale_off:
        data["autoscaling"] = {"enabled": False}
    if facts.pdb is not None:
        data.setdefault("pdb", {})["enabled"] = facts.pdb
    if facts.pdb_min_available is not None:  # one bound: minAvailable replaces the default maxUnavailable
        data["pdb"].update(min_available=facts.pdb_min_available, max_unavailable=None)


def _resources(data: dict[str, Any], facts: RequestFacts) -> None:
    for field in ("cpu_request", "cpu_limit", "memory_request", "memory_limit"):
        value = getattr(facts, field)
        if value is not None:
            data.setdefault("resources", {})[field] = value


def _exposure(data: dict[str, Any], facts: RequestFacts, notes: list[str]) -> None:
    if facts.exposure is None:
        return
    exposure: dict[str, Any] = {"kind": facts.exposure}
    if facts.hosts:
        exposure["hosts"] = facts.hosts
    if facts.path:
        exposure["path"] = facts.path
    if facts.ingress_class and facts.exposure == "ingress":
        exposure["class_name"] = facts.ingress_class
    if facts.tls:
        exposure["tls"] = True
    if facts.cert_manager_issuer:
        exposure["cert_manager_issuer"] = facts.cert_manager_issuer
    if facts.tls_secret:
        exposure["tls_secret"] = facts.tls_secret
    if facts.gateway_name:
        exposure["gateway_name"] = facts.gateway_name
    if facts.gateway_namespace:
        exposure["gateway_namespace"] = facts.gateway_namespace
    data["exposure"] = exposure
    if facts.exposure == "ingress" and not facts.ingress_class:
        notes.append(
            "ingress: no class given, the cluster's default IngressClass is used (set exposure.class_name)"
        )
    if facts.exposure == "ingress" and not facts.tls:
        notes.append("ingress: TLS is off; say 'with tls' or name a cert-manager issuer to turn it on")
    if facts.exposure == "ingress" and facts.tls and not (facts.cert_manager_issuer or facts.tls_secret):
        notes.append(
            "ingress TLS: the chart reads the certificate from Secret <chart>-tls (ingress.tlsSecret), which you "
            "create (kubectl create secret tls); name a cert-manager issuer to have it created instead"
        )
    if facts.exposure == "ingressroute" and not facts.tls:
        exposure["tls"] = True
        notes.append("ingressroute: TLS on the websecure entry point with Traefik's default certificate; "
                     "set exposure.tls_secret or name a cert-manager issuer for your own")  # fmt: skip


def _env_and_secrets(
    data: dict[str, Any], facts: RequestFacts, entry: CatalogEntry | None, notes: list[str]
) -> None:
    env: list[dict[str, Any]] = [dict(v) for v in data.get("env", [])]

    def upsert(var: dict[str, Any]) -> None:
        for i, existing in enumerate(env):
            if existing["name"] == var["name"]:
                env[i] = var
                return
        env.append(var)

    for name, value in facts.env.items():
        upsert({"name": name, "value": value})
    for secret_env in facts.secret_envs:
        upsert({"name": secret_env.env, "secret": secret_env.secret, "key": secret_env.key})
    if env or "env" in data:
        data["env"] = env
    refs: list[dict[str, Any]] = list(data.get("secret_refs", []))
    for db in facts.databases:
        variable = SERVICE_ENV.get(db.service) or (
            entry.database_env if entry and entry.database_env else "DATABASE_URL"
        )
        ref: dict[str, Any] = {"keys": [variable]}
        if db.secret:
            ref["name"] = db.secret
            notes.append(
                f"{db.service}: Secret {db.secret} must hold key {variable}, passed to the app as env {variable}"
            )
        refs.append(ref)
    for secret in facts.secrets:
        refs.append({"name": secret})
    if refs:
        data["secret_refs"] = refs


def _persistence(data: dict[str, Any], facts: RequestFacts, notes: list[str]) -> None:
    if facts.persistence is False:
        data["persistence"] = {"enabled": False}
        return
    if not facts.persistence:
        return
    persistence = dict(data.get("persistence", {}))
    persistence["enabled"] = True
    if facts.persistence_size:
        persistence["size"] = facts.persistence_size
    if facts.persistence_path:
        persistence["mount_path"] = facts.persistence_path
    if facts.storage_class:
        persistence["storage_class"] = facts.storage_class
    data["persistence"] = persistence
    if data.get("workload", "Deployment") == "Deployment" and facts.workload is None:
        data["workload"] = "StatefulSet"
        data.setdefault("service", {})["headless"] = True
        notes.append("persistent storage requested: a StatefulSet gives each replica its own volume")


def _metrics(data: dict[str, Any], facts: RequestFacts, notes: list[str]) -> None:
    if facts.metrics is None:
        return
    metrics = dict(data.get("metrics", {}))
    metrics["enabled"] = facts.metrics
    if facts.service_monitor:
        metrics["service_monitor"] = True
    names = [p["name"] for p in data.get("ports", [])]
    if data.get("exporter"):
        names.append(EXPORTER_PORT_NAME)
    if facts.metrics and metrics.get("port", "metrics") not in names and names:
        metrics["port"] = names[0]
        notes.append(
            f"metrics: scraped from port {names[0]} at {metrics.get('path', '/metrics')} (no metrics port given)"
        )
    data["metrics"] = metrics


def _extras(data: dict[str, Any], facts: RequestFacts, entry: CatalogEntry | None) -> None:
    if facts.migration:
        command = facts.migration_command or (entry.migration if entry else [])
        data["migration"] = {"enabled": True, "command": list(command)}
    if facts.network_policy is not None:
        data.setdefault("network_policy", {})["enabled"] = facts.network_policy
    if facts.egress_restricted:
        data.setdefault("network_policy", {})["egress_restricted"] = True
    if facts.rbac_rules:
        data["rbac"] = {
            "create": True,
            "cluster_wide": facts.rbac_cluster_wide,
            "rules": [r.model_dump() for r in facts.rbac_rules],
        }
        data.setdefault("service_account", {})["automount_token"] = True
    if facts.node_selector:
        data.setdefault("scheduling", {})["node_selector"] = facts.node_selector
    if facts.tolerations:
        data.setdefault("scheduling", {})["tolerations"] = [
            t.model_dump(exclude_none=True) for t in facts.tolerations
        ]


def _writable_paths(data: dict[str, Any]) -> None:
    """A persistent mount replaces an emptyDir at the same path."""
    persistence = data.get("persistence", {})
    security = data.get("security")
    if persistence.get("enabled") and security:
        mount = persistence.get("mount_path", "/data")
        security["writable_paths"] = [p for p in security.get("writable_paths", []) if p != mount]


def _name_and_description(data: dict[str, Any], facts: RequestFacts, entry: CatalogEntry | None) -> None:
    image = data.get("image") or {}
    if facts.name:
        data["name"] = chart_name(facts.name)
    elif entry is not None and entry.kind == "app":
        data["name"] = chart_name(entry.name)
    elif image.get("repository"):
        data["name"] = chart_name(image["repository"].rsplit("/", 1)[-1])
    elif entry is not None:
        data["name"] = chart_name(entry.name)
    else:
        data["name"] = "app"
    if not data.get("description"):
        ref = (
            f"{image.get('registry', 'docker.io')}/{image.get('repository')}"
            if image.get("repository")
            else "an app"
        )
        data["description"] = f"{data['name']}: {ref} on Kubernetes"
    elif entry is not None and entry.kind == "runtime":
        data["description"] = f"{data['name']}: {entry.description}"


def plan_request(
    request: str, sets: Sequence[str] = (), answers: Mapping[str, str] | None = None
) -> PlanOutcome:
    """Plan a chart for `request`: a full plan, or the questions whose answers complete it."""
    if len(request) > MAX_REQUEST:
        raise PlanError(
            f"the request is {len(request)} characters long; keep it under {MAX_REQUEST} and use --set for details"
        )
    facts = parse_request(request)
    entry = find_entry(facts.app) if facts.app else None
    notes: list[str] = list(entry.notes) if entry else []
    data: dict[str, Any] = _from_entry(entry, chart_name(entry.name)) if entry else {}
    if entry is None and facts.image is None and not facts.name:
        notes.append("no catalog app or image recognised in the request")
    _image(data, facts, notes)
    _workload(data, facts, notes)
    _role(data, facts, notes)
    _ports(data, facts)
    name_ports(data, facts)
    _default_probes(data, facts, notes)
    _scaling(data, facts)
    _resources(data, facts)
    _exposure(data, facts, notes)
    _env_and_secrets(data, facts, entry, notes)
    _persistence(data, facts, notes)
    _metrics(data, facts, notes)
    _extras(data, facts, entry)
    plan_dependencies(data, facts, entry, notes)
    plan_components(data, facts, notes)
    _name_and_description(data, facts, entry)
    apply_capabilities(data, facts, notes)
    if entry is not None and entry.kind == "app" and data.get("env"):
        for var in [*data["env"], *data.get("exporter", {}).get("env", [])]:
            if var.get("secret") == f"{entry.name}-credentials" and data["name"] != entry.name:
                var["secret"] = f"{data['name']}-credentials"
    _only_what_works(data, notes)
    _writable_paths(data)
    origins: dict[str, str] = {}
    if answers:
        apply_answers(data, answers)
        origins.update({key: f"answer {key}={value}" for key, value in answers.items()})
        if not facts.name and (entry is None or entry.kind == "runtime"):
            if entry is None:
                data.pop("description", None)
            _name_and_description(data, facts, entry)  # an answered image names the chart
    apply_sets(data, sets)
    for item in sets:
        key, value = split_assignment(item)
        origins[key] = f"--set {key}={value}"
    questions = find_gaps(data)
    not_done = not_done_from(facts, data)
    if questions:
        return PlanOutcome(questions=questions, notes=notes, not_done=not_done)
    return PlanOutcome(plan=validate_plan(data, origins), notes=notes, not_done=not_done)


def not_done_from(facts: RequestFacts, data: dict[str, Any]) -> list[NotDone]:
    """Words no extractor read, then facts read but not carried by the plan."""
    return [*facts.not_understood, *unapplied_facts(facts, data)]
