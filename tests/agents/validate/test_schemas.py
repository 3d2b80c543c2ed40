"""Kubernetes and CRD schemas, the API lifecycle table and the supported versions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agents.validate import Severity, default_kube_versions, validate_chart
from agents.validate.api_lifecycle import is_deprecated, is_removed, lifecycle
from agents.validate.crd_schemas import crd_index, crd_validator, is_builtin_group
from agents.validate.kube_schema import kube_validator, shipped_versions

CHARTS = Path(__file__).resolve().parents[2] / "fixtures" / "charts"


def test_default_versions_are_the_three_newest_shipped_minors() -> None:
    versions = default_kube_versions()
    assert versions == list(reversed(shipped_versions()[-3:]))
    assert len({tuple(v.split(".")[:2]) for v in versions}) == 3


def test_unknown_kube_version_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="older than every schema"):
        validate_chart(CHARTS / "good", ["1.2.0"], checkov=False)


def test_crd_schema_catches_a_typoed_field() -> None:
    validator = crd_validator("traefik.io/v1alpha1", "IngressRoute")
    assert validator is not None
    route = {
        "apiVersion": "traefik.io/v1alpha1",
        "kind": "IngressRoute",
        "metadata": {"name": "web"},
        "spec": {"routes": [{"match": "Host(`a`)", "services": [{"name": "web", "prot": 80}]}]},
    }
    [error] = list(validator.iter_errors(route))
    assert "'prot' was unexpected" in error.message
    route["spec"]["routes"][0]["services"][0] = {"name": "web", "port": 80}
    assert list(validator.iter_errors(route)) == []


@pytest.mark.parametrize(("api_version", "kind"), sorted(crd_index()))
def test_every_shipped_crd_schema_rejects_unknown_spec_fields(api_version: str, kind: str) -> None:
    validator = crd_validator(api_version, kind)
    assert validator is not None
    doc = {"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}, "spec": {"selectr": {}}}
    assert any("'selectr' was unexpected" in e.message for e in validator.iter_errors(doc))


def test_crd_schema_files_are_valid_json_schemas() -> None:
    import jsonschema

    for name in crd_index().values():
        schema = json.loads((Path("agents/validate/crds") / name).read_text())
        jsonschema.Draft202012Validator.check_schema(schema)


def test_gateway_api_is_a_custom_resource_but_apps_is_built_in() -> None:
    assert not is_builtin_group("gateway.networking.k8s.io/v1")
    assert is_builtin_group("apps/v1") and is_builtin_group("v1") and is_builtin_group("networking.k8s.io/v1")
    assert not is_builtin_group("monitoring.coreos.com/v1")


def test_kube_schema_finds_every_strict_error() -> None:
    validator = kube_validator("1.35.0", "v1", "Service")
    assert validator is not None
    doc = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "x"},
        "spec": {"ports": [{"port": "80", "protcol": "TCP"}]},
    }
    messages = sorted(e.message for e in validator.iter_errors(doc))
    assert len(messages) == 2 and "'protcol' was unexpected" in " ".join(messages)
    assert kube_validator("1.35.0", "policy/v1beta1", "PodDisruptionBudget") is None


@pytest.mark.parametrize(
    ("version", "removed", "deprecated"),
    [
        ("1.22.0", False, False),
        ("1.23.0", False, True),
        ("1.25.0", False, True),
        ("1.26.0", True, False),
        ("1.35.0", True, False),
    ],
)
def test_hpa_v2beta2_lifecycle_per_version(version: str, removed: bool, deprecated: bool) -> None:
    entry = lifecycle("autoscaling/v2beta2", "HorizontalPodAutoscaler")
    assert entry is not None and entry.replacement == "autoscaling/v2"
    assert (is_removed(entry, version), is_deprecated(entry, version)) == (removed, deprecated)


def test_removed_api_is_an_error_only_on_versions_that_removed_it() -> None:
    # autoscaling/v2beta2 HPA: deprecated in 1.23, removed in 1.26
    report = validate_chart(CHARTS / "mistakes" / "removed-api", ["1.25.0", "1.26.0"], checkov=False)
    by_rule = {
        (f.rule_id, f.kube_version, f.severity) for f in report.findings if f.rule_id.startswith("api/")
    }
    assert by_rule == {
        ("api/deprecated", "1.25.0", Severity.WARNING),
        ("api/removed", "1.26.0", Severity.ERROR),
    }
    assert not report.ok
    assert report.kube_versions == ["1.25.0", "1.26.0"]


def test_problem_on_every_target_version_is_reported_once() -> None:
    report = validate_chart(CHARTS / "rules" / "schema" / "kubernetes", checkov=False)
    [finding] = [f for f in report.findings if f.rule_id == "schema/kubernetes"]
    assert finding.kube_version is None
    assert "'sessionAfinity' was unexpected" in finding.message
    assert len(report.kube_versions) == 3


@pytest.mark.parametrize(
    ("api_version", "kind", "replacement"),
    [
        ("extensions/v1beta1", "Ingress", "networking.k8s.io/v1"),
        ("policy/v1beta1", "PodDisruptionBudget", "policy/v1"),
        ("batch/v1beta1", "CronJob", "batch/v1"),
        ("autoscaling/v2beta2", "HorizontalPodAutoscaler", "autoscaling/v2"),
    ],
)
def test_lifecycle_table_names_the_replacement(api_version: str, kind: str, replacement: str) -> None:
    entry = lifecycle(api_version, kind)
    assert entry is not None and entry.replacement == replacement
    assert is_removed(entry, "1.33.0")
