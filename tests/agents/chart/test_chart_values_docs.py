"""values.yaml, values.schema.json and README.md agree: every key documented, typed, and listed."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from agents.chart import render_chart
from tests.agents.chart.chart_render_checks import fixture_plans, lint_problems, plan, write

PARAM_LINE = re.compile(r"^\s*## @param (\S+) ")


def documented_params(values_text: str) -> list[str]:
    return [m.group(1) for line in values_text.splitlines() if (m := PARAM_LINE.match(line))]


def leaf_paths(tree: dict[str, Any], prefix: str = "") -> list[str]:
    paths = []
    for key, value in tree.items():
        path = f"{prefix}{key}"
        paths.extend(leaf_paths(value, f"{path}.") if isinstance(value, dict) and value else [path])
    return paths


@pytest.mark.parametrize("name", sorted(fixture_plans()))
def test_every_values_key_has_a_param_line_and_the_readme_lists_it(name: str) -> None:
    files = render_chart(plan(name))
    params = documented_params(files["values.yaml"])
    values = yaml.safe_load(files["values.yaml"])
    assert len(params) == len(set(params))
    for path in leaf_paths(values):
        assert any(path == p or path.startswith(f"{p}.") for p in params), f"{path} has no @param"
    readme_rows = re.findall(r"^\| `([^`]+)` \|", files["README.md"], flags=re.M)
    assert readme_rows == params


@pytest.mark.parametrize("name", sorted(fixture_plans()))
def test_default_values_and_ci_values_satisfy_the_schema(name: str) -> None:
    files = render_chart(plan(name))
    schema = json.loads(files["values.schema.json"])
    jsonschema.Draft7Validator.check_schema(schema)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    validator = jsonschema.Draft7Validator(schema)
    assert list(validator.iter_errors(yaml.safe_load(files["values.yaml"]))) == []
    for path, text in files.items():
        if path.startswith("ci/"):
            assert list(validator.iter_errors(yaml.safe_load(text) or {})) == [], path


def test_schema_types_follow_the_values() -> None:
    schema = json.loads(render_chart(plan("shop-ingress"))["values.schema.json"])
    props = schema["properties"]
    assert props["replicaCount"]["type"] == "integer"
    assert props["replicaCount"]["minimum"] == 0
    assert props["image"]["properties"]["pullPolicy"]["enum"] == ["IfNotPresent", "Always", "Never"]
    assert props["service"]["properties"]["type"]["enum"] == ["ClusterIP", "NodePort", "LoadBalancer"]
    assert props["ingress"]["properties"]["enabled"]["type"] == "boolean"
    assert props["ports"]["items"]["properties"]["containerPort"]["maximum"] == 65535


@pytest.mark.parametrize(
    ("values", "complaint"),
    [
        ({"replicaCount": "three"}, "/replicaCount"),
        ({"service": {"type": "Internal"}}, "/service/type"),
        ({"ingress": {"enabled": "yes"}}, "/ingress/enabled"),
        ({"ports": [{"name": "http", "containerPort": 70000}]}, "/ports/0/containerPort"),
        ({"autoscaling": {"targetCPU": 150}}, "/autoscaling/targetCPU"),
        ({"pdb": {"minAvailable": "half"}}, "/pdb/minAvailable"),
    ],
)
def test_lint_rejects_values_of_the_wrong_type(
    values: dict[str, Any], complaint: str, tmp_path: Path
) -> None:
    chart_dir = write(plan("shop-ingress"), tmp_path)
    problems = lint_problems(chart_dir, values)
    assert any(complaint in p for p in problems), problems


def test_lint_accepts_a_percentage_budget(tmp_path: Path) -> None:
    chart_dir = write(plan("shop-ingress"), tmp_path)
    assert lint_problems(chart_dir, {"pdb": {"minAvailable": "50%", "maxUnavailable": ""}}) == []


def test_values_follow_the_plan() -> None:
    values = yaml.safe_load(render_chart(plan("shop-ingress"))["values.yaml"])
    assert values["image"] == {
        "registry": "ghcr.io",
        "repository": "acme/shop",
        "tag": "2.0.1",
        "digest": "",
        "pullPolicy": "IfNotPresent",
        "pullSecrets": [],
    }
    assert values["replicaCount"] == 3
    assert values["resources"] == {
        "requests": {"cpu": "100m", "memory": "128Mi"},
        "limits": {"memory": "256Mi"},
    }
    assert values["ingress"]["enabled"] is True and values["httpRoute"]["enabled"] is False
    assert values["serviceAccount"]["automountServiceAccountToken"] is False
    assert (
        values["automountServiceAccountToken"] is True
    )  # the plan asks for RBAC rules: the app calls the API
    assert values["pdb"]["create"] is True and values["topologySpread"]["enabled"] is True
    assert values["podAntiAffinityPreset"] == "soft"


def test_readme_explains_install_and_crd_prerequisites() -> None:
    readme = render_chart(plan("gateway-web"))["README.md"]
    assert "helm install my-release ./portal" in readme
    assert "Gateway API CRDs" in readme
    assert "## Parameters" in readme
