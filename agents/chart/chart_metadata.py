"""Chart.yaml from the plan, with the Artifact Hub annotations reviewers look for."""

from __future__ import annotations

from typing import Any

from agents.chart.dependencies import chart_dependencies
from agents.chart.values import TEST_IMAGE
from agents.chart.yaml_text import dump_yaml
from agents.plan.model import ChartPlan

CHART_LICENSE = "Apache-2.0"
GENERATOR = "k8s-autopilot"


def render_chart_yaml(plan: ChartPlan) -> str:
    """Chart.yaml (apiVersion v2) for the plan."""
    meta: dict[str, Any] = {
        "apiVersion": "v2",
        "name": plan.name,
        "description": plan.description or f"A Helm chart for {plan.name} on Kubernetes",
        "type": "application",
        "version": plan.chart_version,
    }
    app_version = plan.app_version or plan.image.tag
    if app_version:
        meta["appVersion"] = app_version
    meta["kubeVersion"] = plan.kube_version
    meta["keywords"] = list(plan.keywords) or [plan.name]
    if plan.home:
        meta["home"] = plan.home
    if plan.sources:
        meta["sources"] = list(plan.sources)
    if plan.icon:
        meta["icon"] = plan.icon
    meta["maintainers"] = [{"name": GENERATOR}]
    if requirements := chart_dependencies(plan):
        meta["dependencies"] = requirements
    meta["annotations"] = _annotations(plan)
    return dump_yaml(meta)


def _annotations(plan: ChartPlan) -> dict[str, str]:
    images = [{"name": plan.name, "image": plan.image.reference}]
    if plan.is_serving and plan.service.enabled:
        test = TEST_IMAGE
        images.append(
            {"name": "test-connection", "image": f"{test['registry']}/{test['repository']}:{test['tag']}"}
        )
    annotations = {
        "artifacthub.io/images": dump_yaml(images),
        "artifacthub.io/license": CHART_LICENSE,
    }
    links = [{"name": "Homepage", "url": plan.home}] if plan.home else []
    links += [{"name": "Source", "url": url} for url in plan.sources]
    if links:
        annotations["artifacthub.io/links"] = dump_yaml(links)
    return annotations
