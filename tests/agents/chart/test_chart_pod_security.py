"""Every pod the chart can create meets the restricted Pod Security Standard, hooks and helm tests included."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.agents.chart.chart_render_checks import (
    fixture_plans,
    only,
    plan,
    pod_specs,
    render_docs,
    value_sets,
    write,
)


def restricted_violations(spec: dict[str, Any]) -> list[str]:
    """What the restricted profile (plus our read-only root and resource rules) finds wrong with a pod spec."""
    problems = []
    pod_context = spec.get("securityContext", {})
    if pod_context.get("seccompProfile", {}).get("type") != "RuntimeDefault":
        problems.append("pod seccompProfile is not RuntimeDefault")
    if spec.get("automountServiceAccountToken") is not False and "serviceAccountName" not in spec:
        problems.append("pod mounts the default ServiceAccount token")
    for container in spec.get("initContainers", []) + spec["containers"]:
        name = container["name"]
        context = container.get("securityContext", {})
        if not (context.get("runAsNonRoot") or pod_context.get("runAsNonRoot")):
            problems.append(f"{name}: may run as root")
        if context.get("allowPrivilegeEscalation") is not False:
            problems.append(f"{name}: allowPrivilegeEscalation is not false")
        if context.get("readOnlyRootFilesystem") is not True:
            problems.append(f"{name}: root filesystem is writable")
        if context.get("privileged"):
            problems.append(f"{name}: privileged")
        if context.get("capabilities", {}).get("drop") != ["ALL"]:
            problems.append(f"{name}: capabilities are not all dropped")
        if set(context.get("capabilities", {}).get("add", [])) - {"NET_BIND_SERVICE"}:
            problems.append(f"{name}: adds capabilities")
        resources = container.get("resources", {})
        if "memory" not in resources.get("limits", {}) or not resources.get("requests"):
            problems.append(f"{name}: no requests or memory limit")
    return problems


@pytest.mark.parametrize("name", sorted(fixture_plans()))
def test_every_pod_is_restricted_with_defaults_and_with_every_feature_on(name: str, tmp_path: Path) -> None:
    chart_dir = write(plan(name), tmp_path)
    sets = value_sets(chart_dir)
    for values_file in ("values.yaml", "ci/full-values.yaml"):
        pods = dict(pod_specs(render_docs(chart_dir, sets[values_file])))
        assert pods, values_file
        for pod_name, spec in pods.items():
            assert restricted_violations(spec) == [], f"{values_file}: {pod_name}"


def test_the_check_itself_catches_a_root_container(tmp_path: Path) -> None:
    chart_dir = write(plan("web-deployment"), tmp_path)
    values = {
        "containerSecurityContext": {"allowPrivilegeEscalation": True},
        "podSecurityContext": {"runAsNonRoot": False},
    }
    spec = only(render_docs(chart_dir, values), "Deployment")["spec"]["template"]["spec"]
    assert "web: allowPrivilegeEscalation is not false" in restricted_violations(spec)


def test_hooks_and_helm_tests_are_covered(tmp_path: Path) -> None:
    chart_dir = write(plan("shop-ingress"), tmp_path)
    names = [n for n, _ in pod_specs(render_docs(chart_dir))]
    assert any(n.endswith("-migrate") for n in names)
    assert any(n.startswith("Pod/") and n.endswith("-test-connection") for n in names)


def test_helm_test_pod_is_a_test_hook_with_a_pinned_image(tmp_path: Path) -> None:
    docs = render_docs(write(plan("shop-ingress"), tmp_path))
    pod = only(docs, "Pod")
    assert pod["metadata"]["annotations"]["helm.sh/hook"] == "test"
    image = pod["spec"]["containers"][0]["image"]
    assert image == "docker.io/library/busybox:1.37.0"
    # The readiness probe's path is what the test fetches.
    assert pod["spec"]["containers"][0]["command"][-1].endswith(":80/ready")


def test_each_writable_path_gets_an_emptydir_and_the_root_stays_read_only(tmp_path: Path) -> None:
    deployment = only(render_docs(write(plan("shop-ingress"), tmp_path)), "Deployment")
    spec = deployment["spec"]["template"]["spec"]
    container = spec["containers"][0]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in spec["volumes"]}
    for path in ("/tmp", "/var/cache/shop"):
        assert volumes[mounts[path]]["emptyDir"] == {}


def test_pod_runs_as_the_plan_user_and_group(tmp_path: Path) -> None:
    statefulset = only(render_docs(write(plan("postgres-statefulset"), tmp_path)), "StatefulSet")
    spec = statefulset["spec"]["template"]["spec"]
    assert spec["securityContext"] == {
        "runAsNonRoot": True,
        "runAsUser": 999,
        "runAsGroup": 999,
        "fsGroup": 999,
        "fsGroupChangePolicy": "OnRootMismatch",
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert spec["automountServiceAccountToken"] is False


def test_probes_are_distinct_and_rendered_from_values(tmp_path: Path) -> None:
    container = only(render_docs(write(plan("web-deployment"), tmp_path)), "Deployment")["spec"]["template"][
        "spec"
    ]["containers"][0]
    assert container["livenessProbe"] != container["readinessProbe"]
    assert "startupProbe" not in container
    shop = only(render_docs(write(plan("shop-ingress"), tmp_path / "shop")), "Deployment")
    shop_container = shop["spec"]["template"]["spec"]["containers"][0]
    assert shop_container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert shop_container["readinessProbe"]["httpGet"] == {"path": "/ready", "port": "http"}
    assert shop_container["startupProbe"]["failureThreshold"] == 30


def test_config_files_are_mounted_read_only_and_roll_pods_on_change(tmp_path: Path) -> None:
    chart_dir = write(plan("shop-ingress"), tmp_path)
    docs = render_docs(chart_dir)
    config_map = only(docs, "ConfigMap")
    assert config_map["data"]["shop.yaml"] == 'listen: 0.0.0.0:8080\ntemplate: "{{ .Name }}"\n'
    template = only(docs, "Deployment")["spec"]["template"]
    mount = next(m for m in template["spec"]["containers"][0]["volumeMounts"] if m["name"] == "config")
    assert mount == {
        "name": "config",
        "mountPath": "/etc/shop/shop.yaml",
        "subPath": "shop.yaml",
        "readOnly": True,
    }
    checksum = template["metadata"]["annotations"]["checksum/config"]
    changed = render_docs(
        chart_dir,
        {"configFiles": [{"name": "shop.yaml", "mountPath": "/etc/shop/shop.yaml", "content": "x: 2\n"}]},
    )
    assert (
        only(changed, "Deployment")["spec"]["template"]["metadata"]["annotations"]["checksum/config"]
        != checksum
    )


def test_env_references_existing_secrets_and_config_maps_without_copying_them(tmp_path: Path) -> None:
    docs = render_docs(write(plan("shop-ingress"), tmp_path))
    assert "Secret" not in {d["kind"] for d in docs}
    container = only(docs, "Deployment")["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e for e in container["env"]}
    assert env["LOG_LEVEL"] == {"name": "LOG_LEVEL", "value": "info"}
    assert env["FEATURE_FLAGS"]["valueFrom"] == {"configMapKeyRef": {"name": "shop-flags", "key": "flags"}}
    assert env["DATABASE_URL"]["valueFrom"] == {"secretKeyRef": {"name": "shop-db", "key": "database-url"}}
    assert container["envFrom"] == [{"secretRef": {"name": "shop-extra"}}]
    assert {"name": "secret-shop-tls", "mountPath": "/etc/shop/tls", "readOnly": True} in container[
        "volumeMounts"
    ]
