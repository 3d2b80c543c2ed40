"""Shared steps of the chart tests: load fixture plans, write a chart, lint it, render it, find pods."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import helm_python
import jsonschema
import kubernetes_validate
import yaml
from kubernetes_validate.utils import schema_contents
from referencing import Registry, Resource

from agents.chart import render_chart, write_chart
from agents.plan.model import ChartPlan

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "chart"
LINT_KUBE_VERSION = "1.30.0"
# The three newest minors kubernetes_validate ships schemas for.
KUBE_VERSIONS = sorted(
    {".".join(v.split(".")[:2]) + ".0" for v in kubernetes_validate.utils.all_versions()},
    key=lambda v: tuple(int(p) for p in v.split(".")),
)[-3:]
CRD_KINDS = {
    "IngressRoute", "HTTPRoute", "GRPCRoute", "ServiceMonitor", "ScaledObject", "TriggerAuthentication",
    "VerticalPodAutoscaler", "ExternalSecret", "PrometheusRule", "Middleware",
}  # fmt: skip
POD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod"}


@cache
def _schema_validator(version: str, kind: str, api_version: str) -> jsonschema.Draft202012Validator:
    """kubernetes_validate's strict schema for one kind, loaded once (it re-reads the files per call)."""
    schema_dir = f"kubernetes-json-schema/v{version}-local-strict"
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    schema = schema_contents(f"{schema_dir}/{kind.lower()}-{group_version}.json", version)
    definitions = schema_contents(f"{schema_dir}/_definitions.json", version)
    registry: Registry = Resource.from_contents(definitions) @ (Resource.from_contents(schema) @ Registry())
    return jsonschema.Draft202012Validator(schema, registry=registry)


def schema_errors(doc: dict[str, Any], version: str) -> list[str]:
    """Kubernetes schema violations of one rendered object (same schemas as kubernetes_validate, strict)."""
    validator = _schema_validator(version, doc["kind"], doc["apiVersion"])
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)]


@cache
def fixture_plans() -> dict[str, dict[str, Any]]:
    return yaml.safe_load((FIXTURES / "plans.yaml").read_text())


def plan(name: str, **changes: Any) -> ChartPlan:
    """A fixture plan, optionally with top-level fields replaced."""
    data = dict(fixture_plans()[name])
    data.update(changes)
    return ChartPlan.model_validate(data)


def write(plan_: ChartPlan, tmp_path: Path) -> Path:
    chart_dir = tmp_path / plan_.name
    write_chart(render_chart(plan_), chart_dir)
    return chart_dir


def value_sets(chart_dir: Path) -> dict[str, dict[str, Any]]:
    """The chart's defaults plus every ci/*-values.yaml, by file name."""
    sets: dict[str, dict[str, Any]] = {"values.yaml": {}}
    for path in sorted((chart_dir / "ci").glob("*-values.yaml")):
        sets[f"ci/{path.name}"] = yaml.safe_load(path.read_text()) or {}
    return sets


def lint_problems(chart_dir: Path, values: dict[str, Any]) -> list[str]:
    """Lint messages of warning severity or worse (what --strict fails on)."""
    report = helm_python.lint(str(chart_dir), values, strict=True, kube_version=LINT_KUBE_VERSION)
    return [f"{m['path']}: {m['error']}" for m in report["messages"] if m["severity"] >= 2] + report["errors"]


def render_docs(chart_dir: Path, values: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Every rendered Kubernetes object (NOTES.txt left out)."""
    rendered = helm_python.Chart.load(str(chart_dir)).render(values or {})
    docs: list[dict[str, Any]] = []
    for name, text in sorted(rendered.items()):
        if name.endswith("NOTES.txt"):
            continue
        docs.extend(doc for doc in yaml.load_all(text, Loader=yaml.CSafeLoader) if doc)
    return docs


def kinds(docs: list[dict[str, Any]]) -> list[str]:
    return sorted(doc["kind"] for doc in docs)


def only(docs: list[dict[str, Any]], kind: str, name_suffix: str = "") -> dict[str, Any]:
    matches = [d for d in docs if d["kind"] == kind and d["metadata"]["name"].endswith(name_suffix)]
    assert len(matches) == 1, f"expected one {kind}, got {[d['metadata']['name'] for d in matches]}"
    return matches[0]


def pod_specs(docs: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(object name, pod spec) for every object that creates pods, hooks and helm tests included."""
    for doc in docs:
        kind = doc["kind"]
        if kind not in POD_KINDS:
            continue
        name = f"{kind}/{doc['metadata']['name']}"
        if kind == "Pod":
            yield name, doc["spec"]
        elif kind == "CronJob":
            yield name, doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        else:
            yield name, doc["spec"]["template"]["spec"]
