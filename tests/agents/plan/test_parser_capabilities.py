"""Plain-words phrasings of each capability become the right request facts (several per capability)."""

from __future__ import annotations

from typing import Any

import pytest

from agents.plan.parser import parse_request

IMAGE = "ghcr.io/acme/app:1.0"

CASES: list[tuple[str, dict[str, Any]]] = [
    # scaling
    (f"{IMAGE} port 8080, autoscale 2-10 at 70% cpu", {"autoscale_min": 2, "autoscale_max": 10, "target_cpu": 70}),
    (f"{IMAGE} port 8080 hpa from 3 to 12, target memory 75 %", {"autoscale_max": 12, "target_memory": 75}),
    (f"{IMAGE} port 8080 autoscaling between 2 and 6 replicas at cpu 60 percent", {"target_cpu": 60}),
    (f"{IMAGE} port 8080 scale to zero with KEDA on kafka topic events", {"keda_min": 0}),
    (f"{IMAGE} port 8080 keda scaling on redis list jobs up to 30 pods", {"keda_max": 30}),
    (f"{IMAGE} port 8080 with a VPA in auto mode", {"vpa": True, "vpa_mode": "Auto"}),
    (f"{IMAGE} port 8080 vertical autoscaling, recommendations only", {"vpa": True, "vpa_mode": None}),
    # secrets
    (
        f"{IMAGE} port 8080 external secrets from secret store aws-sm, keys api-key and db-password from prod/app",
        {"external_store": "aws-sm", "external_store_kind": "SecretStore"},
    ),
    (f"{IMAGE} port 8080 externalsecret from cluster secret store vault path secret/app", {"external_extract_key": "secret/app"}),
    (f"{IMAGE} port 8443, mount secret web-tls at /etc/tls", {"secret_mounts": {"web-tls": "/etc/tls"}}),
    (f"{IMAGE} port 8443 with certificate secret api-cert mounted read-only at /certs", {"secret_mounts": {"api-cert": "/certs"}}),
    (f"{IMAGE} port 8080 env from secret app-env", {"secrets": ["app-env"]}),
    # networking
    (f"{IMAGE} nodeport service, http port 8080 and grpc port 9000", {"service_type": "NodePort", "named_ports": [("http", 8080), ("grpc", 9000)]}),
    (f"{IMAGE} on a load balancer, web port 80", {"service_type": "LoadBalancer", "named_ports": [("web", 80)]}),
    (f"{IMAGE} port 8080 connects to redis port 6379", {"named_ports": []}),
    (
        f"{IMAGE} port 8080, allow ingress from namespaces frontend and monitoring",
        {"np_ingress_namespaces": ["frontend", "monitoring"], "np_only": False},
    ),
    (f"{IMAGE} port 8080 only from pods with label role=api", {"np_ingress_pod_labels": {"role": "api"}, "np_only": True}),
    (f"{IMAGE} port 8080 egress to 10.0.0.0/8 port 443 and 192.168.1.0/24:5432, default deny", {"egress_restricted": True}),
    (f"{IMAGE} port 8080 traefik for a.example.com, certresolver: le, force https", {"cert_resolver": "le", "redirect_https": True}),
    (f"{IMAGE} port 8080 traefik host a.example.com with hsts and rate limited to 20 requests per second, burst 40", {"security_headers": True, "rate_limit": 20, "rate_limit_burst": 40}),
    (f"{IMAGE} port 8080 ingress a.example.com with tls from namespaced issuer ca-issuer", {"issuer_kind": "Issuer"}),
    # observability
    (f"{IMAGE} port 8080 servicemonitor labels team=payments", {"service_monitor_labels": {"team": "payments"}}),
    (f"{IMAGE} port 8080 metrics with prometheus rules", {"alerting": True, "metrics": True}),
    (f"{IMAGE} port 8080 servicemonitor with release kube-prometheus-stack", {"service_monitor_labels": {"release": "kube-prometheus-stack"}}),
    # scheduling and hardware
    (f"{IMAGE} port 8000 with 2 nvidia gpus", {"gpu": 2}),
    (f"{IMAGE} port 8000 runs on gpu nodes", {"gpu": 1}),
    (f"{IMAGE} on every node, tolerate control plane taints", {"control_plane": True, "workload": "DaemonSet"}),
    (f"{IMAGE} port 8080 priorityClassName system-cluster-critical", {"priority_class": "system-cluster-critical"}),
    (f"{IMAGE} port 8080, slow starter", {"startup_seconds": 300}),
    (f"{IMAGE} port 8080 takes up to 3 min to warm up", {"startup_seconds": 180}),
    (f"{IMAGE} port 8080 terminationGracePeriodSeconds: 120, pre-stop hook sleeps 20s", {"grace_seconds": 120, "pre_stop_seconds": 20}),
    (f"{IMAGE} port 8080 needs 45 seconds to shut down", {"grace_seconds": 45}),
    # jobs
    (f"{IMAGE} port 8080 post-install hook running './seed.sh', deleted when it succeeds", {"hook_events": ["post-install"], "hook_command": ["./seed.sh"], "hook_delete_policy": ["hook-succeeded"]}),
    (f"cronjob {IMAGE} hourly, starting deadline 120, history limit 2, tz UTC", {"starting_deadline": 120, "keep_successful": 2, "keep_failed": 2, "time_zone": "UTC"}),
    (f"a job {IMAGE} that must finish within 2 hours", {"active_deadline": 7200}),
    (f"{IMAGE} port 8080 with an init container running 'fetch --all' into /data/cache", {"init_containers": [{"name": "init", "command": ["fetch", "--all"], "shared_path": "/data/cache"}]}),
    # config and storage
    (f"{IMAGE} port 8080 configmap with MODE=fast and RETRIES=3", {"config_data": {"MODE": "fast", "RETRIES": "3"}}),
    (f"{IMAGE} port 8080 settings: TZ=UTC", {"config_data": {"TZ": "UTC"}}),
    (f"{IMAGE} port 8080 20Gi shared volume storageclass nfs-client", {"access_modes": ["ReadWriteMany"], "storage_class": "nfs-client", "persistence_size": "20Gi"}),
    (f"{IMAGE} port 8080 using existing pvc media-library", {"existing_claim": "media-library"}),
    # node agents
    (f"{IMAGE} per node, reads /var/log/pods from the node", {"host_paths": [("/var/log/pods", "/var/log/pods")]}),
    (f"{IMAGE} daemonset with hostPath /proc mounted at /host/proc", {"host_paths": [("/proc", "/host/proc")]}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("request_text", "expected"), CASES, ids=[c[0][len(IMAGE) + 1 :][:60] for c in CASES]
)
def test_capability_phrasing_gives_facts(request_text: str, expected: dict[str, Any]) -> None:
    facts = parse_request(request_text).model_dump()
    got = {key: facts[key] for key in expected}
    if "init_containers" in expected:
        got["init_containers"] = [
            {k: c[k] for k in expected["init_containers"][0]} for c in facts["init_containers"]
        ]
    assert got == expected


def test_keda_trigger_carries_the_named_queue_and_secret_parameter() -> None:
    facts = parse_request(
        f"{IMAGE} port 8080 keda on rabbitmq queue invoices, connection from secret mq key amqp-url"
    )
    trigger = facts.keda_triggers[0]
    assert (trigger.type, trigger.metadata["queueName"]) == ("rabbitmq", "invoices")
    assert (facts.keda_auth_secret, facts.keda_auth_params) == ("mq", {"host": "amqp-url"})
    assert facts.app is None  # the queue is what it scales on, not the chart's app


def test_egress_rules_keep_each_cidr_with_its_port() -> None:
    facts = parse_request(f"{IMAGE} port 8080 egress to 10.0.0.0/8 port 443 and 192.168.1.0/24:5432")
    assert [(r.cidr, r.port) for r in facts.np_egress_rules] == [
        ("10.0.0.0/8", 443),
        ("192.168.1.0/24", 5432),
    ]
    assert facts.ports == [8080]  # the egress ports are not the app's


def test_external_secret_keys_name_their_remote_key_and_property() -> None:
    facts = parse_request(
        f"{IMAGE} port 8080 external secret from secretstore sm keys token and user from prod/app"
    )
    assert [(k.secret_key, k.remote_key, k.property) for k in facts.external_keys] == [
        ("token", "prod/app", "token"),
        ("user", "prod/app", "user"),
    ]


def test_a_hook_does_not_take_the_apps_command_from_another_clause() -> None:
    facts = parse_request(
        f"{IMAGE} port 8080 runs 'python serve.py --port 8080 --workers 4 --log-level info --timeout 30' "
        "with metrics and a network policy, and a post-upgrade hook job"
    )
    assert facts.hook_events == ["post-upgrade"] and facts.hook_command == []
    assert facts.command[:2] == ["python", "serve.py"]
