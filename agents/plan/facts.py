"""`RequestFacts`: what a free-text request states, before any default is filled in.

Besides the facts themselves, the parser records where each came from (`origins`: the user's
words per fact field) and what it could not read (`not_understood`), so the planner can say
which parts of the request it did not honour instead of dropping them silently.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from agents.plan.model import (
    EgressRule,
    ExposureKind,
    ExternalSecretKey,
    InitContainerPlan,
    KedaTrigger,
    RbacRule,
    Toleration,
    WorkloadKind,
)


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
    """`needs a postgres database`, `consumes from rabbitmq`: something the workload talks to.

    `existing` is True when the user says it already runs elsewhere ("existing", "external",
    "via existing secret X"); such a dependency is a connection through a Secret, otherwise the
    chart is expected to bring it along.
    """

    app: str  # catalog entry name, e.g. "postgres"
    existing: bool = False
    secret: str | None = None  # the Secret holding its connection settings, when named
    words: str  # the user's words it was read from


NotDoneKind = Literal["not_understood", "not_applied"]


class NotDone(BaseModel):
    """A part of the request the chart does not do, with the user's own words and why."""

    words: str
    reason: str
    kind: NotDoneKind = "not_applied"


class FactOrigin(BaseModel):
    """The words of the request a fact field was read from, and by which extractor."""

    field: str
    words: str
    extractor: str


class ComponentFact(BaseModel):
    """`with a celery worker running `celery -A shop worker``: a further workload on the app's image."""

    name: str  # DNS label, e.g. worker
    command: list[str] = Field(default_factory=list)
    replicas: int | None = None  # `3 worker replicas`; None: the request did not say
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
    pdb_min_available: int | None = None  # "minAvailable 2", "keep at least 3 pods available"
    udp_ports: list[int] = Field(default_factory=list)  # "port 5353 udp"
    app_protocol: str | None = None  # "appProtocol http2": what the first port speaks
    health_path: str | None = None  # "health check at /healthz": HTTP probes on that path
    autoscale_off: bool = False
    dependencies: list[DependencyFact] = Field(default_factory=list)
    worker: bool = False  # "a worker", "consumer", "background process": serves no traffic
    service: bool | None = None  # False: "no service"

    # capabilities (issue 11 point 5): each is None/empty/False unless the request says it
    target_cpu: int | None = None  # HPA CPU utilization percent
    target_memory: int | None = None  # HPA memory utilization percent
    keda_triggers: list[KedaTrigger] = Field(default_factory=list)
    keda_min: int | None = None
    keda_max: int | None = None
    keda_auth_secret: str | None = None
    keda_auth_params: dict[str, str] = Field(default_factory=dict)
    vpa: bool = False
    vpa_mode: str | None = None
    external_secret: bool = False  # an ExternalSecret was asked for (with or without a store)
    external_store: str | None = None
    external_store_kind: str | None = None  # "SecretStore" | "ClusterSecretStore"
    external_keys: list[ExternalSecretKey] = Field(default_factory=list)
    external_extract_key: str | None = None
    secret_mounts: dict[str, str] = Field(default_factory=dict)  # Secret name -> read-only mount path
    service_type: str | None = None  # "LoadBalancer" | "NodePort"
    named_ports: list[tuple[str, int]] = Field(default_factory=list)
    np_ingress_namespaces: list[str] = Field(default_factory=list)
    np_ingress_pod_labels: dict[str, str] = Field(default_factory=dict)
    np_only: bool = False  # "only from …": nothing else may reach the pods
    np_egress_rules: list[EgressRule] = Field(default_factory=list)
    cert_resolver: str | None = None
    issuer_kind: str | None = None  # "Issuer" when a namespaced issuer is named
    redirect_https: bool = False
    security_headers: bool = False
    rate_limit: int | None = None
    rate_limit_burst: int | None = None
    service_monitor_labels: dict[str, str] = Field(default_factory=dict)
    alerting: bool = False
    gpu: int | None = None
    control_plane: bool = False
    priority_class: str | None = None
    startup_seconds: int | None = None  # slow starter: time the app may take to start
    grace_seconds: int | None = None
    pre_stop_seconds: int | None = None
    hook_events: list[str] = Field(default_factory=list)
    hook_weight: int | None = None
    hook_delete_policy: list[str] = Field(default_factory=list)
    hook_command: list[str] = Field(default_factory=list)
    active_deadline: int | None = None
    starting_deadline: int | None = None
    keep_successful: int | None = None
    keep_failed: int | None = None
    init_containers: list[InitContainerPlan] = Field(default_factory=list)
    config_data: dict[str, str] = Field(default_factory=dict)
    access_modes: list[str] = Field(default_factory=list)
    existing_claim: str | None = None
    host_paths: list[tuple[str, str]] = Field(default_factory=list)  # (host path, mount path), read-only

    components: list[ComponentFact] = Field(default_factory=list)

    # accounting, filled by the parser: where each fact came from, and what was not read
    origins: list[FactOrigin] = Field(default_factory=list)
    not_understood: list[NotDone] = Field(default_factory=list)


ACCOUNTING_FIELDS = frozenset({"origins", "not_understood"})
"""Fields of `RequestFacts` that describe the reading, not the request."""
