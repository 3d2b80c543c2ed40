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
from agents.chart.values_capabilities import capability_sections
from agents.plan.model import EXPORTER_PORT_NAME, ChartPlan, EgressRule, PortSpec, Probe
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
GPU_RESOURCE = "nvidia.com/gpu"
HOST_PATH_RISK = "security/host-path=a node agent reads node files through read-only hostPath mounts (plan: host_path_mounts)"
HTTP_PROTOCOLS = {"http", "https", "http2", "h2c", "kubernetes.io/h2c", "ws", "wss"}
# values.schema.json: TLS on an Ingress must name where its certificate comes from.
TLS_NEEDS_A_SOURCE: dict[str, Any] = {
    "if": {
        "properties": {"enabled": {"const": True}, "tls": {"const": True}},
        "required": ["enabled", "tls"],
    },
    "then": {
        "anyOf": [
            {"properties": {"tlsSecret": {"type": "string", "minLength": 1}}, "required": ["tlsSecret"]},
            {
                "properties": {
                    "certManager": {
                        "properties": {"issuer": {"type": "string", "minLength": 1}},
                        "required": ["issuer"],
                    }
                },
                "required": ["certManager"],
            },
        ]
    },
}
EXPORTER_RESOURCES = {"requests": {"cpu": "10m", "memory": "32Mi"}, "limits": {"memory": "64Mi"}}


def build_sections(plan: ChartPlan) -> list[Section]:
    """All documented parameters of the chart for `plan`, grouped in values.yaml order."""
    sections = [
        _global_section(),
        _common_section(plan),
        _image_section(plan),
        _workload_section(plan),
        _container_section(plan),
    ]
    if plan.credentials:
        sections.append(_credentials_section(plan))
    sections += [
        _scheduling_section(plan),
        _security_section(plan),
    ]
    if plan.workload in {"Job", "CronJob"}:
        sections.append(_job_section(plan))
    if plan.is_serving:
        sections.append(_service_section(plan))
        if not plan.datastore:
            sections.append(_exposure_section(plan))
    if plan.workload in {"Deployment", "StatefulSet"}:
        sections.append(_availability_section(plan))
    if plan.replication is not None and plan.is_serving:
        sections.append(_replication_section(plan))
    sections.append(_persistence_section(plan))
    sections.append(_network_policy_section(plan))
    sections.append(_access_section(plan))
    if plan.is_serving:
        sections.append(_metrics_section(plan))
        if not plan.datastore:
            sections.append(_migration_section(plan))
        sections.append(_tests_section(plan))
    sections.extend(capability_sections(plan))
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
    if plan.workload in {"Deployment", "StatefulSet"} and plan.single_primary:
        s.add(
            "replicaCount",
            plan.replicas,
            f"Number of pods: 0 or 1, {plan.name} keeps its data in one primary pod "
            "(more pods would be independent primaries)",
            minimum=0,
            maximum=1,
        )
    elif plan.workload in {"Deployment", "StatefulSet"}:
        s.add("replicaCount", plan.replicas, "Number of pods (ignored when autoscaling is on)", minimum=0)
    if plan.is_serving:
        s.add("revisionHistoryLimit", 10, "Old ReplicaSets or revisions kept for rollback", minimum=0)
        s.add(
            "updateStrategy",
            _update_strategy(plan),
            "Update strategy of the workload (a Deployment with a ReadWriteOnce claim always recreates its pods)",
        )
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
    if plan.credentials:
        s.add(
            "credentialEnv",
            env.credentials,
            "Environment variables read from the chart's credentials Secret (name, key; see auth)",
            items=_reference_schema("name", "key"),
        )
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
    s.add("lifecycleHooks", lifecycle_hooks(plan), "Container lifecycle hooks (postStart, preStop)")
    s.add(
        "terminationGracePeriodSeconds",
        30 if (grace := plan.lifecycle.termination_grace_period_seconds) is None else grace,
        "Seconds a pod gets to stop gracefully",
        minimum=0,
    )
    s.add("podAnnotations", _pod_annotations(plan), "Annotations added to the pods")
    s.add("podLabels", {}, "Labels added to the pods")
    shared = shared_init_volumes(plan)
    s.add(
        "initContainers",
        init_container_values(plan),
        "Init containers added to the pods (those from the request fill a shared emptyDir)",
    )
    s.add("sidecars", [], "Sidecar containers added to the pods")
    s.add("extraVolumes", shared.volumes, "Extra volumes added to the pods")
    s.add("extraVolumeMounts", shared.mounts, "Extra volume mounts added to the main container")
    return s


def _scheduling_section(plan: ChartPlan) -> Section:
    scheduling = plan.scheduling
    spread = scheduling.topology_spread
    ha = plan.highly_available
    preset = scheduling.pod_anti_affinity if ha and scheduling.pod_anti_affinity != "none" else ""
    s = Section(title="Scheduling parameters")
    s.add("nodeSelector", dict(scheduling.node_selector), "Node labels the pods must match")
    tolerations = [t.model_dump(exclude_none=True) for t in scheduling.tolerations]
    if plan.resources.gpu and not any(t.get("key") == GPU_RESOURCE for t in tolerations):
        tolerations.append({"key": GPU_RESOURCE, "operator": "Exists", "effect": "NoSchedule"})
    s.add("tolerations", tolerations, "Tolerations of the pods")
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
    container = container_security_context(plan)
    s = Section(title="Security parameters")
    s.add("podSecurityContext", pod, "Pod security context (restricted Pod Security Standard)")
    s.add(
        "containerSecurityContext", container, "Container security context (restricted Pod Security Standard)"
    )
    writable = list(sec.writable_paths)
    if plan.persistence.enabled and plan.persistence.mount_path not in writable:
        # The data directory is an emptyDir when persistence is switched off at install time.
        writable.append(plan.persistence.mount_path)
    s.add(
        "writablePaths",
        writable,
        "Paths the app writes to; each gets an emptyDir so the root filesystem stays read-only "
        "(persistence.mountPath gets the claim instead when persistence is on)",
        items={"type": "string", "pattern": "^/"},
    )
    s.add(
        "automountServiceAccountToken",
        plan.service_account.automount_token or _rbac_enabled(plan),
        "Mount the ServiceAccount token in the pods (only apps that call the Kubernetes API need it)",
    )
    return s


def container_security_context(plan: ChartPlan) -> dict[str, Any]:
    """The restricted container security context, shared by the app and its init containers."""
    sec = plan.security
    capabilities: dict[str, Any] = {"drop": ["ALL"]}
    if sec.capabilities_add:
        capabilities["add"] = list(sec.capabilities_add)
    return {
        "runAsNonRoot": True,
        "runAsUser": sec.run_as_user,
        "runAsGroup": sec.run_as_group,
        "allowPrivilegeEscalation": False,
        "privileged": False,
        "readOnlyRootFilesystem": sec.read_only_root_filesystem,
        "capabilities": capabilities,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


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
            job.starting_deadline_seconds or 0,
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
    ingress_secret = tls_secret
    if ingress and exposure.tls and not (tls_secret or exposure.cert_manager_issuer):
        ingress_secret = f"{plan.name}-tls"  # a required input: nothing in the chart creates it
    s.add(
        "ingress.tls",
        exposure.tls and ingress,
        "Serve TLS for the hosts; needs ingress.tlsSecret (a Secret you create) or ingress.certManager.issuer",
    )
    s.add(
        "ingress.tlsSecret",
        ingress_secret if ingress else "",
        "Existing TLS Secret (kubernetes.io/tls) for the hosts; with a cert-manager issuer it defaults to "
        "<fullname>-tls, which cert-manager creates",
    )
    s.add(
        "ingress.certManager.issuer",
        (exposure.cert_manager_issuer or "") if ingress else "",
        "cert-manager issuer that creates the TLS Secret (empty: none)",
    )
    s.add(
        "ingress.certManager.issuerKind",
        exposure.cert_manager_issuer_kind,
        "Kind of the cert-manager issuer",
        enum=["ClusterIssuer", "Issuer"],
    )
    s.add("ingress.annotations", dict(exposure.annotations) if ingress else {}, "Ingress annotations")
    s.constrain("ingress", **TLS_NEEDS_A_SOURCE)

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
        "Existing TLS Secret (kubernetes.io/tls); empty: Traefik's default certificate (or certResolver)",
    )
    s.add(
        "ingressRoute.tls.certResolver",
        (exposure.cert_resolver or "") if traefik else "",
        "Traefik certificate resolver; replaces secretName when set",
    )
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
    if plan.single_primary:
        s.add(
            "autoscaling.enabled",
            False,
            f"Not offered: {plan.name} keeps its data in one primary pod",
            enum=[False],
        )
    else:
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


def _replication_section(plan: ChartPlan) -> Section:
    s = Section(title="Replication parameters")
    s.add(
        "replication.replicas",
        plan.read_replicas,
        "Read replicas (a StatefulSet, <fullname>-replicas) that follow the primary with --replicaof; "
        "writes go to the primary Service, reads may use the <fullname>-replicas Service. No automatic "
        "failover: keep persistence on so a restarted primary does not come back empty",
        minimum=0,
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
    if p.args_when_enabled:
        s.add(
            "persistence.argsWhenEnabled",
            list(p.args_when_enabled),
            "Arguments appended to args when persistence is on (the app's own durability switch)",
            items={"type": "string"},
        )
    if p.args_when_disabled:
        s.add(
            "persistence.argsWhenDisabled",
            list(p.args_when_disabled),
            "Arguments appended to args when persistence is off",
            items={"type": "string"},
        )
    if plan.shared_memory:
        s.add("sharedMemory.enabled", True, "Mount a memory-backed emptyDir at /dev/shm")
        s.add(
            "sharedMemory.sizeLimit",
            plan.shared_memory,
            "Size limit of /dev/shm (counts against the memory limit)",
            pattern=r"^[0-9.]+([eEinumkKMGTP]*[-+]?[0-9]*)$",
        )
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
    s.add(
        "networkPolicy.ingressPodLabels",
        dict(n.ingress_pod_labels),
        "Labels of pods (in any namespace) allowed in (when allowExternal is off)",
        additionalProperties={"type": "string"},
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
    s.add(
        "networkPolicy.egressRules",
        [_egress_rule_values(rule) for rule in n.egress_rules],
        "CIDRs the pods may reach on one port each (cidr, port, protocol)",
        items={
            "type": "object",
            "required": ["cidr"],
            "properties": {
                "cidr": {"type": "string", "minLength": 1},
                "port": {"type": "integer", "minimum": 0, "maximum": 65535},
                "protocol": {"type": "string", "enum": ["TCP", "UDP"]},
            },
        },
    )
    s.add("networkPolicy.dns.namespace", "kube-system", "Namespace of the cluster DNS pods egress may reach")
    s.add(
        "networkPolicy.dns.podLabels",
        {"k8s-app": "kube-dns"},
        "Labels of the cluster DNS pods (empty: DNS to any destination)",
        additionalProperties={"type": "string"},
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
    if plan.exporter is not None:
        s.add("metrics.enabled", m.enabled, "Run the exporter sidecar, which serves Prometheus metrics")
    else:
        s.add("metrics.enabled", m.enabled, "The app serves Prometheus metrics on metrics.port")
    s.add("metrics.port", m.port, "Name of the port that serves metrics")
    s.add("metrics.path", m.path, "HTTP path of the metrics", pattern="^/")
    if plan.exporter is not None:
        _exporter_params(s, plan)
    s.add(
        "metrics.serviceMonitor.enabled",
        m.enabled and m.service_monitor,
        "Create a ServiceMonitor (monitoring.coreos.com/v1) for the Prometheus operator",
    )
    s.add("metrics.serviceMonitor.namespace", "", "Namespace of the ServiceMonitor (default: the release's)")
    s.add("metrics.serviceMonitor.interval", m.interval, "Scrape interval", pattern="^[0-9]+(ms|s|m|h)$")
    s.add("metrics.serviceMonitor.scrapeTimeout", "", "Scrape timeout (empty: Prometheus default)")
    s.add(
        "metrics.serviceMonitor.labels",
        dict(m.service_monitor_labels),
        "Labels the Prometheus operator selects ServiceMonitors by (e.g. release: kube-prometheus-stack)",
    )
    return s


def _exporter_params(s: Section, plan: ChartPlan) -> None:
    exporter = plan.exporter
    assert exporter is not None
    image = exporter.image
    prefix = "metrics.exporter"
    s.add(f"{prefix}.image.registry", image.registry, "Exporter image registry")
    s.add(f"{prefix}.image.repository", image.repository, "Exporter image repository", minLength=1)
    s.add(f"{prefix}.image.tag", image.tag or "", "Exporter image tag (pinned)")
    s.add(f"{prefix}.image.digest", image.digest or "", "Exporter image digest (sha256:…); wins over the tag")
    s.add(f"{prefix}.image.pullPolicy", image.pull_policy, "Exporter image pull policy", enum=PULL_POLICIES)
    s.add(
        f"{prefix}.containerPort",
        exporter.port,
        f"Port the exporter listens on; the Service exposes it as port {EXPORTER_PORT_NAME!r}",
        **PORT_NUMBER,
    )
    s.add(f"{prefix}.args", list(exporter.args), "Exporter arguments", items={"type": "string"})
    literal = [{"name": v.name, "value": v.value} for v in exporter.env if v.value is not None]
    from_credentials = [
        {"name": v.name, "key": v.key or ""} for v in exporter.env if v.secret == plan.credentials_secret
    ]
    s.add(f"{prefix}.env", literal, "Exporter environment variables (Kubernetes EnvVar list)")
    if plan.credentials:
        s.add(
            f"{prefix}.credentialEnv",
            from_credentials,
            "Exporter environment variables read from the credentials Secret (name, key)",
            items=_reference_schema("name", "key"),
        )
    s.add(f"{prefix}.resources", EXPORTER_RESOURCES, "Exporter resource requests and limits")
    s.add(
        f"{prefix}.containerSecurityContext",
        _restricted_context(exporter.run_as_user),
        "Exporter security context (restricted Pod Security Standard)",
    )


def _credentials_section(plan: ChartPlan) -> Section:
    s = Section(title="Credentials parameters")
    s.add(
        "auth.existingSecret",
        "",
        "Existing Secret with the keys below; when set the chart creates no Secret and the pods read this one",
    )
    for credential in plan.credentials:
        if credential.value is not None:
            description = f"Value of key {credential.key} of the credentials Secret"
        else:
            description = f"Value of key {credential.key} (empty: random, generated on install and kept across upgrades)"
        s.add(f"auth.credentials.{credential.key}", credential.value or "", description)
    return s


def _restricted_context(user: int) -> dict[str, Any]:
    return {
        "runAsNonRoot": True,
        "runAsUser": user,
        "runAsGroup": user,
        "allowPrivilegeEscalation": False,
        "privileged": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }


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
    s.add(
        "migration.hooks",
        list(m.hooks),
        "Helm hooks the Job runs at",
        items={
            "type": "string",
            "enum": ["pre-install", "pre-upgrade", "post-install", "post-upgrade", "pre-delete"],
        },
        minItems=1,
    )
    s.add("migration.hookWeight", m.weight, "Hook weight: lower runs first")
    s.add(
        "migration.hookDeletePolicy",
        list(m.delete_policy),
        "When Helm deletes the hook Job",
        items={"type": "string", "enum": ["before-hook-creation", "hook-succeeded", "hook-failed"]},
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
    credentials: list[dict[str, str]]
    literal: list[dict[str, Any]]
    from_secrets: list[dict[str, str]]
    from_config_maps: list[dict[str, str]]
    whole_secrets: list[dict[str, str]]
    mounts: list[dict[str, str]]


def _environment(plan: ChartPlan) -> _Environment:
    """Env and mounts; Secrets and ConfigMaps the user already has sit under `existing*` keys, never copied."""
    env = _Environment([], [], [], [], [], [])
    for var in plan.env:
        if plan.credentials and var.secret == plan.credentials_secret:
            env.credentials.append({"name": var.name, "key": var.key or ""})
        elif var.value is not None:
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
    limits: dict[str, Any] = {k: v for k, v in (("cpu", r.cpu_limit), ("memory", r.memory_limit)) if v}
    if r.gpu:
        limits[GPU_RESOURCE] = r.gpu
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
    risks = []
    if not plan.security.read_only_root_filesystem:
        risks.append(
            "security/read-only-root-filesystem=the image writes outside its declared "
            "writable paths (plan: security.read_only_root_filesystem=false)"
        )
    if plan.host_path_mounts:
        risks.append(HOST_PATH_RISK)
    return {ACCEPTED_RISKS: ";".join(risks)} if risks else {}


def lifecycle_hooks(plan: ChartPlan) -> dict[str, Any]:
    """A preStop pause (or command) so endpoints drain before the container gets SIGTERM."""
    lifecycle = plan.lifecycle
    if lifecycle.pre_stop_command:
        return {"preStop": {"exec": {"command": list(lifecycle.pre_stop_command)}}}
    if lifecycle.pre_stop_sleep_seconds:
        return {"preStop": {"sleep": {"seconds": lifecycle.pre_stop_sleep_seconds}}}
    return {}


class _SharedVolumes(NamedTuple):
    volumes: list[dict[str, Any]]
    mounts: list[dict[str, Any]]


def _shared_volume_name(name: str) -> str:
    return f"shared-{name}"[:63].rstrip("-")


def shared_init_volumes(plan: ChartPlan) -> _SharedVolumes:
    """One emptyDir per init container, mounted in the app at the same path the init container filled."""
    shared = _SharedVolumes([], [])
    for init in plan.init_containers:
        empty_dir: dict[str, Any] = {"sizeLimit": init.size_limit} if init.size_limit else {}
        name = _shared_volume_name(init.name)
        shared.volumes.append({"name": name, "emptyDir": empty_dir})
        shared.mounts.append({"name": name, "mountPath": init.shared_path})
    return shared


def init_container_values(plan: ChartPlan) -> list[dict[str, Any]]:
    """Init containers from the plan, restricted like the app, writing only to their shared emptyDir."""
    containers = []
    for init in plan.init_containers:
        image = init.image or plan.image
        container: dict[str, Any] = {
            "name": init.name,
            "image": image.reference,
            "imagePullPolicy": image.pull_policy,
        }
        if init.command:
            container["command"] = list(init.command)
        container["securityContext"] = container_security_context(plan)
        container["resources"] = _resources(plan)
        container["volumeMounts"] = [{"name": _shared_volume_name(init.name), "mountPath": init.shared_path}]
        containers.append(container)
    return containers


def _egress_rule_values(rule: EgressRule) -> dict[str, Any]:
    values: dict[str, Any] = {"cidr": rule.cidr, "protocol": rule.protocol}
    if rule.port is not None:
        values["port"] = rule.port
    return values
