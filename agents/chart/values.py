"""Chart parameters from a `ChartPlan`: every key the templates read, with secure defaults.

The templates are the same for every chart; what differs between charts is only the values
built here. Every optional feature is a switch, on or off as the plan says.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any, NamedTuple

from agents.chart.components import component_sections
from agents.chart.dependencies import dependency_section
from agents.chart.params import Section
from agents.plan.model import ChartPlan, PortSpec, Probe
from agents.validate.accepted_risks import ANNOTATION as ACCEPTED_RISKS

TEST_IMAGE = {
    "registry": "docker.io",
    "repository": "library/busybox",
    "tag": "1.37.0",
    "digest": "",
    "pullPolicy": "IfNotPresent",
}
PULL_POLICIES = ["IfNotPresent", "Always", "Never"]
PORT_NUMBER = {"type": "integer", "minimum": 1, "maximum": 65535}
PORT_ITEM_SCHEMA = {
    "type": "object",
    "required": ["name", "containerPort"],
    "properties": {
        "name": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "maxLength": 15},
        "containerPort": PORT_NUMBER,
        "servicePort": PORT_NUMBER,
        "protocol": {"type": "string", "enum": ["TCP", "UDP", "SCTP"]},
        "appProtocol": {"type": "string"},
    },
}
INT_OR_PERCENT = {"type": ["integer", "string"], "pattern": "^([0-9]+%?)?$"}
HTTP_PROTOCOLS = {"http", "https", "http2", "h2c", "kubernetes.io/h2c", "ws", "wss"}


def build_sections(plan: ChartPlan) -> list[Section]:
    """All documented parameters of the chart for `plan`, grouped in values.yaml order."""
    sections = [
        _global_section(),
        _common_section(plan),
        _image_section(plan),
        _workload_section(plan),
        _container_section(plan),
        _scheduling_section(plan),
        _security_section(plan),
    ]
    if plan.workload in {"Job", "CronJob"}:
        sections.append(_job_section(plan))
    if plan.is_serving:
        sections.append(_service_section(plan))
        sections.append(_exposure_section(plan))
    if plan.workload in {"Deployment", "StatefulSet"}:
        sections.append(_availability_section(plan))
    sections.append(_persistence_section(plan))
    sections.append(_network_policy_section(plan))
    sections.append(_access_section(plan))
    if plan.is_serving:
        sections.append(_metrics_section(plan))
        sections.append(_migration_section(plan))
        sections.append(_tests_section(plan))
    sections += component_sections(plan)
    if (dependencies := dependency_section(plan)) is not None:
        sections.append(dependencies)
    return sections


def _global_section() -> Section:
    s = Section(title="Global parameters")
    s.add("global.imageRegistry", "", "Registry that overrides the registry of every image")
    s.add(
        "global.imagePullSecrets",
        [],
        "Names of existing Secrets used to pull every image",
        items={"type": "string"},
    )
    return s


def _common_section(plan: ChartPlan) -> Section:
    s = Section(title="Common parameters")
    s.add("nameOverride", "", "Replaces the chart name in object names")
    s.add("fullnameOverride", "", "Replaces the full object name (release-chart)")
    s.add("component", _component(plan), "Value of the app.kubernetes.io/component label")
    s.add("partOf", "", "Value of the app.kubernetes.io/part-of label (omitted when empty)")
    s.add("commonLabels", {}, "Labels added to every object")
    s.add("commonAnnotations", {}, "Annotations added to every object")
    return s


def _image_section(plan: ChartPlan) -> Section:
    image = plan.image
    s = Section(title="Image parameters")
    s.add("image.registry", image.registry, "Image registry")
    s.add("image.repository", image.repository, "Image repository", minLength=1)
    s.add("image.tag", image.tag or "", "Image tag (pinned; never rely on latest)")
    s.add(
        "image.digest", image.digest or "", "Image digest (sha256:…); takes precedence over the tag when set"
    )
    s.add("image.pullPolicy", image.pull_policy, "Image pull policy", enum=PULL_POLICIES)
    s.add(
        "image.pullSecrets", [], "Names of existing Secrets used to pull the image", items={"type": "string"}
    )
    return s


def _workload_section(plan: ChartPlan) -> Section:
    s = Section(title=f"{plan.workload} parameters")
    if plan.workload in {"Deployment", "StatefulSet"}:
        s.add("replicaCount", plan.replicas, "Number of pods (ignored when autoscaling is on)", minimum=0)
    if plan.is_serving:
        s.add("revisionHistoryLimit", 10, "Old ReplicaSets or revisions kept for rollback", minimum=0)
        s.add("updateStrategy", _update_strategy(plan), "Update strategy of the workload")
    if plan.workload == "StatefulSet":
        s.add(
            "podManagementPolicy",
            "OrderedReady",
            "Pod management policy of the StatefulSet",
            enum=["OrderedReady", "Parallel"],
        )
    return s


def _container_section(plan: ChartPlan) -> Section:
    s = Section(title="Container parameters")
    s.add("command", list(plan.command), "Override the image entrypoint", items={"type": "string"})
    s.add("args", list(plan.args), "Override the image arguments", items={"type": "string"})
    s.add(
        "ports",
        [_port_values(p) for p in plan.ports],
        "Container ports; each is also a Service port (servicePort) and a NetworkPolicy ingress port",
        items=PORT_ITEM_SCHEMA,
    )
    env = _environment(plan)
    s.add("env", env.literal, "Environment variables (Kubernetes EnvVar list)", items={"type": "object"})
    s.add(
        "secretEnv",
        env.from_secrets,
        "Environment variables read from keys of existing Secrets (name, existingSecret, key)",
        items=_reference_schema("name", "existingSecret", "key"),
    )
    s.add(
        "configMapEnv",
        env.from_config_maps,
        "Environment variables read from keys of existing ConfigMaps (name, existingConfigMap, key)",
        items=_reference_schema("name", "existingConfigMap", "key"),
    )
    s.add(
        "envFromSecrets",
        env.whole_secrets,
        "Existing Secrets whose every key becomes an environment variable (existingSecret)",
        items=_reference_schema("existingSecret"),
    )
    s.add("envFrom", [], "Other sources of environment variables (Kubernetes EnvFromSource list)")
    s.add("extraEnvVars", [], "Extra environment variables appended to env")
    s.add("extraEnvVarsCM", "", "Name of an existing ConfigMap with extra environment variables")
    s.add("extraEnvVarsSecret", "", "Name of an existing Secret with extra environment variables")
    s.add(
        "secretMounts",
        env.mounts,
        "Existing Secrets mounted read-only as files (existingSecret, mountPath)",
        items=_reference_schema("existingSecret", "mountPath"),
    )
    s.add(
        "configFiles",
        [_config_file_values(plan, i) for i in range(len(plan.config_files))],
        "Files rendered into a ConfigMap and mounted read-only (name, mountPath, content)",
        items={
            "type": "object",
            "required": ["name", "mountPath", "content"],
            "properties": {
                "name": {"type": "string", "pattern": "^[-._a-zA-Z0-9]+$"},
                "mountPath": {"type": "string", "pattern": "^/"},
                "content": {"type": "string"},
            },
        },
    )
    s.add("resources", _resources(plan), "Container resource requests and limits")
    probes = _probes(plan)
    for kind in ("liveness", "readiness", "startup"):
        s.add(f"{kind}Probe", probes[kind], f"{kind.capitalize()} probe (Kubernetes Probe plus enabled)")
    s.add("lifecycleHooks", {}, "Container lifecycle hooks (postStart, preStop)")
    s.add("terminationGracePeriodSeconds", 30, "Seconds a pod gets to stop gracefully", minimum=0)
    s.add("podAnnotations", _pod_annotations(plan), "Annotations added to the pods")
    s.add("podLabels", {}, "Labels added to the pods")
    s.add("initContainers", [], "Init containers added to the pods")
    s.add("sidecars", [], "Sidecar containers added to the pods")
    s.add("extraVolumes", [], "Extra volumes added to the pods")
    s.add("extraVolumeMounts", [], "Extra volume mounts added to the main container")
    return s


def _scheduling_section(plan: ChartPlan) -> Section:
    scheduling = plan.scheduling
    spread = scheduling.topology_spread
    ha = plan.highly_available
    preset = scheduling.pod_anti_affinity if ha and scheduling.pod_anti_affinity != "none" else ""
    s = Section(title="Scheduling parameters")
    s.add("nodeSelector", dict(scheduling.node_selector), "Node labels the pods must match")
    s.add(
        "tolerations",
        [t.model_dump(exclude_none=True) for t in scheduling.tolerations],
        "Tolerations of the pods",
    )
    s.add("affinity", {}, "Affinity of the pods; replaces podAntiAffinityPreset when set")
    s.add(
        "podAntiAffinityPreset",
        preset,
        "Spread pods over nodes: soft (preferred), hard (required) or empty (off)",
        enum=["", "soft", "hard"],
    )
    s.add(
        "topologySpread.enabled",
        spread.enabled if spread.enabled is not None else ha,
        "Spread pods over topology domains (on by default when more than one pod runs)",
    )
    s.add(
        "topologySpread.maxSkew", spread.max_skew, "Maximum pod count difference between domains", minimum=1
    )
    s.add("topologySpread.topologyKey", spread.topology_key, "Node label that defines a domain")
    s.add(
        "topologySpread.whenUnsatisfiable",
        spread.when_unsatisfiable,
        "What to do when the spread cannot be met",
        enum=["DoNotSchedule", "ScheduleAnyway"],
    )
    s.add(
        "topologySpreadConstraints", [], "Custom topology spread constraints; replace topologySpread when set"
    )
    s.add("priorityClassName", scheduling.priority_class_name or "", "PriorityClass of the pods")
    return s


def _security_section(plan: ChartPlan) -> Section:
    sec = plan.security
    pod: dict[str, Any] = {
        "runAsNonRoot": True,
        "runAsUser": sec.run_as_user,
        "runAsGroup": sec.run_as_group,
    }
    if sec.fs_group is not None:
        pod["fsGroup"] = sec.fs_group
        pod["fsGroupChangePolicy"] = "OnRootMismatch"
    pod["seccompProfile"] = {"type": "RuntimeDefault"}
    capabilities: dict[str, Any] = {"drop": ["ALL"]}
    if sec.capabilities_add:
        capabilities["add"] = list(sec.capabilities_add)
    container = {
        "runAsNonRoot": True,
        "runAsUser": sec.run_as_user,
        "runAsGroup": sec.run_as_group,
        "allowPrivilegeEscalation": False,
        "privileged": False,
        "readOnlyRootFilesystem": sec.read_only_root_filesystem,
        "capabilities": capabilities,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    s = Section(title="Security parameters")
    s.add("podSecurityContext", pod, "Pod security context (restricted Pod Security Standard)")
    s.add(
        "containerSecurityContext", container, "Container security context (restricted Pod Security Standard)"
    )
    s.add(
        "writablePaths",
        list(sec.writable_paths),
        "Paths the app writes to; each gets an emptyDir so the root filesystem stays read-only",
        items={"type": "string", "pattern": "^/"},
    )
    s.add(
        "automountServiceAccountToken",
        plan.service_account.automount_token or _rbac_enabled(plan),
        "Mount the ServiceAccount token in the pods (only apps that call the Kubernetes API need it)",
    )
    return s


def _job_section(plan: ChartPlan) -> Section:
    job = plan.job
    s = Section(title="Job parameters")
    s.add("job.backoffLimit", job.backoff_limit, "Retries before the Job is marked failed", minimum=0)
    s.add(
        "job.activeDeadlineSeconds",
        job.active_deadline_seconds or 0,
        "Seconds a Job may run before it is stopped (0: no limit)",
        minimum=0,
    )
    s.add(
        "job.ttlSecondsAfterFinished",
        job.ttl_seconds_after_finished,
        "Seconds a finished Job is kept (null: kept forever)",
        type=["integer", "null"],
        minimum=0,
    )
    s.add(
        "job.restartPolicy",
        job.restart_policy,
        "Restart policy of the Job's pods",
        enum=["OnFailure", "Never"],
    )
    if plan.workload == "CronJob":
        s.add("cronjob.schedule", job.schedule or "", "Cron schedule", minLength=1)
        s.add("cronjob.timeZone", job.time_zone or "", "Time zone of the schedule (empty: the controller's)")
        s.add(
            "cronjob.concurrencyPolicy",
            job.concurrency_policy,
            "What to do when a run is still going at the next schedule",
            enum=["Allow", "Forbid", "Replace"],
        )
        s.add("cronjob.suspend", job.suspend, "Suspend future runs")
        s.add(
            "cronjob.successfulJobsHistoryLimit",
            job.successful_jobs_history_limit,
            "Successful Jobs kept",
            minimum=0,
        )
        s.add("cronjob.failedJobsHistoryLimit", job.failed_jobs_history_limit, "Failed Jobs kept", minimum=0)
        s.add(
            "cronjob.startingDeadlineSeconds",
            0,
            "Seconds after the schedule a missed run may still start (0: no deadline)",
            minimum=0,
        )
    return s


def _service_section(plan: ChartPlan) -> Section:
    service = plan.service
    s = Section(title="Service parameters")
    s.add("service.enabled", service.enabled, "Create a Service for the pods")
    s.add("service.type", service.type, "Service type", enum=["ClusterIP", "NodePort", "LoadBalancer"])
    s.add(
        "service.clusterIP",
        "None" if service.headless and plan.workload != "StatefulSet" else "",
        "Service cluster IP (None: headless)",
    )
    s.add("service.annotations", {}, "Service annotations")
    s.add(
        "service.sessionAffinity",
        "None",
        "Session affinity",
        enum=["None", "ClientIP"],
    )
    s.add(
        "service.externalTrafficPolicy",
        "Cluster",
        "External traffic policy (NodePort and LoadBalancer)",
        enum=["Cluster", "Local"],
    )
    s.add(
        "service.nodePorts",
        {},
        "Node ports by port name (NodePort and LoadBalancer)",
        additionalProperties={"type": "integer", "minimum": 30000, "maximum": 32767},
    )
    if plan.workload == "StatefulSet":
        s.add(
            "service.publishNotReadyAddresses",
            False,
            "Publish DNS records of not-ready pods on the headless Service",
        )
    return s


def _exposure_section(plan: ChartPlan) -> Section:
    exposure = plan.exposure
    kind = exposure.kind
    hosts = list(exposure.hosts)
    web = _exposed_port(plan, grpc=False)
    grpc_target = _exposed_port(plan, grpc=True)
    tls_secret = exposure.tls_secret or ""
    parent_refs: list[dict[str, str]] = []
    if exposure.gateway_name:
        parent = {"name": exposure.gateway_name}
        if exposure.gateway_namespace:
            parent["namespace"] = exposure.gateway_namespace
        parent_refs.append(parent)
    parent_refs_schema = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}
    host_items = {"type": "string", "minLength": 1}

    s = Section(title="Traffic exposure parameters")
    ingress = kind == "ingress"
    s.add("ingress.enabled", ingress, "Create an Ingress (networking.k8s.io/v1)")
    s.add("ingress.className", (exposure.class_name or "") if ingress else "", "IngressClass name")
    s.add("ingress.hosts", hosts if ingress else [], "Host names routed to the Service", items=host_items)
    s.add("ingress.path", exposure.path, "Path routed to the Service", pattern="^/")
    s.add(
        "ingress.pathType",
        exposure.path_type,
        "Path match type",
        enum=["Prefix", "Exact", "ImplementationSpecific"],
    )
    s.add("ingress.servicePort", web.name if web else "", "Name of the Service port traffic goes to")
    s.add("ingress.tls", exposure.tls and ingress, "Serve TLS for the hosts")
    s.add("ingress.tlsSecret", tls_secret if ingress else "", "TLS Secret name (default: <fullname>-tls)")
    s.add(
        "ingress.certManager.issuer",
        (exposure.cert_manager_issuer or "") if ingress else "",
        "cert-manager issuer that creates the TLS Secret (empty: none)",
    )
    s.add(
        "ingress.certManager.issuerKind",
        "ClusterIssuer",
        "Kind of the cert-manager issuer",
        enum=["ClusterIssuer", "Issuer"],
    )
    s.add("ingress.annotations", dict(exposure.annotations) if ingress else {}, "Ingress annotations")

    traefik = kind == "ingressroute"
    s.add("ingressRoute.enabled", traefik, "Create a Traefik IngressRoute (traefik.io/v1alpha1)")
    s.add("ingressRoute.entryPoints", list(exposure.entry_points), "Traefik entry points")
    s.add(
        "ingressRoute.hosts", hosts if traefik else [], "Host names routed to the Service", items=host_items
    )
    s.add("ingressRoute.path", exposure.path, "Path prefix routed to the Service", pattern="^/")
    s.add("ingressRoute.middlewares", [], "Traefik middlewares (name, namespace)")
    s.add(
        "ingressRoute.servicePort",
        web.exposed_port if web else 80,
        "Service port number traffic goes to",
        **PORT_NUMBER,
    )
    s.add("ingressRoute.tls.enabled", exposure.tls and traefik, "Serve TLS")
    s.add(
        "ingressRoute.tls.secretName",
        tls_secret if traefik else "",
        "TLS Secret name (default: <fullname>-tls)",
    )
    s.add("ingressRoute.tls.certResolver", "", "Traefik certificate resolver; replaces secretName when set")
    s.add(
        "ingressRoute.annotations", dict(exposure.annotations) if traefik else {}, "IngressRoute annotations"
    )

    http = kind == "httproute"
    s.add("httpRoute.enabled", http, "Create a Gateway API HTTPRoute (gateway.networking.k8s.io/v1)")
    s.add(
        "httpRoute.parentRefs",
        parent_refs if http else [],
        "Gateways the route attaches to (name, namespace, sectionName)",
        items=parent_refs_schema,
    )
    s.add("httpRoute.hostnames", hosts if http else [], "Host names the route matches", items=host_items)
    s.add("httpRoute.path", exposure.path, "Path routed to the Service", pattern="^/")
    s.add(
        "httpRoute.pathType",
        "Exact" if exposure.path_type == "Exact" else "PathPrefix",
        "Path match type",
        enum=["PathPrefix", "Exact", "RegularExpression"],
    )
    s.add(
        "httpRoute.servicePort",
        web.exposed_port if web else 80,
        "Service port number traffic goes to",
        **PORT_NUMBER,
    )
    s.add("httpRoute.annotations", dict(exposure.annotations) if http else {}, "HTTPRoute annotations")

    grpc = kind == "grpcroute"
    s.add("grpcRoute.enabled", grpc, "Create a Gateway API GRPCRoute (gateway.networking.k8s.io/v1)")
    s.add(
        "grpcRoute.parentRefs",
        parent_refs if grpc else [],
        "Gateways the route attaches to (name, namespace, sectionName)",
        items=parent_refs_schema,
    )
    s.add("grpcRoute.hostnames", hosts if grpc else [], "Host names the route matches", items=host_items)
    s.add(
        "grpcRoute.servicePort",
        grpc_target.exposed_port if grpc_target else 80,
        "Service port number traffic goes to",
        **PORT_NUMBER,
    )
    s.add("grpcRoute.annotations", dict(exposure.annotations) if grpc else {}, "GRPCRoute annotations")
    return s


def _availability_section(plan: ChartPlan) -> Section:
    auto = plan.autoscaling
    pdb = plan.pdb
    s = Section(title="Autoscaling and availability parameters")
    s.add(
        "autoscaling.enabled",
        auto.enabled,
        "Create a HorizontalPodAutoscaler (the workload then has no replicas)",
    )
    s.add("autoscaling.minReplicas", auto.min_replicas, "Minimum pods", minimum=1)
    s.add("autoscaling.maxReplicas", auto.max_replicas, "Maximum pods", minimum=1)
    s.add(
        "autoscaling.targetCPU",
        auto.target_cpu_utilization or 0,
        "Target average CPU utilization in percent (0: not used)",
        minimum=0,
        maximum=100,
    )
    s.add(
        "autoscaling.targetMemory",
        auto.target_memory_utilization or 0,
        "Target average memory utilization in percent (0: not used)",
        minimum=0,
        maximum=100,
    )
    s.add(
        "pdb.create",
        pdb.enabled if pdb.enabled is not None else plan.highly_available,
        "Create a PodDisruptionBudget (on by default when more than one pod runs)",
    )
    s.add(
        "pdb.minAvailable",
        pdb.min_available if pdb.min_available is not None else "",
        "Pods that must stay available (number or percentage; empty: use maxUnavailable)",
        **INT_OR_PERCENT,
    )
    s.add(
        "pdb.maxUnavailable",
        pdb.max_unavailable if pdb.max_unavailable is not None else "",
        "Pods that may be unavailable (number or percentage)",
        **INT_OR_PERCENT,
    )
    return s


def _persistence_section(plan: ChartPlan) -> Section:
    p = plan.persistence
    s = Section(title="Persistence parameters")
    s.add("persistence.enabled", p.enabled, "Mount a PersistentVolumeClaim at mountPath")
    s.add(
        "persistence.existingClaim", p.existing_claim or "", "Use this existing claim instead of creating one"
    )
    s.add("persistence.mountPath", p.mount_path, "Where the volume is mounted", pattern="^/")
    s.add("persistence.subPath", "", "Sub-directory of the volume to mount")
    s.add("persistence.storageClass", p.storage_class or "", "StorageClass (empty: cluster default; -: none)")
    s.add(
        "persistence.accessModes",
        list(p.access_modes),
        "Access modes of the claim",
        items={
            "type": "string",
            "enum": ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"],
        },
        minItems=1,
    )
    s.add("persistence.size", p.size, "Size of the claim", pattern=r"^[0-9.]+([eEinumkKMGTP]*[-+]?[0-9]*)$")
    s.add("persistence.annotations", {}, "Annotations of the claim")
    if plan.workload == "StatefulSet":
        policy = ["Retain", "Delete"]
        s.add(
            "persistence.retentionPolicy.whenDeleted",
            "Retain",
            "Claims kept when the StatefulSet is deleted",
            enum=policy,
        )
        s.add(
            "persistence.retentionPolicy.whenScaled",
            "Retain",
            "Claims kept when the StatefulSet scales down",
            enum=policy,
        )
    return s


def _network_policy_section(plan: ChartPlan) -> Section:
    n = plan.network_policy
    s = Section(title="NetworkPolicy parameters")
    s.add("networkPolicy.enabled", n.enabled, "Create a NetworkPolicy for the pods")
    s.add("networkPolicy.allowExternal", n.allow_external, "Allow traffic to the app ports from any source")
    s.add(
        "networkPolicy.allowSameNamespace",
        n.allow_same_namespace,
        "Allow traffic from pods of the same namespace (when allowExternal is off)",
    )
    s.add(
        "networkPolicy.ingressNamespaces",
        list(n.ingress_namespaces),
        "Namespaces allowed in (when allowExternal is off)",
        items={"type": "string"},
    )
    s.add("networkPolicy.extraIngress", [], "Extra ingress rules")
    s.add(
        "networkPolicy.egressRestricted",
        n.egress_restricted,
        "Restrict egress to DNS, egressCIDRs and extraEgress",
    )
    s.add(
        "networkPolicy.egressCIDRs",
        list(n.egress_cidrs),
        "CIDRs the pods may reach",
        items={"type": "string"},
    )
    s.add("networkPolicy.extraEgress", [], "Extra egress rules (when egress is restricted)")
    return s


def _access_section(plan: ChartPlan) -> Section:
    sa = plan.service_account
    rbac = plan.rbac
    s = Section(title="ServiceAccount and RBAC parameters")
    s.add("serviceAccount.create", sa.create, "Create a ServiceAccount for the pods")
    s.add("serviceAccount.name", sa.name or "", "ServiceAccount name (default: the full name, or default)")
    s.add(
        "serviceAccount.automountServiceAccountToken",
        sa.automount_token,
        "Mount the token of the created ServiceAccount by default",
    )
    s.add("serviceAccount.annotations", dict(sa.annotations), "ServiceAccount annotations")
    s.add("rbac.create", rbac.create, "Create a Role and RoleBinding (or Cluster*) with rbac.rules")
    s.add("rbac.clusterWide", rbac.cluster_wide, "Create a ClusterRole and ClusterRoleBinding instead")
    s.add(
        "rbac.rules",
        [{"apiGroups": r.api_groups, "resources": r.resources, "verbs": r.verbs} for r in rbac.rules],
        "Rules of the Role (Kubernetes PolicyRule list)",
        items={"type": "object", "required": ["resources", "verbs"]},
    )
    return s


def _metrics_section(plan: ChartPlan) -> Section:
    m = plan.metrics
    s = Section(title="Metrics parameters")
    s.add("metrics.enabled", m.enabled, "The app serves Prometheus metrics on metrics.port")
    s.add("metrics.port", m.port, "Name of the port that serves metrics")
    s.add("metrics.path", m.path, "HTTP path of the metrics", pattern="^/")
    s.add(
        "metrics.serviceMonitor.enabled",
        m.enabled and m.service_monitor,
        "Create a ServiceMonitor (monitoring.coreos.com/v1) for the Prometheus operator",
    )
    s.add("metrics.serviceMonitor.namespace", "", "Namespace of the ServiceMonitor (default: the release's)")
    s.add("metrics.serviceMonitor.interval", m.interval, "Scrape interval", pattern="^[0-9]+(ms|s|m|h)$")
    s.add("metrics.serviceMonitor.scrapeTimeout", "", "Scrape timeout (empty: Prometheus default)")
    s.add("metrics.serviceMonitor.labels", {}, "Labels the Prometheus operator selects ServiceMonitors by")
    return s


def _migration_section(plan: ChartPlan) -> Section:
    m = plan.migration
    s = Section(title="Migration hook parameters")
    s.add(
        "migration.enabled",
        m.enabled,
        "Run a pre-install/pre-upgrade Job with the app image (e.g. migrate a database)",
    )
    s.add("migration.command", list(m.command), "Command of the migration Job", items={"type": "string"})
    s.add("migration.args", list(m.args), "Arguments of the migration Job", items={"type": "string"})
    s.add(
        "migration.backoffLimit", m.backoff_limit, "Retries before the migration fails the release", minimum=0
    )
    s.add("migration.activeDeadlineSeconds", 600, "Seconds the migration may run (0: no limit)", minimum=0)
    s.add("migration.resources", {}, "Resources of the migration Job (empty: those of the app)")
    return s


def _tests_section(plan: ChartPlan) -> Section:
    s = Section(title="Helm test parameters")
    s.add("tests.enabled", True, "Render the helm test Pod that connects to the Service")
    s.add(
        "tests.httpPath",
        _test_http_path(plan),
        "HTTP path the test GETs on the first Service port (empty: a TCP connect only)",
        pattern="^(/.*)?$",
    )
    for key, value in TEST_IMAGE.items():
        extra: dict[str, Any] = {"enum": PULL_POLICIES} if key == "pullPolicy" else {}
        s.add(f"tests.image.{key}", value, f"Test image {key}", **extra)
    return s


def _test_http_path(plan: ChartPlan) -> str:
    """The readiness (or liveness) HTTP path when it checks the first port, which the test then reaches."""
    if not plan.ports:
        return ""
    first = plan.ports[0]
    for probe in (plan.probes.readiness, plan.probes.liveness):
        if (
            probe is not None
            and probe.type == "http"
            and probe.port in (None, first.name, first.container_port)
        ):
            return probe.path or ""
    return ""


def web_port(plan: ChartPlan) -> PortSpec | None:
    """The first port that speaks HTTP (by appProtocol or name), if any."""
    for port in plan.ports:
        if (port.app_protocol or "").lower() in HTTP_PROTOCOLS or port.name.startswith(("http", "web")):
            return port
    return None


def grpc_port(plan: ChartPlan) -> PortSpec | None:
    """The first port that speaks gRPC (by appProtocol or name), if any."""
    for port in plan.ports:
        if (port.app_protocol or "").lower() == "grpc" or port.name.startswith("grpc"):
            return port
    return None


def _component(plan: ChartPlan) -> str:
    if plan.components:
        return "web" if plan.service.enabled and plan.ports else "main"
    return {"Job": "job", "CronJob": "cronjob", "DaemonSet": "agent"}.get(plan.workload, "server")


def _rbac_enabled(plan: ChartPlan) -> bool:
    return plan.rbac.create and bool(plan.rbac.rules)


def _update_strategy(plan: ChartPlan) -> dict[str, Any]:
    if plan.workload == "Deployment":
        single_writer = plan.persistence.enabled and "ReadWriteMany" not in plan.persistence.access_modes
        if single_writer:
            # A ReadWriteOnce volume cannot be attached to the old and the new pod at once.
            return {"type": "Recreate"}
        return {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}}
    if plan.workload == "DaemonSet":
        return {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}}
    return {"type": "RollingUpdate"}


def _port_values(port: PortSpec) -> dict[str, Any]:
    return {
        "name": port.name,
        "containerPort": port.container_port,
        "servicePort": port.exposed_port,
        "protocol": port.protocol,
        "appProtocol": port.app_protocol or "",
    }


def _exposed_port(plan: ChartPlan, grpc: bool) -> PortSpec | None:
    """The port a route sends traffic to: the first gRPC (or HTTP) port, else the first port."""
    chosen = grpc_port(plan) if grpc else web_port(plan)
    return chosen or (plan.ports[0] if plan.ports else None)


class _Environment(NamedTuple):
    literal: list[dict[str, Any]]
    from_secrets: list[dict[str, str]]
    from_config_maps: list[dict[str, str]]
    whole_secrets: list[dict[str, str]]
    mounts: list[dict[str, str]]


def _environment(plan: ChartPlan) -> _Environment:
    """Env and mounts; Secrets and ConfigMaps the user already has sit under `existing*` keys, never copied."""
    env = _Environment([], [], [], [], [])
    for var in plan.env:
        if var.value is not None:
            env.literal.append({"name": var.name, "value": var.value})
        elif var.config_map is not None:
            env.from_config_maps.append(
                {"name": var.name, "existingConfigMap": var.config_map, "key": var.key or ""}
            )
        else:
            env.from_secrets.append(
                {"name": var.name, "existingSecret": var.secret or "", "key": var.key or ""}
            )
    for ref in plan.secret_refs:
        if ref.mount_path:
            env.mounts.append({"existingSecret": ref.name, "mountPath": ref.mount_path})
        elif ref.keys:
            env.from_secrets.extend(
                {"name": _env_name(k), "existingSecret": ref.name, "key": k} for k in ref.keys
            )
        else:
            env.whole_secrets.append({"existingSecret": ref.name})
    return env


def _reference_schema(*required: str) -> dict[str, Any]:
    """Items of a list that names existing objects: every listed key is a non-empty string."""
    properties: dict[str, Any] = {key: {"type": "string", "minLength": 1} for key in required}
    if "mountPath" in properties:
        properties["mountPath"]["pattern"] = "^/"
    return {"type": "object", "required": list(required), "properties": properties}


def _env_name(secret_key: str) -> str:
    """DATABASE_URL from a Secret key like database-url."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", secret_key).upper()
    return name if not name[:1].isdigit() else f"_{name}"


def _config_file_values(plan: ChartPlan, index: int) -> dict[str, str]:
    config = plan.config_files[index]
    mount = PurePosixPath(config.mount_path)
    # mount_path is either the file itself (/etc/nginx/nginx.conf) or its directory (/etc/nginx).
    file_path = mount if mount.name == config.filename else mount / config.filename
    return {"name": config.filename, "mountPath": str(file_path), "content": config.content}


def _resources(plan: ChartPlan) -> dict[str, Any]:
    r = plan.resources
    requests = {k: v for k, v in (("cpu", r.cpu_request), ("memory", r.memory_request)) if v}
    limits = {k: v for k, v in (("cpu", r.cpu_limit), ("memory", r.memory_limit)) if v}
    resources: dict[str, Any] = {}
    if requests:
        resources["requests"] = requests
    if limits:
        resources["limits"] = limits
    return resources


def _probes(plan: ChartPlan) -> dict[str, dict[str, Any]]:
    """Probes from the plan; serving apps without any get distinct TCP checks on their first port."""
    given = plan.probes
    default_port = plan.ports[0].name if plan.ports else None
    serving = plan.is_serving and default_port is not None
    liveness = given.liveness
    readiness = given.readiness
    if serving and liveness is None:
        liveness = Probe(
            type="tcp", initial_delay_seconds=10, period_seconds=20, timeout_seconds=5, failure_threshold=6
        )
    if serving and readiness is None:
        readiness = Probe(
            type="tcp", initial_delay_seconds=5, period_seconds=10, timeout_seconds=3, failure_threshold=3
        )
    if not plan.is_serving:
        # Jobs run to completion: kubelet probes would only kill slow runs.
        liveness = readiness = None
    return {
        "liveness": _probe_values(plan, liveness, default_port),
        "readiness": _probe_values(plan, readiness, default_port),
        "startup": _probe_values(plan, given.startup if plan.is_serving else None, default_port),
    }


def _probe_values(plan: ChartPlan, probe: Probe | None, default_port: str | None) -> dict[str, Any]:
    if probe is None:
        return {"enabled": False}
    port: str | int | None = probe.port if probe.port is not None else default_port
    handler: dict[str, Any]
    if probe.type == "http":
        handler = {"httpGet": {"path": probe.path, "port": port}}
    elif probe.type == "tcp":
        handler = {"tcpSocket": {"port": port}}
    elif probe.type == "grpc":
        handler = {"grpc": {"port": _port_number(plan, port)}}
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


def _port_number(plan: ChartPlan, port: str | int | None) -> int:
    """gRPC probes take a number, not a port name."""
    if isinstance(port, int):
        return port
    for spec in plan.ports:
        if spec.name == port:
            return spec.container_port
    raise ValueError(
        f"probe port {port!r} is not one of the ports {[p.name for p in plan.ports]}: name a declared port"
    )


def _pod_annotations(plan: ChartPlan) -> dict[str, str]:
    """Declare the plan's deliberate trade-offs so the validator reports them as info, not warnings."""
    if plan.security.read_only_root_filesystem:
        return {}
    return {
        ACCEPTED_RISKS: "security/read-only-root-filesystem=the image writes outside its declared "
        "writable paths (plan: security.read_only_root_filesystem=false)"
    }
