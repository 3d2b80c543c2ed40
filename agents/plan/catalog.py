"""The embedded app catalog: well-known apps and language-runtime profiles, kept as data.

Entries live in `catalog.yaml` (shipped with the package) and are validated by `CatalogEntry`
so a typo in the data fails loudly at load time rather than producing a broken chart.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from agents.plan.model import (
    AbsolutePath,
    ConfigFile,
    CredentialKey,
    EnvVar,
    ImageSpec,
    MetricsPlan,
    Persistence,
    PortSpec,
    Probes,
    Quantity,
    RbacPlan,
    Resources,
    ServicePlan,
    WorkloadKind,
)

SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_ALIAS = re.compile(r"^[a-z0-9][a-z0-9 ._+-]*$")


class CatalogSecurity(BaseModel):
    """How the app runs as non-root: ids, read-only root and the paths it must write to."""

    model_config = ConfigDict(extra="forbid")

    run_as_user: int = Field(default=10001, ge=1)
    run_as_group: int = Field(default=10001, ge=1)
    fs_group: int | None = Field(default=10001, ge=1)
    read_only_root_filesystem: bool = True
    writable_paths: list[str] = Field(default_factory=lambda: ["/tmp"])
    capabilities_add: list[str] = Field(default_factory=list)


class CatalogExporter(BaseModel):
    """A Prometheus exporter sidecar for an app that does not serve metrics itself.

    Its env may read the chart's credentials Secret (`secret: "{name}-credentials"`), so the
    exporter logs in with the same password the app was given.
    """

    model_config = ConfigDict(extra="forbid")

    image: str  # full reference with a pinned tag
    port: int = Field(ge=1024, le=65535)
    path: str = "/metrics"
    args: list[str] = Field(default_factory=list)
    env: list[EnvVar] = Field(default_factory=list)
    run_as_user: int = Field(default=65534, ge=1)

    @model_validator(mode="after")
    def _pinned(self) -> CatalogExporter:
        image = ImageSpec.parse(self.image)
        if image.tag in {None, "latest"} and image.digest is None:
            raise ValueError(f"exporter image {self.image!r}: pin a real tag")
        return self


class CatalogConnection(BaseModel):
    """How an app reaches this entry when it is bundled as a dependency: env names and credentials.

    `<prefix>_HOST` and `<prefix>_PORT` come from the subchart's Service; `secret_keys` maps env
    suffixes to keys of the dependency's `<fullname>-credentials` Secret; `username` is a fixed user.
    """

    model_config = ConfigDict(extra="forbid")

    env_prefix: str
    port: str  # name of the entry's port the app connects to
    username: str | None = None
    secret_keys: dict[str, str] = Field(default_factory=dict)  # env suffix -> credentials key
    # a connection URL built from the env above with $(VAR) references, and the env it goes to
    url: str | None = None
    url_env: str | None = None


class CatalogDependency(BaseModel):
    """An app's usual backing service (WordPress -> MariaDB) and the env names the app reads."""

    model_config = ConfigDict(extra="forbid")

    app: str
    # suffix (HOST, PORT, USER, PASSWORD…) -> the app's env name
    env: dict[str, str] = Field(default_factory=dict)
    # further literal env of the app, e.g. the database type or a URL built from $(VAR)s
    app_env: dict[str, str] = Field(default_factory=dict)
    # env of the dependency, e.g. the database it creates
    subchart_env: dict[str, str] = Field(default_factory=dict)


class CatalogEntry(BaseModel):
    """One app (with a pinned image) or one runtime profile (conventions only, no image)."""

    model_config = ConfigDict(extra="forbid")

    name: str
    kind: Literal["app", "runtime"] = "app"
    description: str
    home: str | None = None
    sources: list[str] = Field(default_factory=list)
    icon: str | None = None
    keywords: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    image: str | None = None  # full reference with a pinned tag; None for runtime profiles
    workload: WorkloadKind = "Deployment"
    ports: list[PortSpec] = Field(default_factory=list)
    command: list[str] = Field(default_factory=list)
    args: list[str] = Field(default_factory=list)
    env: list[EnvVar] = Field(default_factory=list)  # "{name}" in a secret name becomes the chart name
    config_files: list[ConfigFile] = Field(default_factory=list)
    probes: Probes = Field(default_factory=Probes)
    security: CatalogSecurity = Field(default_factory=CatalogSecurity)
    persistence: Persistence | None = None
    service: ServicePlan | None = None
    metrics: MetricsPlan | None = None
    rbac: RbacPlan | None = None
    resources: Resources | None = None
    database_env: str | None = None  # env var a runtime reads its database URL from, e.g. DATABASE_URL
    migration: list[str] = Field(default_factory=list)  # conventional migration command of a runtime
    notes: list[str] = Field(default_factory=list)  # shown to users whenever the entry is used
    # Optional fields that make a chart install and run, not only lint (issue 12):
    # data_dir: where the app keeps its data: the claim's mount path when persistence is on,
    #   an emptyDir otherwise (defaults to persistence.mount_path).
    data_dir: AbsolutePath | None = None
    # credentials: fixed values of keys of the `<chart>-credentials` Secret (e.g. a user name);
    #   every other key the env reads from that Secret gets a random value, generated once.
    credentials: list[CredentialKey] = Field(default_factory=list)
    exporter: CatalogExporter | None = None  # metrics sidecar, switched by metrics.enabled
    shared_memory: Quantity | None = None  # size of a memory-backed /dev/shm (postgres)
    datastore: bool = False  # database, cache or broker: no Ingress, routes or migration hook
    single_primary: bool = False  # one pod owns the data: no HPA, one replica
    # replication: how the chart scales a single primary: "replicaof" adds read replicas that
    #   follow the primary with --replicaof (redis and its forks); "N replicas" becomes 1 + N-1.
    replication: Literal["replicaof"] | None = None
    dependencies: list[CatalogDependency] = Field(default_factory=list)  # usual backing services

    @model_validator(mode="after")
    def _checked(self) -> CatalogEntry:
        for alias in [self.name, *self.aliases]:
            if not _ALIAS.match(alias):
                raise ValueError(f"catalog alias {alias!r} of {self.name} must be lowercase")
        if self.kind == "app":
            if not self.image:
                raise ValueError(f"catalog app {self.name} needs an image (or kind: runtime)")
            image = ImageSpec.parse(self.image)
            if image.tag in {None, "latest"} and image.digest is None:
                raise ValueError(f"catalog app {self.name}: pin a real tag, not {self.image!r}")
            if image.registry == "docker.io" and image.repository.startswith("bitnami/"):
                raise ValueError(
                    f"catalog app {self.name}: docker.io/bitnami images are not freely available"
                )
        elif self.image:
            raise ValueError(f"runtime profile {self.name} must not carry an image")
        if self.data_dir and self.persistence and self.persistence.mount_path != self.data_dir:
            raise ValueError(
                f"catalog entry {self.name}: data_dir {self.data_dir} differs from persistence.mount_path"
            )
        secret = "{name}-credentials"
        read = {
            v.key for v in [*self.env, *(self.exporter.env if self.exporter else [])] if v.secret == secret
        }
        unused = [c.key for c in self.credentials if c.key not in read]
        if unused:
            raise ValueError(f"catalog entry {self.name}: credentials {unused} are read by no env var")
        live, ready = self.probes.liveness, self.probes.readiness
        if live is not None and ready is not None and live == ready:
            raise ValueError(f"catalog entry {self.name}: liveness and readiness probes must differ")
        return self

    def credential_keys(self) -> list[CredentialKey]:
        """Every key the app (or its exporter) reads from `{name}-credentials`: fixed or random."""
        fixed = {c.key: c for c in self.credentials}
        keys: list[CredentialKey] = []
        for var in [*self.env, *(self.exporter.env if self.exporter else [])]:
            if var.secret == "{name}-credentials" and var.key and var.key not in {k.key for k in keys}:
                keys.append(fixed.get(var.key) or CredentialKey(key=var.key))
        return keys

    def effective_data_dir(self) -> str | None:
        """data_dir, else the persistence mount path the entry declares."""
        return self.data_dir or (self.persistence.mount_path if self.persistence else None)

    def env_for(self, chart_name: str, env: list[EnvVar] | None = None) -> list[dict[str, Any]]:
        """The entry's (or the given) env vars with `{name}` in secret names resolved to the chart name."""
        out = []
        for var in self.env if env is None else env:
            data = var.model_dump(exclude_none=True)
            if "secret" in data:
                data["secret"] = data["secret"].format(name=chart_name)
            out.append(data)
        return out


class Catalog(BaseModel):
    apps: list[CatalogEntry]
    connections: dict[str, CatalogConnection] = Field(default_factory=dict)  # app -> how apps reach it

    @model_validator(mode="after")
    def _unique(self) -> Catalog:
        by_name = {entry.name: entry for entry in self.apps}
        for name, connection in self.connections.items():
            if name not in by_name or connection.port not in {p.name for p in by_name[name].ports}:
                raise ValueError(
                    f"catalog connection {name}: needs a catalog app with a port {connection.port!r}"
                )
        for entry in self.apps:
            for dependency in entry.dependencies:
                if dependency.app not in self.connections:
                    raise ValueError(
                        f"catalog app {entry.name} depends on {dependency.app}, which has no connections entry"
                    )
        seen: dict[str, str] = {}
        for entry in self.apps:
            for alias in [entry.name, *entry.aliases]:
                if alias in seen:
                    raise ValueError(
                        f"catalog alias {alias!r} is used by both {seen[alias]} and {entry.name}"
                    )
                seen[alias] = entry.name
        return self


@cache
def load_catalog() -> Catalog:
    """Read and validate `catalog.yaml` once per process."""
    text = resources.files("agents.plan").joinpath("catalog.yaml").read_text(encoding="utf-8")
    # libyaml reads the ~90 kB catalog ~7x faster than pure-Python PyYAML (a tenth of a cold
    # `autopilot chart`), into the same data (tests/agents/plan/test_catalog.py compares both)
    return Catalog.model_validate(yaml.load(text, Loader=SAFE_LOADER))  # noqa: S506 - a safe loader


@cache
def _alias_index() -> dict[str, CatalogEntry]:
    return {alias: entry for entry in load_catalog().apps for alias in [entry.name, *entry.aliases]}


def find_entry(name: str) -> CatalogEntry | None:
    """The entry called `name` or one of its aliases (case-insensitive), if any."""
    return _alias_index().get(name.strip().lower())


def catalog_aliases() -> dict[str, CatalogEntry]:
    """Every name and alias → its entry (the parser looks for these words in requests)."""
    return dict(_alias_index())


def find_connection(app: str) -> CatalogConnection | None:
    """How an app connects to catalog entry `app` as a dependency, if it can be one."""
    return load_catalog().connections.get(app)


def dependency_aliases() -> dict[str, str]:
    """Every name and alias of an entry that can be a dependency -> the entry's name."""
    connections = load_catalog().connections
    return {alias: entry.name for alias, entry in _alias_index().items() if entry.name in connections}


def catalog_names(include_runtimes: bool = False) -> list[str]:
    """Names of every catalog app with an image; runtime profiles only when asked."""
    return [e.name for e in load_catalog().apps if include_runtimes or e.kind == "app"]
