"""Every fixture chart lints clean with --strict and renders schema-valid objects for every value set."""

from __future__ import annotations

import json
from pathlib import Path

import kubernetes_validate
import pytest

from tests.agents.chart.chart_render_checks import (
    CRD_KINDS,
    KUBE_VERSIONS,
    fixture_plans,
    lint_problems,
    plan,
    render_docs,
    schema_errors,
    value_sets,
    write,
)

PLAN_NAMES = sorted(fixture_plans())


@pytest.mark.parametrize("name", PLAN_NAMES)
def test_chart_lints_and_renders_valid_objects_for_every_value_set(name: str, tmp_path: Path) -> None:
    chart_dir = write(plan(name), tmp_path)
    seen: set[str] = set()
    for values_file, values in value_sets(chart_dir).items():
        assert lint_problems(chart_dir, values) == [], values_file
        for doc in render_docs(chart_dir, values):
            key = json.dumps(doc, sort_keys=True)
            if doc["kind"] in CRD_KINDS or key in seen:
                continue
            seen.add(key)
            for version in KUBE_VERSIONS:
                errors = schema_errors(doc, version)
                assert errors == [], f"{values_file}: {doc['kind']}/{doc['metadata']['name']} on {version}"


def test_three_kubernetes_versions_are_checked() -> None:
    assert len(KUBE_VERSIONS) == 3
    assert len({v.split(".")[1] for v in KUBE_VERSIONS}) == 3


@pytest.mark.parametrize("name", ["web-deployment", "postgres-statefulset", "backup-cronjob"])
def test_ci_full_values_switch_on_more_objects_than_the_defaults(name: str, tmp_path: Path) -> None:
    chart_dir = write(plan(name), tmp_path)
    sets = value_sets(chart_dir)
    default_kinds = {d["kind"] for d in render_docs(chart_dir, sets["values.yaml"])}
    full_kinds = {d["kind"] for d in render_docs(chart_dir, sets["ci/full-values.yaml"])}
    assert {"NetworkPolicy", "Role", "RoleBinding", "ConfigMap"} <= full_kinds
    assert full_kinds > default_kinds


def test_the_cached_schema_check_agrees_with_kubernetes_validate(tmp_path: Path) -> None:
    # Guards the check above: a stray field must fail both, and a clean object pass both.
    chart_dir = write(plan("web-deployment"), tmp_path)
    deployment = next(d for d in render_docs(chart_dir) if d["kind"] == "Deployment")
    version = KUBE_VERSIONS[-1]
    kubernetes_validate.validate(deployment, version, strict=True)
    assert schema_errors(deployment, version) == []
    deployment["spec"]["template"]["spec"]["containers"][0]["imagePullPolicie"] = "Always"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, version, strict=True)
    assert len(schema_errors(deployment, version)) == 1
