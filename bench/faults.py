"""Fault injectors for the self-heal benchmark: each breaks a working chart the way people do.

An injector takes the chart's files and returns the broken files, or None when the chart has
nothing it could break that way (no Ingress, no CronJob…). `touched` tells which files a fault
changed, so the benchmark can check that a heal leaves everything else byte-for-byte alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

ChartFiles = dict[str, str]
Injector = Callable[[ChartFiles], ChartFiles | None]


@dataclass(frozen=True)
class Fault:
    name: str
    description: str
    inject: Injector

    def apply(self, files: ChartFiles) -> ChartFiles | None:
        broken = self.inject(dict(files))
        return broken if broken is not None and broken != files else None


def touched(original: ChartFiles, faulted: ChartFiles) -> list[str]:
    """Paths the fault changed, added or removed."""
    return sorted(p for p in set(original) | set(faulted) if original.get(p) != faulted.get(p))


def _sub(files: ChartFiles, path: str, pattern: str, replacement: str, count: int = 1) -> ChartFiles | None:
    text = files.get(path)
    if text is None:
        return None
    new, n = re.subn(pattern, replacement, text, count=count, flags=re.MULTILINE)
    if n == 0:
        return None
    return {**files, path: new}


def _workload_template(files: ChartFiles) -> str | None:
    for name in ("deployment", "statefulset", "daemonset"):
        if f"templates/{name}.yaml" in files:
            return f"templates/{name}.yaml"
    return None


def tab_in_template(files: ChartFiles) -> ChartFiles | None:
    return _sub(files, "templates/service.yaml", r"^  (type: )", "\t\\1")


def values_bad_indent(files: ChartFiles) -> ChartFiles | None:
    return _sub(files, "values.yaml", r"^(image:\n(?:  #.*\n)*)  (\w+:)", "\\1   \\2")


def ingress_extensions_v1beta1(files: ChartFiles) -> ChartFiles | None:
    step = _sub(
        files,
        "templates/ingress.yaml",
        r"^apiVersion: networking\.k8s\.io/v1$",
        "apiVersion: extensions/v1beta1",
    )
    if step is None:
        return None
    return _sub(
        step,
        "templates/ingress.yaml",
        r"^(\s*)service:\n\s*name: (.+)\n\s*port:\n\s*(?:name|number): (.+)$",
        "\\1serviceName: \\2\n\\1servicePort: \\3",
    )


def ingress_missing_path_type(files: ChartFiles) -> ChartFiles | None:
    return _sub(files, "templates/ingress.yaml", r"^\s*pathType: .*\n", "")


def pdb_policy_v1beta1(files: ChartFiles) -> ChartFiles | None:
    return _sub(files, "templates/pdb.yaml", r"^apiVersion: policy/v1$", "apiVersion: policy/v1beta1")


def hpa_autoscaling_v2beta2(files: ChartFiles) -> ChartFiles | None:
    return _sub(
        files, "templates/hpa.yaml", r"^apiVersion: autoscaling/v2$", "apiVersion: autoscaling/v2beta2"
    )


def hpa_autoscaling_v2beta1(files: ChartFiles) -> ChartFiles | None:
    step = _sub(
        files, "templates/hpa.yaml", r"^apiVersion: autoscaling/v2$", "apiVersion: autoscaling/v2beta1"
    )
    if step is None:
        return None
    return _sub(
        step,
        "templates/hpa.yaml",
        r"^(\s*)target:\n\s*type: Utilization\n\s*averageUtilization: (.+)$",
        "\\1targetAverageUtilization: \\2",
        count=0,
    )


def cronjob_batch_v1beta1(files: ChartFiles) -> ChartFiles | None:
    return _sub(files, "templates/cronjob.yaml", r"^apiVersion: batch/v1$", "apiVersion: batch/v1beta1")


def deployment_apps_v1beta2_no_selector(files: ChartFiles) -> ChartFiles | None:
    path = _workload_template(files)
    if path is None:
        return None
    step = _sub(files, path, r"^apiVersion: apps/v1$", "apiVersion: apps/v1beta2")
    if step is None:
        return None
    return _sub(step, path, r"^  selector:\n    matchLabels:\n      \{\{-? include .*\n", "")


def service_selector_typo(files: ChartFiles) -> ChartFiles | None:
    return _sub(
        files,
        "templates/service.yaml",
        r'^(\s*)\{\{- include "([^"]+)\.selectorLabels" \. \| nindent \d+ \}\}$',
        '\\1app.kubernetes.io/nmae: {{ include "\\2.name" . }}\n\\1app.kubernetes.io/instance: {{ .Release.Name }}',
    )


def container_port_string(files: ChartFiles) -> ChartFiles | None:
    if "containerPort:" not in files.get("values.yaml", ""):
        return None  # no ports: the ports template never renders, so quoting it breaks nothing
    for path in ("templates/_pod.tpl", *sorted(files)):
        if path.startswith("templates/") and re.search(
            r"containerPort: \{\{ [^}|]+ \}\}", files.get(path, "")
        ):
            return _sub(files, path, r"(containerPort: \{\{ [^}|]+?) \}\}", "\\1 | quote }}")
    return None


def replicas_string(files: ChartFiles) -> ChartFiles | None:
    return _sub(files, "values.yaml", r"^replicaCount: (\d+)", 'replicaCount: "\\1"')


def boolean_string(files: ChartFiles) -> ChartFiles | None:
    return _sub(files, "values.yaml", r"^(serviceAccount:\n(?:  #.*\n)*  create: )(true|false)", '\\1"\\2"')


def service_type_enum_case(files: ChartFiles) -> ChartFiles | None:
    return _sub(files, "values.yaml", r"^(service:\n(?:  .*\n)*?  type: )ClusterIP", "\\1clusterip")


def value_word_not_number(files: ChartFiles) -> ChartFiles | None:
    return _sub(
        files, "values.yaml", r"^terminationGracePeriodSeconds: 30$", "terminationGracePeriodSeconds: thirty"
    )


def readiness_probe_removed(files: ChartFiles) -> ChartFiles | None:
    return _sub(files, "values.yaml", r"^readinessProbe:\n(?:  .*\n)+", "")


def resources_removed(files: ChartFiles) -> ChartFiles | None:
    return _sub(files, "values.yaml", r"^resources:\n(?:  .*\n)+", "resources: {}\n")


def security_context_removed(files: ChartFiles) -> ChartFiles | None:
    return _sub(
        files, "values.yaml", r"^containerSecurityContext:\n(?:  .*\n)+", "containerSecurityContext: {}\n"
    )


def chart_version_not_semver(files: ChartFiles) -> ChartFiles | None:
    return _sub(files, "Chart.yaml", r"^version: (\d+)\.(\d+)\.\d+$", "version: \\1.\\2")


FAULTS: list[Fault] = [
    Fault("tab-in-template", "a tab indents a key in templates/service.yaml", tab_in_template),
    Fault(
        "values-bad-indent",
        "the first key under image: indented one space too far in values.yaml",
        values_bad_indent,
    ),
    Fault(
        "ingress-extensions-v1beta1",
        "Ingress on extensions/v1beta1 with serviceName/servicePort",
        ingress_extensions_v1beta1,
    ),
    Fault("ingress-missing-pathtype", "Ingress path without pathType", ingress_missing_path_type),
    Fault("pdb-policy-v1beta1", "PodDisruptionBudget on policy/v1beta1", pdb_policy_v1beta1),
    Fault("hpa-autoscaling-v2beta2", "HPA on autoscaling/v2beta2", hpa_autoscaling_v2beta2),
    Fault(
        "hpa-autoscaling-v2beta1",
        "HPA on autoscaling/v2beta1 with targetAverageUtilization",
        hpa_autoscaling_v2beta1,
    ),
    Fault("cronjob-batch-v1beta1", "CronJob on batch/v1beta1", cronjob_batch_v1beta1),
    Fault(
        "workload-apps-v1beta2",
        "workload on apps/v1beta2 without spec.selector",
        deployment_apps_v1beta2_no_selector,
    ),
    Fault("service-selector-typo", "Service selector spelled app.kubernetes.io/nmae", service_selector_typo),
    Fault("container-port-string", "containerPort rendered as a quoted string", container_port_string),
    Fault("replicas-string", 'replicaCount: "2" in values.yaml', replicas_string),
    Fault("boolean-string", 'serviceAccount.create: "true" in values.yaml', boolean_string),
    Fault("service-type-case", "service.type: clusterip (not in the schema's enum)", service_type_enum_case),
    Fault("value-word-number", "terminationGracePeriodSeconds: thirty", value_word_not_number),
    Fault(
        "readiness-probe-removed", "readinessProbe block deleted from values.yaml", readiness_probe_removed
    ),
    Fault("resources-removed", "resources: {} in values.yaml", resources_removed),
    Fault(
        "security-context-removed", "containerSecurityContext: {} in values.yaml", security_context_removed
    ),
    Fault("chart-version-not-semver", "Chart.yaml version 0.1 (not SemVer)", chart_version_not_semver),
]


def fault_named(name: str) -> Fault:
    for fault in FAULTS:
        if fault.name == name:
            return fault
    raise KeyError(f"no fault named {name!r}; known: {', '.join(f.name for f in FAULTS)}")
