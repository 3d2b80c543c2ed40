"""`RequestFacts`: what a free-text request states, before any default is filled in."""

from __future__ import annotations

from pydantic import BaseModel, Field

from agents.plan.model import ExposureKind, RbacRule, Toleration, WorkloadKind


class SecretEnv(BaseModel):
    """`secret shop-db key url as DATABASE_URL`: one env var read from an existing Secret."""

    env: str
    secret: str
    key: str


class DatabaseSecret(BaseModel):
    """`postgres via existing secret shop-db`: a backing service reached through a Secret."""

    service: str  # "postgres", "mysql", "database", …
    secret: str | None = None  # None: the user said "existing secret" but not which one


class DependencyFact(BaseModel):
    """`with postgres`, `needs a redis cache`, `postgres via existing secret shop-db`: a backing service."""

    app: str  # catalog entry name
    existing: bool  # the service already runs: connect through a Secret, bundle nothing
    secret: str | None  # the existing Secret with the connection settings, when named
    words: str  # the request's words this came from


class ComponentFact(BaseModel):
    """`with a celery worker running `celery -A shop worker``: a further workload on the app's image."""

    name: str  # DNS label, e.g. worker
    command: list[str] = Field(default_factory=list)
    words: str


class RequestFacts(BaseModel):
    """Every fact the parser found; None or empty means the request did not say."""

    app: str | None = None  # catalog entry name
    image: str | None = None  # image reference as written
    name: str | None = None
    ports: list[int] = Field(default_factory=list)
    grpc: bool = False
    replicas: int | None = None
    autoscale: bool = False
    autoscale_min: int | None = None
    autoscale_max: int | None = None
    cpu_request: str | None = None
    cpu_limit: str | None = None
    memory_request: str | None = None
    memory_limit: str | None = None
    workload: WorkloadKind | None = None
    schedule: str | None = None
    time_zone: str | None = None
    command: list[str] = Field(default_factory=list)
    exposure: ExposureKind | None = None
    hosts: list[str] = Field(default_factory=list)
    ingress_class: str | None = None
    tls: bool = False
    cert_manager_issuer: str | None = None
    tls_secret: str | None = None
    gateway_name: str | None = None
    gateway_namespace: str | None = None
    path: str | None = None
    env: dict[str, str] = Field(default_factory=dict)
    secret_envs: list[SecretEnv] = Field(default_factory=list)
    databases: list[DatabaseSecret] = Field(default_factory=list)
    secrets: list[str] = Field(default_factory=list)  # "with existing secret X": all keys as env
    persistence: bool | None = None
    persistence_size: str | None = None
    persistence_path: str | None = None
    storage_class: str | None = None
    metrics: bool | None = None
    metrics_port: int | None = None
    service_monitor: bool = False
    migration: bool = False
    migration_command: list[str] = Field(default_factory=list)
    network_policy: bool | None = None
    egress_restricted: bool = False
    rbac_rules: list[RbacRule] = Field(default_factory=list)
    rbac_cluster_wide: bool = False
    node_selector: dict[str, str] = Field(default_factory=dict)
    tolerations: list[Toleration] = Field(default_factory=list)
    pdb: bool | None = None
    autoscale_off: bool = False
    dependencies: list[DependencyFact] = Field(default_factory=list)
    components: list[ComponentFact] = Field(default_factory=list)
