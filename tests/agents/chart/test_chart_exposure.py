"""Each exposure kind renders the right object, pointed at the chart's Service."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.agents.chart.chart_render_checks import kinds, only, plan, render_docs, value_sets, write

ROUTE_KINDS = {"Ingress", "IngressRoute", "HTTPRoute", "GRPCRoute"}


def test_ingress_with_tls_and_cert_manager(tmp_path: Path) -> None:
    docs = render_docs(write(plan("shop-ingress"), tmp_path))
    ingress = only(docs, "Ingress")
    service = only(docs, "Service")
    assert ingress["apiVersion"] == "networking.k8s.io/v1"
    assert ingress["spec"]["ingressClassName"] == "nginx"
    assert ingress["metadata"]["annotations"]["cert-manager.io/cluster-issuer"] == "letsencrypt-prod"
    assert ingress["spec"]["tls"] == [
        {
            "hosts": ["shop.example.com", "www.shop.example.com"],
            "secretName": f"{service['metadata']['name']}-tls",
        }
    ]
    assert [rule["host"] for rule in ingress["spec"]["rules"]] == ["shop.example.com", "www.shop.example.com"]
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": service["metadata"]["name"], "port": {"name": "http"}}
    assert "http" in [p["name"] for p in service["spec"]["ports"]]


def test_traefik_ingressroute_matches_hosts_and_uses_the_tls_secret(tmp_path: Path) -> None:
    docs = render_docs(write(plan("traefik-site"), tmp_path))
    route = only(docs, "IngressRoute")
    assert route["apiVersion"] == "traefik.io/v1alpha1"
    assert route["spec"]["entryPoints"] == ["websecure"]
    rule = route["spec"]["routes"][0]
    assert rule["match"] == "(Host(`site.example.com`)) && PathPrefix(`/`)"
    service = only(docs, "Service")
    assert rule["services"] == [{"kind": "Service", "name": service["metadata"]["name"], "port": 8080}]
    assert route["spec"]["tls"] == {"secretName": "site-tls"}


def test_httproute_attaches_to_the_gateway_and_sends_to_the_service_port(tmp_path: Path) -> None:
    docs = render_docs(write(plan("gateway-web"), tmp_path))
    route = only(docs, "HTTPRoute")
    assert route["apiVersion"] == "gateway.networking.k8s.io/v1"
    assert route["spec"]["parentRefs"] == [{"name": "public", "namespace": "gateway-system"}]
    assert route["spec"]["hostnames"] == ["portal.example.com"]
    rule = route["spec"]["rules"][0]
    assert rule["matches"] == [{"path": {"type": "PathPrefix", "value": "/"}}]
    service = only(docs, "Service")
    assert rule["backendRefs"] == [{"name": service["metadata"]["name"], "port": 80}]
    assert service["spec"]["ports"][0]["port"] == 80


def test_grpcroute_sends_to_the_grpc_port(tmp_path: Path) -> None:
    docs = render_docs(write(plan("grpc-service"), tmp_path))
    route = only(docs, "GRPCRoute")
    assert route["apiVersion"] == "gateway.networking.k8s.io/v1"
    assert route["spec"]["parentRefs"] == [{"name": "internal"}]
    assert route["spec"]["rules"][0]["backendRefs"][0]["port"] == 50051
    container = only(docs, "Deployment")["spec"]["template"]["spec"]["containers"][0]
    assert container["livenessProbe"]["grpc"] == {"port": 50051}  # gRPC probes take a number


def test_no_exposure_renders_no_route(tmp_path: Path) -> None:
    docs = render_docs(write(plan("web-deployment"), tmp_path))
    assert not ROUTE_KINDS & set(kinds(docs))


@pytest.mark.parametrize(
    ("values_file", "kind"),
    [
        ("ci/ingress-values.yaml", "Ingress"),
        ("ci/ingressroute-values.yaml", "IngressRoute"),
        ("ci/httproute-values.yaml", "HTTPRoute"),
    ],
)
def test_each_exposure_ci_file_turns_on_exactly_its_kind(values_file: str, kind: str, tmp_path: Path) -> None:
    chart_dir = write(plan("web-deployment"), tmp_path)
    docs = render_docs(chart_dir, value_sets(chart_dir)[values_file])
    assert ROUTE_KINDS & set(kinds(docs)) == {kind}


def test_exposure_ci_files_follow_the_app_protocol(tmp_path: Path) -> None:
    web = set(value_sets(write(plan("web-deployment"), tmp_path / "web")))
    grpc = set(value_sets(write(plan("grpc-service"), tmp_path / "grpc")))
    tcp = set(value_sets(write(plan("postgres-statefulset"), tmp_path / "tcp")))
    assert {
        "ci/ingress-values.yaml",
        "ci/httproute-values.yaml",
    } <= web and "ci/grpcroute-values.yaml" not in web
    assert "ci/grpcroute-values.yaml" in grpc and "ci/ingress-values.yaml" not in grpc
    assert tcp == {"values.yaml", "ci/default-values.yaml", "ci/full-values.yaml"}


def test_service_monitor_scrapes_the_metrics_port_of_the_main_service_only(tmp_path: Path) -> None:
    docs = render_docs(write(plan("shop-ingress"), tmp_path))
    monitor = only(docs, "ServiceMonitor")
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    assert monitor["spec"]["endpoints"][0]["port"] == "metrics"
    assert "metrics" in [p["name"] for p in only(docs, "Service")["spec"]["ports"]]
    assert {"key": "service.kubernetes.io/headless", "operator": "DoesNotExist"} in monitor["spec"][
        "selector"
    ]["matchExpressions"]


def test_network_policy_opens_app_ports_and_keeps_dns_when_egress_is_restricted(tmp_path: Path) -> None:
    docs = render_docs(
        write(
            plan(
                "grpc-service",
                network_policy={
                    "allow_external": False,
                    "egress_restricted": True,
                    "egress_cidrs": ["10.1.0.0/16"],
                    "ingress_namespaces": ["frontend"],
                },
            ),
            tmp_path,
        )
    )
    policy = only(docs, "NetworkPolicy")["spec"]
    assert policy["policyTypes"] == ["Ingress", "Egress"]
    rule = policy["ingress"][0]
    assert rule["ports"] == [{"port": 50051, "protocol": "TCP"}]
    assert {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "frontend"}}} in rule["from"]
    dns = policy["egress"][0]["ports"]
    assert {"port": 53, "protocol": "UDP"} in dns and {"port": 53, "protocol": "TCP"} in dns
    selector = only(docs, "Deployment")["spec"]["selector"]["matchLabels"]
    assert policy["egress"][1] == {
        "to": [{"podSelector": {"matchLabels": selector}}],
        "ports": [{"port": 50051, "protocol": "TCP"}],
    }
    assert policy["egress"][2] == {"to": [{"ipBlock": {"cidr": "10.1.0.0/16"}}]}


def test_network_policy_also_covers_the_migration_hook_and_helm_test_pods(tmp_path: Path) -> None:
    docs = render_docs(write(plan("shop-ingress"), tmp_path))
    selector = only(docs, "NetworkPolicy")["spec"]["podSelector"]
    helper_pods = [
        only(docs, "Job", "-migrate")["spec"]["template"]["metadata"],
        only(docs, "Pod")["metadata"],
    ]
    app_pod = only(docs, "Deployment")["spec"]["template"]["metadata"]
    for pod in [app_pod, *helper_pods]:
        labels = pod["labels"]
        assert selector["matchLabels"].items() <= labels.items()
        for expression in selector["matchExpressions"]:
            assert labels[expression["key"]] in expression["values"]


def test_network_policy_allows_ingress_from_anywhere_only_when_asked(tmp_path: Path) -> None:
    policy = only(render_docs(write(plan("web-deployment"), tmp_path)), "NetworkPolicy")["spec"]
    assert policy["policyTypes"] == ["Ingress"]
    assert policy["ingress"] == [{"ports": [{"port": 8080, "protocol": "TCP"}]}]
