"""`ChartPlan`: every fact a chart needs, typed and validated before any file is written.

The plan is the contract between the planner (rule-based or LLM), the generator and the
review/heal loop: anything that produces a plan must produce one of these, so an LLM's
output is checked by the same rules as a human's `--set` flags.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
PORT_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
QUANTITY = re.compile(r"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$")
HOSTNAME = re.compile(r"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")
IMAGE_REPOSITORY = re.compile(r"^[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$")
IMAGE_TAG = re.compile(r"^[\w][\w.-]{0,127}$")
IMAGE_DIGEST = re.compile(r"^sha256:[a-f0-9]{64}$")
REGISTRY = re.compile(r"^[a-zA-Z0-9.-]+(:[0-9]+)?$")
ABSOLUTE_PATH = re.compile(r"^/[^\0]*$")

WorkloadKind = Literal["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"]
ExposureKind = Literal["none", "ingress", "ingressroute", "httproute", "grpcroute"]
PullPolicy = Literal["IfNotPresent", "Always", "Never"]
AccessMode = Literal["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"]


class PlanModel(BaseModel):
    """Base for plan parts: unknown keys are errors, so a typo in `--set` or LLM output is caught."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, populate_by_name=True)


def _quantity(value: str) -> str:
    if not QUANTITY.match(value):
        raise ValueError(f"{value!r} is not a Kubernetes quantity (e.g. 100m, 128Mi, 1Gi)")
    return value


def _absolute_path(value: str) -> str:
    if not ABSOLUTE_PATH.match(value) or "/../" in value + "/" or value.endswith("/.."):
        raise ValueError(f"{value!r} must be an absolute path without '..'")
    return value


Quantity = Annotated[str, AfterValidator(_quantity)]
AbsolutePath = Annotated[str, AfterValidator(_absolute_path)]


class ImageSpec(PlanModel):
    registry: str = "docker.io"
    repository: str
    tag: str | None = None
    digest: str | None = None
    pull_policy: PullPolicy = "IfNotPresent"

    @field_validator("registry")
    @classmethod
    def _registry(cls, v: str) -> str:
        if not REGISTRY.match(v):
            raise ValueError(f"{v!r} is not a registry host (e.g. docker.io, ghcr.io, registry:5000)")
        return v

    @field_validator("repository")
    @classmethod
    def _repository(cls, v: str) -> str:
        if not IMAGE_REPOSITORY.match(v):
            raise ValueError(f"{v!r} is not an image repository (lowercase, e.g. acme/shop)")
        return v

    @field_validator("tag")
    @classmethod
    def _tag(cls, v: str | None) -> str | None:
        if v is not None and not IMAGE_TAG.match(v):
            raise ValueError(f"{v!r} is not an image tag")
        return v

    @field_validator("digest")
    @classmethod
    def _digest(cls, v: str | None) -> str | None:
        if v is not None and not IMAGE_DIGEST.match(v):
            raise ValueError(f"{v!r} is not a digest (sha256:<64 hex>)")
        return v

    @model_validator(mode="after")
    def _tag_or_digest(self) -> ImageSpec:
        if self.tag is None and self.digest is None:
            raise ValueError("image needs a tag or a digest: pin a version, never rely on 'latest'")
        return self

    @classmethod
    def parse(cls, reference: str, pull_policy: PullPolicy = "IfNotPresent") -> ImageSpec:
        """Split `ghcr.io/acme/shop:1.4@sha256:…` into its parts (Docker's reference grammar)."""
        ref = reference.strip()
        digest = None
        if "@" in ref:
            ref, digest = ref.split("@", 1)
        registry = "docker.io"
        first, sep, rest = ref.partition("/")
        if sep and ("." in first or ":" in first or first == "localhost"):
            registry, ref = first, rest
        tag = None
        last_slash = ref.rfind("/")
        colon = ref.rfind(":")
        if colon > last_slash:
            ref, tag = ref[:colon], ref[colon + 1 :]
        if registry == "docker.io" and "/" not in ref:
            ref = f"library/{ref}"
        return cls(registry=registry, repository=ref, tag=tag, digest=digest, pull_policy=pull_policy)

    @property
    def reference(self) -> str:
        ref = f"{self.registry}/{self.repository}"
        if self.tag:
            ref += f":{self.tag}"
        if self.digest:
            ref += f"@{self.digest}"
        return ref


class PortSpec(PlanModel):
    name: str = "http"
    container_port: int = Field(ge=1, le=65535)
    service_port: int | None = Field(default=None, ge=1, le=65535)
    protocol: Literal["TCP", "UDP", "SCTP"] = "TCP"
    app_protocol: str | None = None  # "http", "grpc", … used to choose probes and routes

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if len(v) > 15 or not PORT_NAME.match(v) or not re.search(r"[a-z]", v):
            raise ValueError(f"port name {v!r} must be an IANA service name: ≤ 15 lowercase chars, e.g. http")
        return v

    @property
    def exposed_port(self) -> int:
        return self.service_port or self.container_port


class EnvVar(PlanModel):
    """One environment variable: a literal, or a key of an existing ConfigMap or Secret."""

    name: str
    value: str | None = None
    config_map: str | None = None
    secret: str | None = None
    key: str | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not ENV_NAME.match(v):
            raise ValueError(f"{v!r} is not a valid environment variable name")
        return v

    @model_validator(mode="after")
    def _one_source(self) -> EnvVar:
        sources = [s for s in (self.value, self.config_map, self.secret) if s is not None]
        if len(sources) != 1:
            raise ValueError(f"env {self.name}: give exactly one of value, config_map or secret")
        if (self.config_map or self.secret) and not self.key:
            raise ValueError(f"env {self.name}: a config_map or secret reference needs a key")
        return self


class ConfigFile(PlanModel):
    """A file rendered into a ConfigMap and mounted read-only (e.g. nginx.conf)."""

    filename: str
    mount_path: AbsolutePath
    content: str

    @field_validator("filename")
    @classmethod
    def _filename(cls, v: str) -> str:
        if not re.match(r"^[-._a-zA-Z0-9]+$", v) or v in {".", ".."}:
            raise ValueError(f"config file name {v!r} must be a plain file name")
        return v


class SecretRef(PlanModel):
    """A Secret the user already has; the chart never holds secret values."""

    name: str
    keys: list[str] = Field(default_factory=list)
    mount_path: AbsolutePath | None = None  # mount as files when set; otherwise keys become env vars

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if len(v) > 253 or not DNS1123_LABEL.match(v.replace(".", "-")):
            raise ValueError(f"secret name {v!r} is not a valid Kubernetes name")
        return v


class Resources(PlanModel):
    cpu_request: Quantity | None = "100m"
    memory_request: Quantity | None = "128Mi"
    cpu_limit: Quantity | None = None  # CPU limits cause throttling; off unless asked
    memory_limit: Quantity | None = "256Mi"
    gpu: int | None = Field(default=None, ge=1)  # nvidia.com/gpu limit; the pods also tolerate GPU taints


class Probe(PlanModel):
    type: Literal["http", "tcp", "exec", "grpc"]
    port: str | int | None = None  # port name or number; defaults to the first port
    path: str | None = None
    command: list[str] | None = None
    initial_delay_seconds: int = Field(default=0, ge=0)
    period_seconds: int = Field(default=10, ge=1)
    timeout_seconds: int = Field(default=1, ge=1)
    failure_threshold: int = Field(default=3, ge=1)
    success_threshold: int = Field(default=1, ge=1)

    @model_validator(mode="after")
    def _fields_for_type(self) -> Probe:
        if self.type == "http" and not (self.path or "").startswith("/"):
            raise ValueError("an http probe needs a path starting with '/'")
        if self.type == "exec" and not self.command:
            raise ValueError("an exec probe needs a command")
        return self


class Probes(PlanModel):
    liveness: Probe | None = None
    readiness: Probe | None = None
    startup: Probe | None = None


class Persistence(PlanModel):
    enabled: bool = False
    mount_path: AbsolutePath = "/data"  # the app's data directory: the claim when enabled, else an emptyDir
    size: Quantity = "8Gi"
    access_modes: list[AccessMode] = Field(default_factory=lambda: list[AccessMode](["ReadWriteOnce"]))
    storage_class: str | None = None
    existing_claim: str | None = None
    # The app's own durability switch, e.g. redis `--appendonly yes` with a volume and
    # `--save "" --appendonly no` without one: appended to the container args at install time.
    args_when_enabled: list[str] = Field(default_factory=list)
    args_when_disabled: list[str] = Field(default_factory=list)


class ServicePlan(PlanModel):
    enabled: bool = True
    type: Literal["ClusterIP", "NodePort", "LoadBalancer"] = "ClusterIP"
    headless: bool = False  # StatefulSets also get a headless governing Service


class Exposure(PlanModel):
    kind: ExposureKind = "none"
    hosts: list[str] = Field(default_factory=list)
    path: str = "/"
    path_type: Literal["Prefix", "Exact", "ImplementationSpecific"] = "Prefix"
    class_name: str | None = None  # IngressClass
    tls: bool = False
    tls_secret: str | None = None
    cert_manager_issuer: str | None = None
    cert_manager_issuer_kind: Literal["ClusterIssuer", "Issuer"] = "ClusterIssuer"
    gateway_name: str | None = None  # Gateway API parentRef
    gateway_namespace: str | None = None
    entry_points: list[str] = Field(default_factory=lambda: ["websecure"])  # Traefik
    cert_resolver: str | None = None  # Traefik ACME certificate resolver (replaces tls_secret)
    annotations: dict[str, str] = Field(default_factory=dict)

    @field_validator("hosts")
    @classmethod
    def _hosts(cls, v: list[str]) -> list[str]:
        for host in v:
            if len(host) > 253 or not HOSTNAME.match(host):
                raise ValueError(f"{host!r} is not a valid DNS host name (lowercase, e.g. shop.example.com)")
        return v

    @field_validator("path")
    @classmethod
    def _path(cls, v: str) -> str:
        if not v.startswith("/"):
            raise ValueError(f"path {v!r} must start with '/'")
        return v

    @model_validator(mode="after")
    def _needs_host_or_gateway(self) -> Exposure:
        if self.kind in {"httproute", "grpcroute"} and not self.gateway_name:
            raise ValueError(f"a {self.kind} needs gateway_name (the Gateway it attaches to)")
        return self


class Autoscaling(PlanModel):
    enabled: bool = False
    min_replicas: int = Field(default=2, ge=1)
    max_replicas: int = Field(default=10, ge=1)
    target_cpu_utilization: int | None = Field(default=80, ge=1, le=100)
    target_memory_utilization: int | None = Field(default=None, ge=1, le=100)

    @model_validator(mode="after")
    def _bounds(self) -> Autoscaling:
        if self.max_replicas < self.min_replicas:
            raise ValueError(
                f"max_replicas ({self.max_replicas}) is below min_replicas ({self.min_replicas})"
            )
        if self.enabled and not (self.target_cpu_utilization or self.target_memory_utilization):
            raise ValueError("autoscaling needs a CPU or memory utilization target")
        return self


class DisruptionBudget(PlanModel):
    enabled: bool | None = None  # None: on when replicas > 1 or autoscaling
    min_available: int | str | None = None
    max_unavailable: int | str | None = 1

    @model_validator(mode="after")
    def _one_bound(self) -> DisruptionBudget:
        if self.min_available is not None and self.max_unavailable is not None:
            raise ValueError("a PodDisruptionBudget takes min_available or max_unavailable, not both")
        return self


class EgressRule(PlanModel):
    """Egress to one CIDR on one port (e.g. a managed database at 10.0.5.0/24:5432)."""

    cidr: str
    port: int | None = Field(default=None, ge=1, le=65535)
    protocol: Literal["TCP", "UDP"] = "TCP"

    @field_validator("cidr")
    @classmethod
    def _cidr(cls, v: str) -> str:
        try:
            ipaddress.ip_network(v, strict=False)
        except ValueError as exc:
            raise ValueError(f"{v!r} is not a CIDR (e.g. 10.0.0.0/16)") from exc
        return v


class NetworkPolicyPlan(PlanModel):
    enabled: bool = True
    allow_external: bool = True  # ingress to the app ports from anywhere (ingress controller, other apps)
    allow_same_namespace: bool = True
    ingress_namespaces: list[str] = Field(default_factory=list)  # extra namespaces allowed in
    egress_restricted: bool = False  # when True only DNS + listed CIDRs leave the pod
    egress_cidrs: list[str] = Field(default_factory=list)
    ingress_pod_labels: dict[str, str] = Field(
        default_factory=dict
    )  # pods (any namespace allowed in) by label
    egress_rules: list[EgressRule] = Field(default_factory=list)  # CIDR:port pairs


class ServiceAccountPlan(PlanModel):
    create: bool = True
    name: str | None = None
    automount_token: bool = False
    annotations: dict[str, str] = Field(default_factory=dict)


class RbacRule(PlanModel):
    api_groups: list[str] = Field(default_factory=lambda: [""])
    resources: list[str]
    verbs: list[str] = Field(default_factory=lambda: ["get", "list", "watch"])


class RbacPlan(PlanModel):
    create: bool = False
    cluster_wide: bool = False
    rules: list[RbacRule] = Field(default_factory=list)


class MetricsPlan(PlanModel):
    enabled: bool = False
    port: str = "metrics"  # name of a port in `ports`
    path: str = "/metrics"
    service_monitor: bool = False
    interval: str = "30s"
    service_monitor_labels: dict[str, str] = Field(
        default_factory=dict
    )  # e.g. release: kube-prometheus-stack


CREDENTIAL_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")


class CredentialKey(PlanModel):
    """One key of the release-scoped `<fullname>-credentials` Secret the chart creates."""

    key: str
    value: str | None = None  # a fixed, non-secret value such as a user name; None: random

    @field_validator("key")
    @classmethod
    def _key(cls, v: str) -> str:
        if not CREDENTIAL_KEY.match(v):
            raise ValueError(
                f"credential key {v!r} must be a Secret data key (letters, digits, '-', '_', '.')"
            )
        return v


EXPORTER_PORT_NAME = "metrics"


class ExporterPlan(PlanModel):
    """A Prometheus exporter sidecar that serves the app's metrics on its own `metrics` port."""

    image: ImageSpec
    port: int = Field(ge=1024, le=65535)
    path: str = "/metrics"
    args: list[str] = Field(default_factory=list)
    env: list[EnvVar] = Field(default_factory=list)  # may read the chart's own credentials Secret
    run_as_user: int = Field(default=65534, ge=1)


class TopologySpread(PlanModel):
    enabled: bool | None = None  # None: on when replicas > 1 or autoscaling
    max_skew: int = Field(default=1, ge=1)
    topology_key: str = "topology.kubernetes.io/zone"
    when_unsatisfiable: Literal["DoNotSchedule", "ScheduleAnyway"] = "ScheduleAnyway"


class Toleration(PlanModel):
    key: str | None = None
    operator: Literal["Equal", "Exists"] = "Equal"
    value: str | None = None
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = None


class Scheduling(PlanModel):
    node_selector: dict[str, str] = Field(default_factory=dict)
    tolerations: list[Toleration] = Field(default_factory=list)
    pod_anti_affinity: Literal["none", "soft", "hard"] = "soft"
    topology_spread: TopologySpread = Field(default_factory=TopologySpread)
    priority_class_name: str | None = None


class MigrationHook(PlanModel):
    """A Job run as a pre-install/pre-upgrade hook, e.g. `python manage.py migrate`."""

    enabled: bool = False
    command: list[str] = Field(default_factory=list)
    args: list[str] = Field(default_factory=list)
    backoff_limit: int = Field(default=1, ge=0)
    hooks: list[Literal["pre-install", "pre-upgrade", "post-install", "post-upgrade", "pre-delete"]] = Field(
        default_factory=lambda: list[
            Literal["pre-install", "pre-upgrade", "post-install", "post-upgrade", "pre-delete"]
        ](["pre-install", "pre-upgrade"]),
        min_length=1,
    )
    weight: int = -5
    delete_policy: list[Literal["before-hook-creation", "hook-succeeded", "hook-failed"]] = Field(
        default_factory=lambda: list[Literal["before-hook-creation", "hook-succeeded", "hook-failed"]](
            ["before-hook-creation", "hook-succeeded"]
        )
    )

    @model_validator(mode="after")
    def _command(self) -> MigrationHook:
        if self.enabled and not (self.command or self.args):
            raise ValueError("a migration hook needs a command or args")
        return self


class JobSettings(PlanModel):
    """Settings for Job and CronJob workloads."""

    schedule: str | None = None  # cron expression; required for CronJob
    time_zone: str | None = None
    concurrency_policy: Literal["Allow", "Forbid", "Replace"] = "Forbid"
    suspend: bool = False
    successful_jobs_history_limit: int = Field(default=3, ge=0)
    failed_jobs_history_limit: int = Field(default=1, ge=0)
    backoff_limit: int = Field(default=3, ge=0)
    active_deadline_seconds: int | None = Field(default=None, ge=1)
    ttl_seconds_after_finished: int | None = Field(default=86400, ge=0)
    starting_deadline_seconds: int | None = Field(default=None, ge=1)
    restart_policy: Literal["OnFailure", "Never"] = "OnFailure"

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, v: str | None) -> str | None:
        if v is None:
            return v
        fields = v.split()
        if not (v.startswith("@") or len(fields) == 5):
            raise ValueError(
                f"schedule {v!r} must be a 5-field cron expression (e.g. '*/15 * * * *') or @hourly"
            )
        return v


class PodSecurity(PlanModel):
    """Restricted Pod Security Standard by default; writable paths become emptyDir mounts."""

    run_as_user: int = Field(default=10001, ge=1)
    run_as_group: int = Field(default=10001, ge=1)
    fs_group: int | None = Field(default=10001, ge=1)
    read_only_root_filesystem: bool = True
    writable_paths: list[AbsolutePath] = Field(default_factory=lambda: ["/tmp"])
    capabilities_add: list[str] = Field(
        default_factory=list
    )  # only NET_BIND_SERVICE is allowed by restricted

    @field_validator("capabilities_add")
    @classmethod
    def _caps(cls, v: list[str]) -> list[str]:
        for cap in v:
            if cap != "NET_BIND_SERVICE":
                raise ValueError(f"capability {cap} is not allowed by the restricted Pod Security Standard")
        return v


class KedaTrigger(PlanModel):
    """One KEDA scaler (e.g. rabbitmq queueLength, prometheus query, cron); metadata as KEDA spells it."""

    type: str = Field(min_length=1)
    metadata: dict[str, str] = Field(default_factory=dict)


class KedaPlan(PlanModel):
    """A KEDA ScaledObject instead of an HPA; it owns the replica count (0 allowed: scale to zero)."""

    enabled: bool = False
    min_replicas: int = Field(default=1, ge=0)
    max_replicas: int = Field(default=10, ge=1)
    polling_interval: int = Field(default=30, ge=1)
    cooldown_period: int = Field(default=300, ge=0)
    triggers: list[KedaTrigger] = Field(default_factory=list)
    auth_secret: str | None = None  # TriggerAuthentication reads the scaler's credentials from this Secret
    auth_params: dict[str, str] = Field(default_factory=dict)  # trigger parameter -> key in auth_secret

    @model_validator(mode="after")
    def _consistent(self) -> KedaPlan:
        if self.max_replicas < self.min_replicas:
            raise ValueError(
                f"keda.max_replicas ({self.max_replicas}) is below min_replicas ({self.min_replicas})"
            )
        if self.enabled and not self.triggers:
            raise ValueError(
                "a KEDA ScaledObject needs at least one trigger (e.g. type rabbitmq, cron, prometheus)"
            )
        if self.auth_params and not self.auth_secret:
            raise ValueError("keda.auth_params need keda.auth_secret (the Secret holding the keys)")
        return self


class VpaPlan(PlanModel):
    """A VerticalPodAutoscaler; `Off` only recommends, so it never fights an HPA or evicts pods."""

    enabled: bool = False
    update_mode: Literal["Off", "Initial", "Recreate", "InPlaceOrRecreate", "Auto"] = "Off"
    controlled_resources: list[Literal["cpu", "memory"]] = Field(
        default_factory=lambda: list[Literal["cpu", "memory"]](["cpu", "memory"])
    )
    min_allowed: dict[str, Quantity] = Field(default_factory=dict)
    max_allowed: dict[str, Quantity] = Field(default_factory=dict)


class ExternalSecretKey(PlanModel):
    """One key of the produced Secret and where the store keeps it."""

    secret_key: str = Field(min_length=1)
    remote_key: str = Field(min_length=1)
    property: str | None = None


class ExternalSecretPlan(PlanModel):
    """An ExternalSecret (external-secrets.io/v1) whose Secret the workload reads as env (envFrom)."""

    enabled: bool = False
    store_name: str | None = None
    store_kind: Literal["SecretStore", "ClusterSecretStore"] = "SecretStore"
    refresh_interval: str = "1h"
    target_name: str | None = None  # default: <fullname>-external
    data: list[ExternalSecretKey] = Field(default_factory=list)
    extract_key: str | None = None  # dataFrom.extract: every property of this remote key

    @model_validator(mode="after")
    def _source(self) -> ExternalSecretPlan:
        if self.enabled and not self.store_name:
            raise ValueError(
                "an ExternalSecret needs external_secret.store_name (the SecretStore it reads from)"
            )
        if self.enabled and not (self.data or self.extract_key):
            raise ValueError("an ExternalSecret needs data keys or extract_key (the remote key to copy)")
        return self


class AlertingPlan(PlanModel):
    """A PrometheusRule with default alerts on error ratio, latency and restarts."""

    enabled: bool = False
    labels: dict[str, str] = Field(default_factory=dict)  # e.g. release: kube-prometheus-stack
    error_ratio: float = Field(default=0.05, gt=0, le=1)
    latency_seconds: float = Field(default=1.0, gt=0)
    restarts: int = Field(default=3, ge=1)


class MiddlewarePlan(PlanModel):
    """Traefik Middleware objects attached to the IngressRoute."""

    redirect_https: bool = False
    security_headers: bool = False
    rate_limit_average: int | None = Field(default=None, ge=1)  # requests per second
    rate_limit_burst: int | None = Field(default=None, ge=1)


class LifecyclePlan(PlanModel):
    """Graceful stop: a preStop pause lets endpoints drain before SIGTERM."""

    termination_grace_period_seconds: int | None = Field(default=None, ge=0)
    pre_stop_sleep_seconds: int | None = Field(default=None, ge=1)
    pre_stop_command: list[str] = Field(default_factory=list)


class InitContainerPlan(PlanModel):
    """An init container that fills a shared emptyDir (e.g. downloads a model) before the app starts."""

    name: str = "init"
    image: ImageSpec | None = None  # default: the app image
    command: list[str] = Field(default_factory=list)
    shared_path: AbsolutePath = "/shared"
    size_limit: Quantity | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not DNS1123_LABEL.match(v) or len(v) > 63:
            raise ValueError(f"init container name {v!r} must be a DNS label (e.g. download-model)")
        return v


class HostPathMount(PlanModel):
    """A read-only host directory for node agents (log shippers, exporters): a documented exception."""

    name: str
    host_path: AbsolutePath
    mount_path: AbsolutePath

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not DNS1123_LABEL.match(v) or len(v) > 63:
            raise ValueError(f"hostPath volume name {v!r} must be a DNS label (e.g. varlog)")
        return v


ChartName = Annotated[str, Field(min_length=1, max_length=53)]
# top-level values.yaml keys of every chart: a component or dependency key must not shadow one
CHART_VALUES_KEYS = frozenset(
    ["global", "nameOverride", "fullnameOverride", "component", "partOf", "commonLabels", "commonAnnotations",
     "image", "replicaCount", "command", "args", "ports", "env", "resources", "service", "ingress",
     "ingressRoute", "httpRoute", "grpcRoute", "autoscaling", "pdb", "persistence", "networkPolicy",
     "serviceAccount", "rbac", "metrics", "migration", "tests", "job", "cronjob", "connections"]
)  # fmt: skip
COMPONENT_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


class ComponentPlan(PlanModel):
    """A further workload of the chart sharing the app's image, e.g. a Celery or Sidekiq worker.

    It runs as its own Deployment with its own selector (`app.kubernetes.io/component`), so the
    app's Service, PDB and HPA never pick its pods; it gets a Service only when it has ports.
    """

    name: str  # DNS label, e.g. "worker"; its values live under the camelCase key (worker.replicaCount)
    command: list[str] = Field(default_factory=list)
    args: list[str] = Field(default_factory=list)
    replicas: int = Field(default=1, ge=0)
    ports: list[PortSpec] = Field(default_factory=list)
    resources: Resources = Field(default_factory=Resources)
    probes: Probes = Field(default_factory=Probes)
    autoscaling: Autoscaling = Field(default_factory=Autoscaling)
    pdb: DisruptionBudget = Field(default_factory=DisruptionBudget)
    termination_grace_period_seconds: int = Field(default=30, ge=0)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if len(v) > 20 or not COMPONENT_NAME.match(v):
            raise ValueError(
                f"component name {v!r} must be lowercase letters, digits and '-' (≤ 20 chars), e.g. worker"
            )
        return v

    @model_validator(mode="after")
    def _probe_ports(self) -> ComponentPlan:
        names = {p.name for p in self.ports} | {p.container_port for p in self.ports}
        for kind in ("liveness", "readiness", "startup"):
            probe = getattr(self.probes, kind)
            if probe is not None and probe.type != "exec" and probe.port not in names:
                raise ValueError(
                    f"component {self.name}: the {kind} probe needs one of its own ports, got {probe.port!r}"
                )
        return self

    @property
    def values_key(self) -> str:
        """`celery-beat` -> `celeryBeat`: the values.yaml key that groups this component's settings."""
        head, *rest = self.name.split("-")
        return head + "".join(part.capitalize() for part in rest)

    @property
    def highly_available(self) -> bool:
        return self.replicas > 1 or self.autoscaling.enabled


class DependencyPlan(PlanModel):
    """A backing service the app talks to (postgres, redis, …), from the catalog.

    Bundled: the catalog chart is generated as a subchart under charts/<app> (condition
    `<app>.enabled`) and wired to the app through its Service and credentials Secret.
    External (`existing_secret`): nothing is bundled; the app reads the connection from the Secret.
    """

    app: str  # catalog entry name, also the subchart name and its values key
    enabled: bool = True
    existing_secret: str | None = None
    env: dict[str, str] = Field(default_factory=dict)  # HOST/PORT/USER/PASSWORD… -> the app's env name
    app_env: dict[str, str] = Field(default_factory=dict)  # literal env after the connection, may use $(VAR)
    subchart_env: dict[str, str] = Field(default_factory=dict)  # env of the dependency, e.g. its database

    @field_validator("app")
    @classmethod
    def _app(cls, v: str) -> str:
        from agents.plan.catalog import load_catalog  # the catalog's entries are plan models too

        services = sorted(load_catalog().connections)
        if v not in services:
            raise ValueError(f"dependency {v!r} is not a service the catalog can wire: use one of {services}")
        return v

    @property
    def bundled(self) -> bool:
        return self.existing_secret is None


class ChartPlan(PlanModel):
    """Everything the generator needs to render a production-grade chart."""

    name: ChartName
    description: str = ""
    chart_version: str = "0.1.0"
    app_version: str | None = None
    kube_version: str = ">=1.25.0-0"
    home: str | None = None
    sources: list[str] = Field(default_factory=list)
    icon: str | None = None
    keywords: list[str] = Field(default_factory=list)
    catalog_app: str | None = None  # catalog entry this plan started from, if any

    image: ImageSpec
    workload: WorkloadKind = "Deployment"
    replicas: int = Field(default=1, ge=0)
    ports: list[PortSpec] = Field(default_factory=list)
    command: list[str] = Field(default_factory=list)
    args: list[str] = Field(default_factory=list)
    env: list[EnvVar] = Field(default_factory=list)
    config_files: list[ConfigFile] = Field(default_factory=list)
    secret_refs: list[SecretRef] = Field(default_factory=list)
    resources: Resources = Field(default_factory=Resources)
    probes: Probes = Field(default_factory=Probes)
    persistence: Persistence = Field(default_factory=Persistence)
    service: ServicePlan = Field(default_factory=ServicePlan)
    exposure: Exposure = Field(default_factory=Exposure)
    autoscaling: Autoscaling = Field(default_factory=Autoscaling)
    pdb: DisruptionBudget = Field(default_factory=DisruptionBudget)
    network_policy: NetworkPolicyPlan = Field(default_factory=NetworkPolicyPlan)
    service_account: ServiceAccountPlan = Field(default_factory=ServiceAccountPlan)
    rbac: RbacPlan = Field(default_factory=RbacPlan)
    metrics: MetricsPlan = Field(default_factory=MetricsPlan)
    scheduling: Scheduling = Field(default_factory=Scheduling)
    security: PodSecurity = Field(default_factory=PodSecurity)
    migration: MigrationHook = Field(default_factory=MigrationHook)
    job: JobSettings = Field(default_factory=JobSettings)
    # Keys of the `<fullname>-credentials` Secret the chart creates (random values kept across
    # upgrades); env vars that read Secret `<name>-credentials` are wired to it.
    credentials: list[CredentialKey] = Field(default_factory=list)
    exporter: ExporterPlan | None = None
    shared_memory: Quantity | None = None  # size of a memory-backed emptyDir at /dev/shm
    datastore: bool = False  # database, cache or broker: reached in-cluster, no routes or migration hook
    single_primary: bool = False  # one pod owns the data: no autoscaling and one replica
    # How the chart replicates a single primary, if it does: "replicaof" runs read replicas that
    # follow the primary's Service with --replicaof (redis, valkey).
    replication: Literal["replicaof"] | None = None
    read_replicas: int = Field(default=0, ge=0)  # pods that follow the primary (needs replication)
    keda: KedaPlan = Field(default_factory=KedaPlan)
    vpa: VpaPlan = Field(default_factory=VpaPlan)
    external_secret: ExternalSecretPlan = Field(default_factory=ExternalSecretPlan)
    alerting: AlertingPlan = Field(default_factory=AlertingPlan)
    middlewares: MiddlewarePlan = Field(default_factory=MiddlewarePlan)
    lifecycle: LifecyclePlan = Field(default_factory=LifecyclePlan)
    init_containers: list[InitContainerPlan] = Field(default_factory=list)
    host_path_mounts: list[HostPathMount] = Field(default_factory=list)
    config_data: dict[str, str] = Field(default_factory=dict)  # KEY=VALUE into the chart's ConfigMap, as env
    components: list[ComponentPlan] = Field(default_factory=list)  # further workloads on the same image
    dependencies: list[DependencyPlan] = Field(default_factory=list)  # backing services

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not DNS1123_LABEL.match(v):
            raise ValueError(
                f"chart name {v!r} must be lowercase letters, digits and '-', starting and ending "
                "with a letter or digit (DNS-1123), at most 53 characters"
            )
        return v

    @field_validator("chart_version")
    @classmethod
    def _semver(cls, v: str) -> str:
        if not SEMVER.match(v):
            raise ValueError(f"chart version {v!r} is not SemVer 2 (e.g. 0.1.0)")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> ChartPlan:
        names = [p.name for p in self.ports]
        if len(names) != len(set(names)):
            raise ValueError(f"port names must be unique, got {names}")
        numbers = [p.container_port for p in self.ports]
        if len(numbers) != len(set(numbers)):
            raise ValueError(f"container ports must be unique, got {numbers}")
        serving = self.workload in {"Deployment", "StatefulSet", "DaemonSet"}
        if self.workload == "CronJob" and not self.job.schedule:
            raise ValueError("a CronJob needs job.schedule (e.g. '0 3 * * *')")
        if serving and self.service.enabled and not self.ports:
            raise ValueError("a Service needs at least one port: add ports or disable the service")
        if self.exposure.kind != "none" and not (serving and self.service.enabled):
            raise ValueError("exposure needs a serving workload with a Service")
        if self.exposure.kind in {"ingress", "ingressroute"} and not self.exposure.hosts:
            raise ValueError(f"{self.exposure.kind} exposure needs at least one host")
        if self.exporter is not None and EXPORTER_PORT_NAME in names:
            raise ValueError(
                f"the exporter sidecar's port is named {EXPORTER_PORT_NAME!r}: rename the app's port"
            )
        metric_ports = [*names, EXPORTER_PORT_NAME] if self.exporter is not None else names
        if self.metrics.enabled and self.metrics.port not in metric_ports:
            raise ValueError(f"metrics port {self.metrics.port!r} is not one of the ports {metric_ports}")
        if self.autoscaling.enabled and self.workload not in {"Deployment", "StatefulSet"}:
            raise ValueError(f"autoscaling does not apply to a {self.workload}")
        if self.single_primary and (self.replicas > 1 or self.autoscaling.enabled or self.keda.enabled):
            instead = (
                "set read_replicas for pods that follow the primary"
                if self.replication
                else "use an operator such as CloudNativePG for a replicated database"
            )
            raise ValueError(
                f"{self.name} keeps its data in one primary pod: more replicas would be independent "
                f"primaries; keep replicas at 1 and autoscaling off ({instead})"
            )
        if self.datastore and (self.exposure.kind != "none" or self.migration.enabled):
            raise ValueError(
                f"{self.name} is a database, cache or broker: clients reach it through its Service "
                "inside the cluster; leave exposure.kind=none and the migration hook off"
            )
        if self.read_replicas and self.replication is None:
            raise ValueError(f"{self.name} has no replication: read_replicas must stay 0")
        if self.replication is not None and not self.ports:
            raise ValueError("read replicas follow the primary's first port: add a port")
        keys = [c.key for c in self.credentials]
        if len(keys) != len(set(keys)):
            raise ValueError(f"credential keys must be unique, got {keys}")
        self._check_capabilities()
        self._check_components_and_dependencies()
        return self

    def _check_capabilities(self) -> None:
        """Rules for the scaling, alerting, routing and node-agent additions."""
        scalable = self.workload in {"Deployment", "StatefulSet"}
        if self.keda.enabled and self.autoscaling.enabled:
            raise ValueError(
                "choose KEDA or an HPA: a ScaledObject creates its own HPA (disable autoscaling)"
            )
        if (self.keda.enabled or self.vpa.enabled) and not scalable:
            raise ValueError(f"KEDA and VPA scale a Deployment or StatefulSet, not a {self.workload}")
        if self.alerting.enabled and not self.metrics.enabled:
            raise ValueError("alerting needs metrics.enabled (the alerts query the app's metrics)")
        if self.host_path_mounts and self.workload != "DaemonSet":
            raise ValueError(
                "hostPath mounts are only for DaemonSet node agents: use persistence for app data"
            )
        names = [c.name for c in self.init_containers]
        if len(names) != len(set(names)):
            raise ValueError(f"init container names must be unique, got {names}")
        for key in self.config_data:
            if not ENV_NAME.match(key):
                raise ValueError(f"config key {key!r} is not a valid environment variable name")

    def _check_components_and_dependencies(self) -> None:
        if self.components and self.workload not in {"Deployment", "StatefulSet"}:
            raise ValueError(f"components run beside a Deployment or StatefulSet, not a {self.workload}")
        keys = [c.values_key for c in self.components] + [d.app for d in self.dependencies]
        if len(keys) != len(set(keys)):
            raise ValueError(f"component and dependency names must be unique, got {keys}")
        for key in keys:
            if key in CHART_VALUES_KEYS:
                raise ValueError(f"{key!r} is a values key of the chart itself: name the component otherwise")

    @property
    def credentials_secret(self) -> str:
        """The name env vars use for the chart's own credentials Secret (release-scoped when rendered)."""
        return f"{self.name}-credentials"

    @property
    def is_serving(self) -> bool:
        return self.workload in {"Deployment", "StatefulSet", "DaemonSet"}

    @property
    def highly_available(self) -> bool:
        """More than one pod at a time: PDB and topology spread follow from this by default."""
        return self.workload in {"Deployment", "StatefulSet"} and (
            self.replicas > 1 or self.autoscaling.enabled
        )
