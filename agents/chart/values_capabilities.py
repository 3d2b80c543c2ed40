"""Values sections for the optional objects a request can ask for beyond the core workload.

KEDA and VPA scaling, an ExternalSecret, a PrometheusRule, Traefik middlewares, ConfigMap data
and node-agent hostPath mounts: each is one switch with its settings, off unless the plan asks.
"""

from __future__ import annotations

from typing import Any

from agents.chart.params import Section
from agents.plan.model import ChartPlan

STRING_MAP = {"type": "object", "additionalProperties": {"type": "string"}}
DURATION = "^[0-9]+(ms|s|m|h)$"


def capability_sections(plan: ChartPlan) -> list[Section]:
    """The sections this plan's workload can use, in values.yaml order."""
    sections = [_config_data_section(plan), _external_secret_section(plan)]
    if plan.workload in {"Deployment", "StatefulSet"}:
        sections.append(_keda_section(plan))
        sections.append(_vpa_section(plan))
    if plan.is_serving:
        sections.append(_prometheus_rule_section(plan))
        sections.append(_traefik_middlewares_section(plan))
    sections.append(_host_path_section(plan))
    return sections


def _config_data_section(plan: ChartPlan) -> Section:
    s = Section(title="ConfigMap data parameters")
    s.add(
        "configData",
        dict(plan.config_data),
        "KEY: value pairs stored in the chart's ConfigMap and passed to the app as environment variables",
        additionalProperties={"type": "string"},
        propertyNames={"pattern": "^[-._a-zA-Z][-._a-zA-Z0-9]*$"},
    )
    return s


def _external_secret_section(plan: ChartPlan) -> Section:
    es = plan.external_secret
    s = Section(title="ExternalSecret parameters")
    s.add(
        "externalSecret.enabled",
        es.enabled,
        "Create an ExternalSecret (external-secrets.io/v1); its Secret is passed to the app with envFrom",
    )
    s.add("externalSecret.secretStoreRef.name", es.store_name or "", "Name of the SecretStore to read from")
    s.add(
        "externalSecret.secretStoreRef.kind",
        es.store_kind,
        "Kind of the store",
        enum=["SecretStore", "ClusterSecretStore"],
    )
    s.add(
        "externalSecret.refreshInterval",
        es.refresh_interval,
        "How often the Secret is re-read",
        pattern=DURATION,
    )
    s.add(
        "externalSecret.targetName",
        es.target_name or "",
        "Name of the Secret it writes (default: <fullname>-external)",
    )
    s.add(
        "externalSecret.data",
        [_external_key(k.secret_key, k.remote_key, k.property) for k in es.data],
        "Keys of the Secret and where the store keeps them (secretKey, remoteKey, property)",
        items={
            "type": "object",
            "required": ["secretKey", "remoteKey"],
            "properties": {
                "secretKey": {"type": "string", "minLength": 1},
                "remoteKey": {"type": "string", "minLength": 1},
                "property": {"type": "string"},
            },
        },
    )
    s.add(
        "externalSecret.extractKey",
        es.extract_key or "",
        "Remote key whose every property becomes a Secret key",
    )
    return s


def _keda_section(plan: ChartPlan) -> Section:
    keda = plan.keda
    s = Section(title="KEDA parameters")
    s.add(
        "keda.enabled",
        keda.enabled,
        "Create a KEDA ScaledObject (keda.sh/v1alpha1); it owns the replica count, so use it instead of autoscaling",
    )
    s.add("keda.minReplicaCount", keda.min_replicas, "Minimum pods (0: scale to zero when idle)", minimum=0)
    s.add("keda.maxReplicaCount", keda.max_replicas, "Maximum pods", minimum=1)
    s.add("keda.pollingInterval", keda.polling_interval, "Seconds between trigger checks", minimum=1)
    s.add(
        "keda.cooldownPeriod",
        keda.cooldown_period,
        "Seconds after the last activity before scaling to zero",
        minimum=0,
    )
    s.add(
        "keda.triggers",
        [{"type": t.type, "metadata": dict(t.metadata)} for t in keda.triggers],
        "KEDA triggers (type, metadata); all use the TriggerAuthentication when it is on",
        items={
            "type": "object",
            "required": ["type", "metadata"],
            "properties": {"type": {"type": "string", "minLength": 1}, "metadata": STRING_MAP},
        },
    )
    s.add(
        "keda.triggerAuthentication.enabled",
        keda.auth_secret is not None,
        "Create a TriggerAuthentication that reads scaler credentials from an existing Secret",
    )
    s.add(
        "keda.triggerAuthentication.existingSecret", keda.auth_secret or "", "Secret holding the credentials"
    )
    s.add(
        "keda.triggerAuthentication.secretTargetRefs",
        [{"parameter": p, "key": k} for p, k in keda.auth_params.items()],
        "Trigger parameters and the Secret keys they come from (parameter, key)",
        items={
            "type": "object",
            "required": ["parameter", "key"],
            "properties": {
                "parameter": {"type": "string", "minLength": 1},
                "key": {"type": "string", "minLength": 1},
            },
        },
    )
    return s


def _vpa_section(plan: ChartPlan) -> Section:
    vpa = plan.vpa
    s = Section(title="VerticalPodAutoscaler parameters")
    s.add("vpa.enabled", vpa.enabled, "Create a VerticalPodAutoscaler (autoscaling.k8s.io/v1)")
    s.add(
        "vpa.updateMode",
        vpa.update_mode,
        "Off only recommends (safe next to an HPA); the others let the VPA change pods",
        enum=["Off", "Initial", "Recreate", "InPlaceOrRecreate", "Auto"],
    )
    s.add(
        "vpa.controlledResources",
        list(vpa.controlled_resources),
        "Resources the VPA recommends",
        items={"type": "string", "enum": ["cpu", "memory"]},
    )
    s.add(
        "vpa.minAllowed",
        dict(vpa.min_allowed),
        "Lowest requests it may recommend (cpu, memory)",
        **STRING_MAP,
    )
    s.add(
        "vpa.maxAllowed",
        dict(vpa.max_allowed),
        "Highest requests it may recommend (cpu, memory)",
        **STRING_MAP,
    )
    return s


def _prometheus_rule_section(plan: ChartPlan) -> Section:
    alerting = plan.alerting
    s = Section(title="PrometheusRule parameters")
    s.add(
        "prometheusRule.enabled",
        alerting.enabled and plan.metrics.enabled,
        "Create a PrometheusRule (monitoring.coreos.com/v1) with the default alerts (needs metrics.enabled)",
    )
    s.add(
        "prometheusRule.labels",
        dict(alerting.labels or plan.metrics.service_monitor_labels),
        "Labels the Prometheus operator selects rules by (e.g. release: kube-prometheus-stack)",
        **STRING_MAP,
    )
    s.add(
        "prometheusRule.errorRatio",
        alerting.error_ratio,
        "Alert when this share of requests fails with a 5xx (http_requests_total)",
        type="number",
        exclusiveMinimum=0,
        maximum=1,
    )
    s.add(
        "prometheusRule.latencySeconds",
        alerting.latency_seconds,
        "Alert when the 95th percentile of http_request_duration_seconds exceeds this",
        type="number",
        exclusiveMinimum=0,
    )
    s.add(
        "prometheusRule.restarts",
        alerting.restarts,
        "Alert when a container restarts this often in an hour",
        minimum=1,
    )
    s.add(
        "prometheusRule.extraRules", [], "More Prometheus rules added to the group", items={"type": "object"}
    )
    return s


def _traefik_middlewares_section(plan: ChartPlan) -> Section:
    mw = plan.middlewares
    traefik = plan.exposure.kind == "ingressroute"
    s = Section(title="Traefik middleware parameters")
    s.add(
        "traefikMiddlewares.redirectHttps.enabled",
        mw.redirect_https and traefik,
        "Answer plain-HTTP requests (entry point web) with a permanent redirect to https",
    )
    s.add("traefikMiddlewares.redirectHttps.entryPoint", "web", "Entry point that serves the redirect")
    s.add(
        "traefikMiddlewares.headers.enabled",
        mw.security_headers and traefik,
        "Add security response headers (HSTS, nosniff, frame deny)",
    )
    s.add("traefikMiddlewares.headers.stsSeconds", 31536000, "Strict-Transport-Security max-age", minimum=0)
    s.add(
        "traefikMiddlewares.headers.customResponseHeaders",
        {},
        "Extra response headers",
        **STRING_MAP,
    )
    s.add(
        "traefikMiddlewares.rateLimit.enabled",
        mw.rate_limit_average is not None and traefik,
        "Limit the request rate per client IP",
    )
    s.add(
        "traefikMiddlewares.rateLimit.average", mw.rate_limit_average or 100, "Requests per second", minimum=1
    )
    s.add(
        "traefikMiddlewares.rateLimit.burst",
        mw.rate_limit_burst or 2 * (mw.rate_limit_average or 100),
        "Burst size",
        minimum=1,
    )
    return s


def _host_path_section(plan: ChartPlan) -> Section:
    s = Section(title="Node agent parameters")
    s.add(
        "hostPathMounts",
        [{"name": m.name, "hostPath": m.host_path, "mountPath": m.mount_path} for m in plan.host_path_mounts],
        "Host directories mounted read-only (name, hostPath, mountPath). An exception to the restricted "
        "profile for DaemonSet node agents only; declared in the pods' accepted-risks annotation",
        items={
            "type": "object",
            "required": ["name", "hostPath", "mountPath"],
            "properties": {
                "name": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"},
                "hostPath": {"type": "string", "pattern": "^/"},
                "mountPath": {"type": "string", "pattern": "^/"},
            },
        },
    )
    return s


def _external_key(secret_key: str, remote_key: str, prop: str | None) -> dict[str, Any]:
    key: dict[str, Any] = {"secretKey": secret_key, "remoteKey": remote_key}
    if prop:
        key["property"] = prop
    return key
