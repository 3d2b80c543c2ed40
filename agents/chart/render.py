"""`render_chart`: a `ChartPlan` in, the chart's files out (path relative to the chart root -> text).

Templates are fixed files under `agents/chart/templates/`; only the chart-name placeholder in
define names is replaced. Python builds the files that depend on the plan: Chart.yaml,
values.yaml, values.schema.json, README.md and ci/*-values.yaml.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

from agents.chart.chart_metadata import render_chart_yaml
from agents.chart.ci_values import render_ci_values
from agents.chart.components import component_templates, specialise
from agents.chart.dependencies import bundled, render_chart_lock, subchart_plan
from agents.chart.readme import render_readme
from agents.chart.values import build_sections
from agents.chart.values_file import render_values_file
from agents.chart.values_schema import render_values_schema
from agents.plan.model import ChartPlan

NAME_PLACEHOLDER = "CHARTNAME."
WORKLOAD_TEMPLATES = {
    "Deployment": "deployment.yaml",
    "StatefulSet": "statefulset.yaml",
    "DaemonSet": "daemonset.yaml",
    "Job": "job.yaml",
    "CronJob": "cronjob.yaml",
}
COMMON_TEMPLATES = [
    "_dependencies.tpl",
    "_helpers.tpl",
    "_pod.tpl",
    "NOTES.txt",
    "configmap.yaml",
    "externalsecret.yaml",
    "networkpolicy.yaml",
    "role.yaml",
    "rolebinding.yaml",
    "serviceaccount.yaml",
]
SERVING_TEMPLATES = [
    "service.yaml",
    "ingress.yaml",
    "ingressroute.yaml",
    "httproute.yaml",
    "grpcroute.yaml",
    "servicemonitor.yaml",
    "prometheusrule.yaml",
    "traefik-middlewares.yaml",
    "migration-job.yaml",
    "tests/test-connection.yaml",
]
SCALABLE_TEMPLATES = ["hpa.yaml", "pdb.yaml", "scaledobject.yaml", "triggerauthentication.yaml", "vpa.yaml"]
# A database, cache or broker is reached through its Service inside the cluster.
ROUTE_TEMPLATES = {
    "ingress.yaml",
    "ingressroute.yaml",
    "httproute.yaml",
    "grpcroute.yaml",
    "traefik-middlewares.yaml",
    "migration-job.yaml",
}
# Templates that add pods beside the one primary that owns the data.
AUTOSCALING_TEMPLATES = {"hpa.yaml", "scaledobject.yaml", "triggerauthentication.yaml"}


def render_chart(plan: ChartPlan) -> dict[str, str]:
    """All files of the chart for `plan`; the same plan always gives byte-identical files."""
    sections = build_sections(plan)
    files: dict[str, str] = {
        "Chart.yaml": render_chart_yaml(plan),
        "values.yaml": render_values_file(sections, plan.name),
        "values.schema.json": render_values_schema(sections),
        "README.md": render_readme(plan, sections),
        ".helmignore": _package_file(".helmignore"),
    }
    for name, text in render_ci_values(plan).items():
        files[f"ci/{name}"] = text
    for template in template_names(plan):
        source = _package_file(f"templates/{template}")
        files[f"templates/{template}"] = source.replace(NAME_PLACEHOLDER, f"{plan.name}.")
    files.update(_component_files(plan))
    if bundled(plan):
        files["Chart.lock"] = render_chart_lock(plan)
        for dependency in bundled(plan):
            for path, text in render_chart(subchart_plan(dependency.app)).items():
                files[f"charts/{dependency.app}/{path}"] = text
    return dict(sorted(files.items()))


def _component_files(plan: ChartPlan) -> dict[str, str]:
    """Each component's templates, named after it: the placeholder key becomes its values key."""
    files: dict[str, str] = {}
    for component in plan.components:
        for template in component_templates(component):
            source = _package_file(f"templates/{template}")
            text = specialise(source.replace(NAME_PLACEHOLDER, f"{plan.name}."), component)
            target = "_components.tpl" if template.startswith("_") else f"{component.name}-{template[10:]}"
            files[f"templates/{target}"] = text
    return files


def template_names(plan: ChartPlan) -> list[str]:
    """The templates this chart needs: its one workload plus the objects that can go with it."""
    names = [*COMMON_TEMPLATES, WORKLOAD_TEMPLATES[plan.workload]]
    if plan.is_serving:
        names += [t for t in SERVING_TEMPLATES if not (plan.datastore and t in ROUTE_TEMPLATES)]
    if plan.credentials:
        names.append("credentials-secret.yaml")
    if plan.replication is not None and plan.is_serving:
        names.append("replicas-statefulset.yaml")
    if plan.workload == "StatefulSet":
        names.append("headless-service.yaml")  # its claims come from volumeClaimTemplates
    else:
        names.append("pvc.yaml")
    if plan.workload in {"Deployment", "StatefulSet"}:
        # One primary pod cannot be scaled by an HPA: its copies would be independent primaries.
        names += [t for t in SCALABLE_TEMPLATES if not (plan.single_primary and t in AUTOSCALING_TEMPLATES)]
    return sorted(names)


@cache
def _package_file(relative: str) -> str:
    """A template as shipped in the package; read once per process (the bot renders many charts)."""
    node: Traversable = resources.files("agents.chart").joinpath("templates")
    for part in relative.split("/"):
        node = node.joinpath(part)
    return node.read_text(encoding="utf-8")
