"""Each workload kind renders as its own object, with the companions it needs and none it must not have."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.chart import render_chart, template_names
from tests.agents.chart.chart_render_checks import kinds, only, plan, render_docs, write


@pytest.mark.parametrize(
    ("name", "kind", "api_version"),
    [
        ("web-deployment", "Deployment", "apps/v1"),
        ("postgres-statefulset", "StatefulSet", "apps/v1"),
        ("log-agent-daemonset", "DaemonSet", "apps/v1"),
        ("report-job", "Job", "batch/v1"),
        ("backup-cronjob", "CronJob", "batch/v1"),
    ],
)
def test_the_plan_workload_is_the_only_workload_rendered(
    name: str, kind: str, api_version: str, tmp_path: Path
) -> None:
    docs = render_docs(write(plan(name), tmp_path))
    workloads = [d for d in docs if d["kind"] in {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"}]
    assert [(d["kind"], d["apiVersion"]) for d in workloads] == [(kind, api_version)]


def test_statefulset_has_a_headless_governing_service_and_claim_templates(tmp_path: Path) -> None:
    docs = render_docs(write(plan("postgres-statefulset"), tmp_path))
    statefulset = only(docs, "StatefulSet")
    headless = only(docs, "Service", "-headless")
    assert headless["spec"]["clusterIP"] == "None"
    assert statefulset["spec"]["serviceName"] == headless["metadata"]["name"]
    claim = statefulset["spec"]["volumeClaimTemplates"][0]
    assert claim["metadata"]["name"] == "data"
    assert claim["spec"]["resources"]["requests"]["storage"] == "20Gi"
    mounts = statefulset["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]
    assert {"name": "data", "mountPath": "/var/lib/postgresql/data"} in mounts
    assert "PersistentVolumeClaim" not in kinds(docs)  # claims come from the template, not a PVC object


def test_statefulset_with_an_existing_claim_mounts_it_instead_of_templates(tmp_path: Path) -> None:
    base = plan("postgres-statefulset")
    p = base.model_copy(
        update={"persistence": base.persistence.model_copy(update={"existing_claim": "pg-data"})}
    )
    statefulset = only(render_docs(write(p, tmp_path)), "StatefulSet")
    assert "volumeClaimTemplates" not in statefulset["spec"]
    volumes = statefulset["spec"]["template"]["spec"]["volumes"]
    assert {"name": "data", "persistentVolumeClaim": {"claimName": "pg-data"}} in volumes


def test_deployment_with_persistence_gets_a_claim_and_recreates_pods(tmp_path: Path) -> None:
    p = plan("web-deployment", persistence={"enabled": True, "size": "2Gi"})
    docs = render_docs(write(p, tmp_path))
    claim = only(docs, "PersistentVolumeClaim")
    deployment = only(docs, "Deployment")
    assert claim["spec"]["resources"]["requests"]["storage"] == "2Gi"
    volumes = deployment["spec"]["template"]["spec"]["volumes"]
    assert {"name": "data", "persistentVolumeClaim": {"claimName": claim["metadata"]["name"]}} in volumes
    # A ReadWriteOnce volume cannot follow a rolling update onto another node.
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}


def test_cronjob_carries_the_schedule_and_history_limits(tmp_path: Path) -> None:
    docs = render_docs(write(plan("backup-cronjob"), tmp_path))
    cronjob = only(docs, "CronJob")
    assert cronjob["spec"]["schedule"] == "0 3 * * *"
    assert cronjob["spec"]["timeZone"] == "Etc/UTC"
    assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"
    job_spec = cronjob["spec"]["jobTemplate"]["spec"]
    assert "ttlSecondsAfterFinished" not in job_spec  # the plan keeps finished jobs
    pod = job_spec["template"]["spec"]
    assert pod["restartPolicy"] == "OnFailure"
    assert pod["containers"][0]["image"].endswith(
        "acme/backup@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    )
    assert {"name": "data", "persistentVolumeClaim": {"claimName": "backup-data"}} in pod["volumes"]


def test_job_has_no_probes_service_or_scaling(tmp_path: Path) -> None:
    docs = render_docs(write(plan("report-job"), tmp_path))
    job = only(docs, "Job")
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert not {"livenessProbe", "readinessProbe", "startupProbe", "ports"} & set(container)
    assert job["spec"]["activeDeadlineSeconds"] == 3600
    assert container["args"] == ["--month", "previous"]
    assert not {"Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"} & set(kinds(docs))


def test_batch_charts_do_not_ship_serving_templates() -> None:
    names = template_names(plan("report-job"))
    assert (
        "service.yaml" not in names and "hpa.yaml" not in names and "tests/test-connection.yaml" not in names
    )
    files = render_chart(plan("report-job"))
    assert not any(path.startswith("templates/ingress") for path in files)


def test_daemonset_tolerates_every_taint_and_has_no_replicas(tmp_path: Path) -> None:
    daemonset = only(render_docs(write(plan("log-agent-daemonset"), tmp_path)), "DaemonSet")
    assert "replicas" not in daemonset["spec"]
    assert daemonset["spec"]["template"]["spec"]["tolerations"] == [{"operator": "Exists"}]


def test_hpa_on_drops_replicas_and_targets_the_workload(tmp_path: Path) -> None:
    docs = render_docs(write(plan("api-autoscaled"), tmp_path))
    deployment = only(docs, "Deployment")
    hpa = only(docs, "HorizontalPodAutoscaler")
    assert "replicas" not in deployment["spec"]
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": deployment["metadata"]["name"],
    }
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 8)
    targets = {
        m["resource"]["name"]: m["resource"]["target"]["averageUtilization"] for m in hpa["spec"]["metrics"]
    }
    assert targets == {"cpu": 70, "memory": 80}


def test_hpa_of_a_statefulset_targets_the_statefulset(tmp_path: Path) -> None:
    p = plan("postgres-statefulset", autoscaling={"enabled": True})
    docs = render_docs(write(p, tmp_path))
    assert only(docs, "HorizontalPodAutoscaler")["spec"]["scaleTargetRef"]["kind"] == "StatefulSet"
    assert "replicas" not in only(docs, "StatefulSet")["spec"]


def test_replicas_are_set_when_autoscaling_is_off(tmp_path: Path) -> None:
    chart_dir = write(plan("shop-ingress"), tmp_path)
    assert only(render_docs(chart_dir), "Deployment")["spec"]["replicas"] == 3
    turned_on = render_docs(chart_dir, {"autoscaling": {"enabled": True}})
    assert "replicas" not in only(turned_on, "Deployment")["spec"]


def test_highly_available_app_gets_pdb_topology_spread_and_soft_anti_affinity(tmp_path: Path) -> None:
    docs = render_docs(write(plan("shop-ingress"), tmp_path))
    pdb = only(docs, "PodDisruptionBudget")
    assert pdb["apiVersion"] == "policy/v1"
    assert pdb["spec"]["maxUnavailable"] == 1
    selector = only(docs, "Deployment")["spec"]["selector"]["matchLabels"]
    assert pdb["spec"]["selector"]["matchLabels"] == selector
    pod = only(docs, "Deployment")["spec"]["template"]["spec"]
    spread = pod["topologySpreadConstraints"][0]
    assert spread["labelSelector"]["matchLabels"] == selector
    assert spread["whenUnsatisfiable"] == "ScheduleAnyway"
    preferred = pod["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
    assert preferred[0]["podAffinityTerm"]["labelSelector"]["matchLabels"] == selector


def test_single_replica_app_has_no_pdb_spread_or_anti_affinity(tmp_path: Path) -> None:
    docs = render_docs(write(plan("web-deployment"), tmp_path))
    assert "PodDisruptionBudget" not in kinds(docs)
    pod = only(docs, "Deployment")["spec"]["template"]["spec"]
    assert "topologySpreadConstraints" not in pod and "affinity" not in pod


def test_autoscaled_app_counts_as_highly_available(tmp_path: Path) -> None:
    docs = render_docs(write(plan("api-autoscaled"), tmp_path))
    assert "PodDisruptionBudget" in kinds(docs)
    assert "topologySpreadConstraints" in only(docs, "Deployment")["spec"]["template"]["spec"]


def test_migration_hook_runs_before_install_and_upgrade_and_is_cleaned_up(tmp_path: Path) -> None:
    docs = render_docs(write(plan("shop-ingress"), tmp_path))
    job = only(docs, "Job", "-migrate")
    annotations = job["metadata"]["annotations"]
    assert annotations["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert annotations["helm.sh/hook-delete-policy"] == "before-hook-creation,hook-succeeded"
    pod = job["spec"]["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    assert pod["containers"][0]["command"] == ["/app/shop", "migrate"]
    # The hook runs before the release's ServiceAccount and ConfigMap exist.
    assert "serviceAccountName" not in pod
    assert all(v["name"] != "config" for v in pod["volumes"])
    # Its pods must not be selected by the app's Service, PDB or NetworkPolicy.
    app_selector = only(docs, "Deployment")["spec"]["selector"]["matchLabels"]
    pod_labels = job["spec"]["template"]["metadata"]["labels"]
    assert not app_selector.items() <= pod_labels.items()
