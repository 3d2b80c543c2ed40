"""Table of request phrases → the facts the parser must read from them."""

from __future__ import annotations

from typing import Any

import pytest

from agents.plan.parser import parse_request

CASES: list[tuple[str, dict[str, Any]]] = [
    ("nginx", {"app": "nginx"}),
    ("a postgresql database", {"app": "postgres"}),
    ("pg please", {"app": "postgres"}),
    ("ghcr.io/acme/shop:1.4", {"image": "ghcr.io/acme/shop:1.4", "app": None}),
    ("image busybox:1.36", {"image": "busybox:1.36"}),
    ("ghcr.io/acme/shop@sha256:" + "ab" * 32, {"image": "ghcr.io/acme/shop@sha256:" + "ab" * 32}),
    ("registry.acme.com:5000/team/api:2", {"image": "registry.acme.com:5000/team/api:2"}),
    ("port 8000", {"ports": [8000]}),
    ("ports 8000, 9090", {"ports": [8000, 9090]}),
    ("listens on 3000", {"ports": [3000]}),
    ("3 replicas", {"replicas": 3}),
    ("three replicas", {"replicas": 3}),
    ("autoscale to 10", {"autoscale": True, "autoscale_max": 10}),
    ("between 2 and 10 replicas", {"autoscale": True, "autoscale_min": 2, "autoscale_max": 10}),
    ("cpu request 250m and memory limit 1gb", {"cpu_request": "250m", "memory_limit": "1Gi"}),
    ("512Mi memory limit", {"memory_limit": "512Mi"}),
    ("limits 2 cpu", {"cpu_limit": "2"}),
    ("statefulset", {"workload": "StatefulSet"}),
    ("on every node", {"workload": "DaemonSet", "app": None}),
    ("daemonset", {"workload": "DaemonSet"}),
    ("a one-off job", {"workload": "Job"}),
    ("cronjob every 15 minutes", {"workload": "CronJob", "schedule": "*/15 * * * *"}),
    ("every 2 hours", {"workload": "CronJob", "schedule": "0 */2 * * *"}),
    ("nightly at 3am", {"workload": "CronJob", "schedule": "0 3 * * *"}),
    ("every monday at 6:30am", {"workload": "CronJob", "schedule": "30 6 * * 1"}),
    ("cron '*/5 * * * *'", {"workload": "CronJob", "schedule": "*/5 * * * *"}),
    ("@hourly job", {"workload": "CronJob", "schedule": "@hourly"}),
    (
        "nginx ingress for shop.example.com",
        {"exposure": "ingress", "ingress_class": "nginx", "hosts": ["shop.example.com"]},
    ),
    ("ingress class traefik host a.example.com", {"exposure": "ingress", "ingress_class": "traefik"}),
    ("traefik host shop.example.com", {"exposure": "ingressroute", "hosts": ["shop.example.com"]}),
    ("gateway api on gateway public-gw", {"exposure": "httproute", "gateway_name": "public-gw"}),
    ("httproute", {"exposure": "httproute", "gateway_name": None}),
    (
        "grpc via gateway edge in namespace infra",
        {"exposure": "grpcroute", "gateway_name": "edge", "gateway_namespace": "infra"},
    ),
    ("with tls issuer letsencrypt-prod", {"tls": True, "cert_manager_issuer": "letsencrypt-prod"}),
    ("internal only", {"exposure": "none"}),
    ("env FOO=bar and LOG_LEVEL=debug", {"env": {"FOO": "bar", "LOG_LEVEL": "debug"}}),
    (
        "secret shop-db key url as DATABASE_URL",
        {"secret_envs": [{"env": "DATABASE_URL", "secret": "shop-db", "key": "url"}]},
    ),
    (
        "API_KEY from secret vendor-keys",
        {"secret_envs": [{"env": "API_KEY", "secret": "vendor-keys", "key": "API_KEY"}]},
    ),
    (
        "postgres via existing secret shop-db",
        {"databases": [{"service": "postgres", "secret": "shop-db"}], "app": None},
    ),
    ("postgres via existing secret", {"databases": [{"service": "postgres", "secret": None}]}),
    ("10Gi storage at /data", {"persistence": True, "persistence_size": "10Gi", "persistence_path": "/data"}),
    ("no persistence", {"persistence": False}),
    ("metrics on port 9102", {"metrics": True, "metrics_port": 9102}),
    ("with a servicemonitor", {"metrics": True, "service_monitor": True}),
    (
        "run migrations with python manage.py migrate",
        {"migration": True, "migration_command": ["python", "manage.py", "migrate"]},
    ),
    ("no network policy", {"network_policy": False}),
    (
        "service account with read access to configmaps",
        {
            "rbac_rules": [
                {"api_groups": [""], "resources": ["configmaps"], "verbs": ["get", "list", "watch"]}
            ]
        },
    ),
    ("write access to deployments cluster-wide", {"rbac_cluster_wide": True}),
    ("nodeSelector disktype=ssd", {"node_selector": {"disktype": "ssd"}, "env": {}}),
    (
        "tolerate dedicated=gpu:NoSchedule",
        {"tolerations": [{"key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}]},
    ),
    ("named shop", {"name": "shop"}),
    ("fastapi app called orders-api", {"app": "fastapi", "name": "orders-api"}),
    ("a next.js site", {"app": "nextjs", "hosts": []}),
    ("run manage.py", {"hosts": []}),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_parser_reads_stated_facts(text: str, expected: dict[str, Any]) -> None:
    facts = parse_request(text).model_dump()
    for field, value in expected.items():
        assert facts[field] == value, f"{field}: {facts[field]!r}"


def test_parser_leaves_unstated_facts_empty() -> None:
    facts = parse_request("nginx")
    assert facts.image is None and facts.replicas is None and facts.exposure is None and facts.ports == []


def test_a_number_before_a_word_starting_with_g_is_no_storage_size() -> None:
    facts = parse_request("storage 8080 grace")
    assert facts.persistence_size is None
    assert parse_request("storage of 5 g at /data").persistence_size == "5Gi"


SHOP_WITH_WORKER = (
    "a django app on ghcr.io/acme/shop:1.4, port 8000, with a celery worker running celery -A shop worker, "
    "2 web replicas and 3 worker replicas"
)


def test_an_unquoted_worker_command_is_read_whole() -> None:
    (worker,) = parse_request(SHOP_WITH_WORKER).components
    assert worker.command == ["celery", "-A", "shop", "worker"]


def test_an_unquoted_command_must_start_with_a_program() -> None:
    (worker,) = parse_request("ghcr.io/acme/app:1 port 80 with a worker running in the background").components
    assert worker.command == []


def test_each_replica_count_goes_to_the_part_it_names() -> None:
    facts = parse_request(SHOP_WITH_WORKER)
    assert facts.replicas == 2 and facts.components[0].replicas == 3
    assert not facts.not_understood


@pytest.mark.parametrize(
    "request_text",
    [
        "web and worker from ghcr.io/acme/app:1.0, web on port 8080 with 3 replicas, worker with 2 replicas",
        "ghcr.io/acme/app:1.0 port 8080 plus a worker, worker replicas: 2, 3 replicas",
        "ghcr.io/acme/app:1.0 port 8080 and a worker component, 3 web replicas, two worker pods",
    ],
)
def test_component_replica_phrasings(request_text: str) -> None:
    facts = parse_request(request_text)
    assert (facts.replicas, facts.components[0].replicas) == (3, 2)
    assert not facts.not_understood, facts.not_understood


def test_web_replicas_without_components_are_the_app_s_own() -> None:
    facts = parse_request("nginx with 2 web replicas")
    assert facts.replicas == 2 and not facts.components and not facts.not_understood
