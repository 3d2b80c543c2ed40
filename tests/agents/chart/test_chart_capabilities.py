"""Each capability asked for in plain words reaches the rendered object (issue 11 point 5).

Every test plans a request the way a user writes it, renders the chart with its default
values and checks the object Kubernetes (or the operator) would receive.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agents.plan.planner import plan_request
from agents.validate import validate_chart
from tests.agents.chart.chart_render_checks import lint_problems, only, plan, render_docs, value_sets, write


def rendered(request: str, tmp_path: Path, sets: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    outcome = plan_request(request, sets)
    assert outcome.plan is not None, outcome.questions
    chart_dir = write(outcome.plan, tmp_path)
    assert lint_problems(chart_dir, {}) == []
    return render_docs(chart_dir)


def container(docs: list[dict[str, Any]], kind: str = "Deployment") -> dict[str, Any]:
    return pod_spec(docs, kind)["containers"][0]


def pod_spec(docs: list[dict[str, Any]], kind: str = "Deployment") -> dict[str, Any]:
    workload = only(docs, kind)
    if kind == "CronJob":
        return workload["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return workload["spec"]["template"]["spec"]


# --- scaling ---


def test_hpa_takes_cpu_and_memory_targets_in_percent(tmp_path: Path) -> None:
    docs = rendered(
        "api on ghcr.io/acme/api:1.2 port 8080, autoscale 2-10 at 70% cpu and 80% memory", tmp_path
    )
    hpa = only(docs, "HorizontalPodAutoscaler")["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (2, 10)
    targets = {m["resource"]["name"]: m["resource"]["target"]["averageUtilization"] for m in hpa["metrics"]}
    assert targets == {"cpu": 70, "memory": 80}
    assert "replicas" not in only(docs, "Deployment")["spec"]


def test_keda_scales_to_zero_from_a_queue_with_credentials_from_a_secret(tmp_path: Path) -> None:
    docs = rendered(
        "ghcr.io/acme/worker:2.3 port 8080 that scales to zero with keda on rabbitmq queue orders, "
        "credentials from secret mq-auth",
        tmp_path,
    )
    scaled = only(docs, "ScaledObject")["spec"]
    auth = only(docs, "TriggerAuthentication")
    assert scaled["minReplicaCount"] == 0
    assert scaled["scaleTargetRef"]["name"] == only(docs, "Deployment")["metadata"]["name"]
    trigger = scaled["triggers"][0]
    assert trigger["type"] == "rabbitmq" and trigger["metadata"]["queueName"] == "orders"
    assert trigger["authenticationRef"] == {"name": auth["metadata"]["name"]}
    assert auth["spec"]["secretTargetRef"] == [{"parameter": "host", "name": "mq-auth", "key": "host"}]
    assert "HorizontalPodAutoscaler" not in {d["kind"] for d in docs}
    assert "replicas" not in only(docs, "Deployment")["spec"]


def test_vpa_recommends_only_by_default(tmp_path: Path) -> None:
    docs = rendered("ghcr.io/acme/shop:1.0 port 8080 with a vertical pod autoscaler", tmp_path)
    vpa = only(docs, "VerticalPodAutoscaler")["spec"]
    assert vpa["updatePolicy"] == {"updateMode": "Off"}
    assert vpa["targetRef"]["kind"] == "Deployment"


# --- secrets ---


def test_external_secret_from_a_cluster_store_feeds_the_pods(tmp_path: Path) -> None:
    docs = rendered(
        "ghcr.io/acme/shop:1.0 port 8080 with an ExternalSecret from ClusterSecretStore vault-backend key prod/shop",
        tmp_path,
    )
    external = only(docs, "ExternalSecret")
    spec = external["spec"]
    assert external["apiVersion"] == "external-secrets.io/v1"
    assert spec["secretStoreRef"] == {"name": "vault-backend", "kind": "ClusterSecretStore"}
    assert spec["dataFrom"] == [{"extract": {"key": "prod/shop"}}]
    assert {"secretRef": {"name": spec["target"]["name"]}} in container(docs)["envFrom"]


def test_loadbalancer_with_two_named_ports_and_a_mounted_tls_secret(tmp_path: Path) -> None:
    docs = rendered(
        "ghcr.io/acme/edge:3 with a LoadBalancer service, http port 8080 and admin port 9090, "
        "mount the tls secret edge-tls at /etc/tls",
        tmp_path,
    )
    service = only(docs, "Service")["spec"]
    assert service["type"] == "LoadBalancer"
    assert [(p["name"], p["port"], p.get("appProtocol")) for p in service["ports"]] == [
        ("http", 8080, "http"),
        ("admin", 9090, "http"),
    ]
    app = container(docs)
    mount = next(m for m in app["volumeMounts"] if m["mountPath"] == "/etc/tls")
    assert mount["readOnly"] is True
    volume = next(v for v in pod_spec(docs)["volumes"] if v["name"] == mount["name"])
    assert volume["secret"]["secretName"] == "edge-tls"


# --- networking ---


def test_network_policy_from_a_namespace_egress_to_a_cidr_port_and_dns_deny_the_rest(tmp_path: Path) -> None:
    docs = rendered(
        "ghcr.io/acme/api:1 port 8080 with a network policy allowing ingress only from namespace frontend, "
        "egress to 10.20.0.0/16:5432, deny the rest",
        tmp_path,
    )
    policy = only(docs, "NetworkPolicy")["spec"]
    assert policy["policyTypes"] == ["Ingress", "Egress"]
    assert policy["ingress"][0]["from"] == [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "frontend"}}}
    ]
    dns = policy["egress"][0]
    assert dns["to"][0]["podSelector"] == {"matchLabels": {"k8s-app": "kube-dns"}}
    assert {"port": 53, "protocol": "UDP"} in dns["ports"]
    assert {
        "to": [{"ipBlock": {"cidr": "10.20.0.0/16"}}],
        "ports": [{"port": 5432, "protocol": "TCP"}],
    } in policy["egress"]


def test_network_policy_admits_pods_by_label(tmp_path: Path) -> None:
    docs = rendered(
        "ghcr.io/acme/api:1 listening on 8080, allow traffic from pods with label app=frontend", tmp_path
    )
    sources = only(docs, "NetworkPolicy")["spec"]["ingress"][0]["from"]
    assert {"namespaceSelector": {}, "podSelector": {"matchLabels": {"app": "frontend"}}} in sources


def test_grpc_route_names_gateway_and_namespace_and_probes_are_native_grpc(tmp_path: Path) -> None:
    docs = rendered(
        "ghcr.io/acme/grpc:1 grpc port 50051 behind a grpcroute on gateway internal in namespace gateways",
        tmp_path,
    )
    route = only(docs, "GRPCRoute")["spec"]
    assert route["parentRefs"] == [{"name": "internal", "namespace": "gateways"}]
    assert container(docs)["readinessProbe"]["grpc"] == {"port": 50051}


def test_ingress_with_several_hosts_one_tls_block_and_a_namespaced_issuer(tmp_path: Path) -> None:
    docs = rendered(
        "ghcr.io/acme/x:1 port 80, ingress class nginx for a.example.com and b.example.com "
        "with tls from namespaced issuer shop-ca",
        tmp_path,
    )
    ingress = only(docs, "Ingress")
    assert ingress["spec"]["ingressClassName"] == "nginx"
    assert len(ingress["spec"]["tls"]) == 1
    assert ingress["spec"]["tls"][0]["hosts"] == ["a.example.com", "b.example.com"]
    assert ingress["metadata"]["annotations"]["cert-manager.io/issuer"] == "shop-ca"


def test_traefik_cert_resolver_and_middlewares_attached_to_the_route(tmp_path: Path) -> None:
    docs = rendered(
        "ghcr.io/acme/web:1 port 8080 on traefik for shop.example.com with cert resolver letsencrypt, "
        "redirect http to https, security headers, rate limit 100 req/s",
        tmp_path,
    )
    routes = {d["metadata"]["name"]: d["spec"] for d in docs if d["kind"] == "IngressRoute"}
    main = next(spec for name, spec in routes.items() if not name.endswith("-redirect"))
    redirect = next(spec for name, spec in routes.items() if name.endswith("-redirect"))
    assert main["tls"] == {"certResolver": "letsencrypt"}
    middlewares = {d["metadata"]["name"]: d["spec"] for d in docs if d["kind"] == "Middleware"}
    attached = [m["name"] for m in main["routes"][0]["middlewares"]]
    assert all(name in middlewares for name in attached) and len(attached) == 2
    assert any(spec.get("rateLimit") == {"average": 100, "burst": 200} for spec in middlewares.values())
    assert redirect["entryPoints"] == ["web"]
    redirect_mw = middlewares[redirect["routes"][0]["middlewares"][0]["name"]]
    assert redirect_mw == {"redirectScheme": {"scheme": "https", "permanent": True}}


# --- observability ---


def test_metrics_port_service_monitor_labels_and_default_alerts(tmp_path: Path) -> None:
    docs = rendered(
        "ghcr.io/acme/api:1 port 8080 with metrics on port 9090, servicemonitor with release: kube-prometheus-stack "
        "and alerts",
        tmp_path,
    )
    monitor = only(docs, "ServiceMonitor")
    assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    assert monitor["spec"]["endpoints"][0]["port"] == "metrics"
    assert 9090 in [p["port"] for p in only(docs, "Service")["spec"]["ports"]]
    rule = only(docs, "PrometheusRule")
    assert rule["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    alerts = {r["alert"] for r in rule["spec"]["groups"][0]["rules"]}
    assert alerts == {"HTTPErrorRatioHigh", "HTTPLatencyHigh", "ContainerRestartingOften"}


# --- scheduling and hardware ---


def test_gpu_priority_slow_start_prestop_and_grace_period(tmp_path: Path) -> None:
    docs = rendered(
        "ghcr.io/acme/llm:1 port 8000 needs 1 gpu, node selector pool=gpu, priority class high, "
        "takes 5 minutes to start, grace period 60s, preStop sleep 10",
        tmp_path,
    )
    spec = pod_spec(docs)
    app = spec["containers"][0]
    assert app["resources"]["limits"]["nvidia.com/gpu"] == 1
    assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in spec["tolerations"]
    assert spec["nodeSelector"] == {"pool": "gpu"}
    assert spec["priorityClassName"] == "high"
    assert spec["terminationGracePeriodSeconds"] == 60
    assert app["lifecycle"] == {"preStop": {"sleep": {"seconds": 10}}}
    startup = app["startupProbe"]
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 300


def test_control_plane_toleration_for_a_daemonset(tmp_path: Path) -> None:
    docs = rendered(
        "agent ghcr.io/acme/agent:1 on every node, also on control-plane nodes",
        tmp_path,
        ("service.enabled=false",),
    )
    tolerations = pod_spec(docs, "DaemonSet")["tolerations"]
    assert {
        "key": "node-role.kubernetes.io/control-plane",
        "operator": "Exists",
        "effect": "NoSchedule",
    } in tolerations


# --- jobs ---


def test_pre_install_hook_with_weight_and_command(tmp_path: Path) -> None:
    docs = rendered(
        "ghcr.io/acme/app:1 port 8080, run 'rake db:migrate' as a pre-install and pre-upgrade hook with weight -10",
        tmp_path,
    )
    hook = next(d for d in docs if d["kind"] == "Job")
    annotations = hook["metadata"]["annotations"]
    assert annotations["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert annotations["helm.sh/hook-weight"] == "-10"
    assert hook["spec"]["template"]["spec"]["containers"][0]["command"] == ["rake", "db:migrate"]


def test_cronjob_time_zone_deadline_and_history_limits(tmp_path: Path) -> None:
    docs = rendered(
        "cron job ghcr.io/acme/report:1 every day at 3am time zone Europe/Berlin, deadline 30 minutes, "
        "keep 5 successful and 2 failed jobs",
        tmp_path,
    )
    cron = only(docs, "CronJob")["spec"]
    assert (cron["schedule"], cron["timeZone"]) == ("0 3 * * *", "Europe/Berlin")
    assert (cron["successfulJobsHistoryLimit"], cron["failedJobsHistoryLimit"]) == (5, 2)
    assert cron["jobTemplate"]["spec"]["activeDeadlineSeconds"] == 1800


def test_init_container_fills_a_size_limited_emptydir_the_app_reads(tmp_path: Path) -> None:
    docs = rendered(
        "ghcr.io/acme/llm:1 port 8000 with an init container that downloads https://models.example.com/m.bin "
        "into /models size limit 20Gi",
        tmp_path,
    )
    spec = pod_spec(docs)
    init = spec["initContainers"][0]
    assert init["command"] == ["wget", "-O", "/models/m.bin", "https://models.example.com/m.bin"]
    assert init["securityContext"]["runAsNonRoot"] is True
    volume = next(v for v in spec["volumes"] if v["name"] == init["volumeMounts"][0]["name"])
    assert volume["emptyDir"] == {"sizeLimit": "20Gi"}
    assert {"name": volume["name"], "mountPath": "/models"} in spec["containers"][0]["volumeMounts"]


# --- config and storage ---


def test_configmap_data_from_key_value_pairs_with_checksum(tmp_path: Path) -> None:
    docs = rendered("ghcr.io/acme/api:1 port 8080 with config LOG_LEVEL=debug, FEATURE_X=on", tmp_path)
    config = only(docs, "ConfigMap")
    assert config["data"] == {"LOG_LEVEL": "debug", "FEATURE_X": "on"}
    template = only(docs, "Deployment")["spec"]["template"]
    assert "checksum/config" in template["metadata"]["annotations"]
    assert {"configMapRef": {"name": config["metadata"]["name"]}} in template["spec"]["containers"][0][
        "envFrom"
    ]


def test_storage_class_size_and_access_mode(tmp_path: Path) -> None:
    docs = rendered("ghcr.io/acme/api:1 port 8080 with 10Gi storage class fast-ssd rwx", tmp_path)
    claim = only(docs, "StatefulSet")["spec"]["volumeClaimTemplates"][0]["spec"]
    assert claim["storageClassName"] == "fast-ssd"
    assert claim["accessModes"] == ["ReadWriteMany"]
    assert claim["resources"]["requests"]["storage"] == "10Gi"


def test_existing_claim_on_a_deployment(tmp_path: Path) -> None:
    docs = rendered("ghcr.io/acme/api:1 port 8080 using existing claim shared-data", tmp_path)
    volumes = pod_spec(docs)["volumes"]
    assert {"name": "data", "persistentVolumeClaim": {"claimName": "shared-data"}} in volumes
    assert "PersistentVolumeClaim" not in {d["kind"] for d in docs}


# --- node agents ---


def test_node_agent_mounts_host_paths_read_only_with_a_cluster_role(tmp_path: Path) -> None:
    docs = rendered(
        "log agent ghcr.io/acme/logs:1 on every node that reads /var/log from the host",
        tmp_path,
        ("service.enabled=false",),
    )
    spec = pod_spec(docs, "DaemonSet")
    volume = next(v for v in spec["volumes"] if "hostPath" in v)
    assert volume["hostPath"] == {"path": "/var/log", "type": "Directory"}
    mount = next(m for m in spec["containers"][0]["volumeMounts"] if m["name"] == volume["name"])
    assert mount == {"name": volume["name"], "mountPath": "/var/log", "readOnly": True}
    annotations = only(docs, "DaemonSet")["spec"]["template"]["metadata"]["annotations"]
    assert "security/host-path=" in annotations["autopilot.k8s.io/accepted-risks"]
    role = only(docs, "ClusterRole")
    assert role["rules"][0]["resources"] == ["pods", "namespaces", "nodes"]
    chart_dir = next(tmp_path.iterdir())
    assert "## Security exception: host paths" in (chart_dir / "README.md").read_text()
    assert "## @param hostPathMounts" in (chart_dir / "values.yaml").read_text()


CLEAN_REQUESTS = [
    ("ghcr.io/acme/worker:2.3 port 8080 that scales to zero with keda on rabbitmq queue orders, "
     "credentials from secret mq-auth", ()),
    ("ghcr.io/acme/shop:1.0 port 8080 with an ExternalSecret from ClusterSecretStore vault-backend key prod/shop "
     "and a vpa", ()),
    ("ghcr.io/acme/web:1 port 8080 on traefik for shop.example.com with cert resolver letsencrypt, "
     "redirect http to https, security headers, rate limit 100 req/s", ()),
    ("ghcr.io/acme/api:1 port 8080 with metrics on port 9090, servicemonitor with release: kube-prometheus-stack "
     "and alerts", ()),
    ("log agent ghcr.io/acme/logs:1 port 2020 on every node that reads /var/log from the host", ()),
]  # fmt: skip


@pytest.mark.parametrize(
    ("request_text", "sets"),
    CLEAN_REQUESTS,
    ids=["keda", "external-secret", "traefik", "alerts", "node-agent"],
)
def test_capability_charts_have_no_errors_or_default_warnings(
    request_text: str, sets: tuple[str, ...], tmp_path: Path
) -> None:
    outcome = plan_request(request_text, sets)
    assert outcome.plan is not None
    report = validate_chart(write(outcome.plan, tmp_path))
    assert [f.message for f in report.errors] == []
    warnings = [
        f.message
        for f in report.findings
        if f.severity.name == "WARNING" and f.values_file in (None, "values.yaml")
    ]
    assert warnings == []


def test_an_autoscaled_chart_gets_a_ci_file_with_keda_instead_of_the_hpa(tmp_path: Path) -> None:
    chart_dir = write(plan("api-autoscaled"), tmp_path)
    values = value_sets(chart_dir)["ci/keda-values.yaml"]
    docs = render_docs(chart_dir, values)
    kinds = {d["kind"] for d in docs}
    assert {"ScaledObject", "TriggerAuthentication"} <= kinds and "HorizontalPodAutoscaler" not in kinds
    assert only(docs, "ScaledObject")["spec"]["minReplicaCount"] == 0
    report = validate_chart(chart_dir)
    assert "ci/keda-values.yaml" in report.rendered
    assert [f.message for f in report.errors] == []


def test_a_chart_without_autoscaling_gets_no_keda_file(tmp_path: Path) -> None:
    assert "ci/keda-values.yaml" not in value_sets(write(plan("web-deployment"), tmp_path))
