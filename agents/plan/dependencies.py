"""Dependencies and components of a plan: backing services from the catalog, extra workloads.

`with postgres` bundles the catalog's postgres chart as a subchart and wires the app to it;
`postgres via existing secret shop-db` only connects through that Secret. A `celery worker`
becomes a component sharing the app's image.
"""

from __future__ import annotations

import shlex
from typing import Any

from agents.plan.catalog import CatalogEntry, find_connection
from agents.plan.facts import RequestFacts

SERVICE_APPS = {"postgresql": "postgres", "pg": "postgres", "mongo": "mongodb", "amqp": "rabbitmq"}
MIGRATION_RETRIES = 6  # ~10 minutes of Job back-off: time for a bundled database to start
# interchangeable services: a named one replaces the catalog app's usual one, keeping its wiring
FAMILIES = [{"mysql", "mariadb"}, {"redis", "valkey"}, {"elasticsearch", "opensearch"}]
URL_ENV = {"redis": "REDIS_URL", "valkey": "REDIS_URL", "rabbitmq": "AMQP_URL", "mongodb": "MONGODB_URI",
           "kafka": "KAFKA_BOOTSTRAP_SERVERS"}  # fmt: skip


def plan_dependencies(
    data: dict[str, Any], facts: RequestFacts, entry: CatalogEntry | None, notes: list[str]
) -> None:
    """Dependencies the request names, plus the catalog app's usual ones, into `data["dependencies"]`."""
    deps: list[dict[str, Any]] = []
    seen: set[str] = set()
    if entry is not None and entry.kind == "app":
        for catalog_dep in entry.dependencies:
            deps.append(
                {"app": catalog_dep.app, "env": dict(catalog_dep.env), "app_env": dict(catalog_dep.app_env),
                 "subchart_env": dict(catalog_dep.subchart_env)}
            )  # fmt: skip
            seen.add(catalog_dep.app)
            notes.append(f"{entry.name}: {catalog_dep.app} is bundled as a subchart (set {catalog_dep.app}.enabled=false "
                         "to use your own)")  # fmt: skip
    for fact in facts.dependencies:
        app = SERVICE_APPS.get(fact.app, fact.app)
        if app == data.get("catalog_app") or find_connection(app) is None:
            continue
        if fact.existing:
            usual = next((d for d in deps if d["app"] == app), None)
            deps = [d for d in deps if d["app"] != app]
            seen.add(app)
            if external := _external(data, app, fact.secret, entry, notes):
                deps.append(external)
                if usual is not None and fact.secret:
                    _replaced_by_existing(data, usual, fact.secret, notes)
            continue
        if app in seen:
            continue
        seen.add(app)
        same_role = next((d for d in deps if any({d["app"], app} <= family for family in FAMILIES)), None)
        if same_role is not None:
            notes.append(f"{same_role['app']} replaced by {app}, as asked")
            same_role["subchart_env"] = _renamed_env(same_role.get("subchart_env", {}), same_role["app"], app)
            same_role["app"] = app
            continue
        deps.append({"app": app, "app_env": _connection_url(app, entry)})
        notes.append(f"{app}: bundled as the subchart charts/{app}, wired to the app through its Service "
                     f"and Secret (set {app}.enabled=false to use your own)")  # fmt: skip
    for db in facts.databases:  # `postgres via existing secret shop-db`, read by the secrets extractor
        app = SERVICE_APPS.get(db.service, db.service)
        if find_connection(app) is None or not db.secret:
            continue
        usual = next((d for d in deps if d["app"] == app), None)
        if usual is not None:
            _replaced_by_existing(data, usual, db.secret, notes)
        deps = [d for d in deps if d["app"] != app]
        seen.add(app)
        deps.append({"app": app, "existing_secret": db.secret})
    if deps:
        data["dependencies"] = deps
    migration = data.get("migration", {})
    if migration.get("enabled") and any("existing_secret" not in d for d in deps):
        migration["backoff_limit"] = max(migration.get("backoff_limit", 1), MIGRATION_RETRIES)
        notes.append(f"migration: runs after install (the bundled database must exist first) and retries "
                     f"{MIGRATION_RETRIES} times while it starts")  # fmt: skip


def _replaced_by_existing(data: dict[str, Any], usual: dict[str, Any], secret: str, notes: list[str]) -> None:
    """The catalog app's usual dependency already runs: say so, and read its settings from the Secret."""
    notes.append(f"{usual['app']}: the existing one (Secret {secret}) is used instead of a bundled subchart")
    if usual.get("env"):
        _external_settings(data, usual, secret, notes)


EXTERNAL_KEYS = {"HOST": "host", "PORT": "port", "USER": "username", "PASSWORD": "password"}


def _external_settings(data: dict[str, Any], usual: dict[str, Any], secret: str, notes: list[str]) -> None:
    """A catalog app whose usual dependency already runs reads its own settings from the Secret's
    host, port, username and password keys (the app does not read a single URL)."""
    app = usual["app"]
    names = {suffix: usual["env"].get(suffix, f"{app.upper()}_{suffix}") for suffix in EXTERNAL_KEYS}
    env = [dict(v) for v in data.get("env", []) if v["name"] not in names.values()]
    env += [{"name": names[suffix], "secret": secret, "key": key} for suffix, key in EXTERNAL_KEYS.items()]
    data["env"] = env
    data["secret_refs"] = [r for r in data.get("secret_refs", []) if r.get("name") != secret]
    stale = (f"Secret {secret} must hold key ", f": {app} is bundled as a subchart")
    notes[:] = [n for n in notes if not any(s in n for s in stale)]
    notes.append(f"{app}: Secret {secret} must hold keys {', '.join(EXTERNAL_KEYS.values())}")


def _connection_url(app: str, entry: CatalogEntry | None) -> dict[str, str]:
    """DATABASE_URL (REDIS_URL, AMQP_URL…) built from the connection env, for apps that read one URL.

    Catalog apps name their own settings; a runtime whose database setting is not a plain URL
    (Spring's JDBC URL) gets the separate variables only.
    """
    connection = find_connection(app)
    if connection is None or connection.url is None or connection.url_env is None:
        return {}
    if entry is not None and entry.kind == "app":
        return {}
    variable = connection.url_env
    if variable == "DATABASE_URL" and entry is not None and entry.database_env not in (None, "DATABASE_URL"):
        return {}
    return {variable: connection.url}


def _renamed_env(env: dict[str, str], old: str, new: str) -> dict[str, str]:
    """MARIADB_DATABASE -> MYSQL_DATABASE when mysql replaces mariadb (each image reads its own prefix)."""
    old_prefix, new_prefix = old.upper() + "_", new.upper() + "_"
    return {(new_prefix + k[len(old_prefix) :] if k.startswith(old_prefix) else k): v for k, v in env.items()}


def _external(
    data: dict[str, Any], app: str, secret: str | None, entry: CatalogEntry | None, notes: list[str]
) -> dict[str, Any] | None:
    """An existing service: the app reads its connection from the named Secret; nothing is bundled.

    Without a Secret name the reference stays unnamed, and the gap check asks for it.
    """
    variable = URL_ENV.get(app) or (entry.database_env if entry is not None else None) or "DATABASE_URL"
    ref: dict[str, Any] = {"keys": [variable]}
    if secret:
        ref["name"] = secret
        notes.append(
            f"{app}: external, Secret {secret} must hold key {variable}, passed to the app as env {variable}"
        )
    data.setdefault("secret_refs", []).append(ref)
    return {"app": app, "existing_secret": secret} if secret else None


def plan_components(data: dict[str, Any], facts: RequestFacts, notes: list[str]) -> None:
    """Worker components the request names, each a Deployment on the app's image."""
    components: list[dict[str, Any]] = []
    for fact in facts.components:
        component: dict[str, Any] = {"name": fact.name, "termination_grace_period_seconds": 60}
        if fact.replicas is not None:
            component["replicas"] = fact.replicas
        if fact.command:
            component["command"] = list(fact.command)
            probe = _worker_probe(fact.command)
            if probe is not None:
                component["probes"] = probe
        else:
            notes.append(f"component {fact.name}: no command given, it runs the image's default command; "
                         f"set {fact.name}.command")  # fmt: skip
        if "probes" not in component:
            notes.append(f"component {fact.name}: no health check is known for it; add {fact.name}.livenessProbe "
                         "(e.g. an exec command) so a stuck worker is restarted")  # fmt: skip
        components.append(component)
    if components:
        data["components"] = components


def _worker_probe(command: list[str]) -> dict[str, Any] | None:
    """Celery answers `inspect ping` for its own node: liveness and a quicker readiness check."""
    if command[:1] != ["celery"] or "-A" not in command:
        return None
    app = command[command.index("-A") + 1] if command.index("-A") + 1 < len(command) else None
    if app is None:
        return None
    ping = ["sh", "-c", f"celery -A {shlex.quote(app)} inspect ping -d celery@$HOSTNAME --timeout 10"]
    return {
        "liveness": {"type": "exec", "command": ping, "period_seconds": 60, "timeout_seconds": 20,
                     "failure_threshold": 3},
        "readiness": {"type": "exec", "command": ping, "period_seconds": 30, "timeout_seconds": 20,
                      "failure_threshold": 2},
    }  # fmt: skip
