"""Removed or deprecated apiVersions → their served successors, translating the spec where it changed.

Mirrors the validator's `api/removed` and `api/deprecated` rules and helm lint's deprecation notices.
Ingress backends, HPA metric targets and apps/v1's required selector are rewritten line by line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from agents.heal.fixers.contract import FixOutcome
from agents.heal.fixers.selectors import selector_block, selector_helper
from agents.heal.yaml_text import (
    KEY_LINE,
    block_end,
    document_bounds,
    indent_of,
    is_content,
    key_of,
    split_lines,
)
from agents.validate.finding import Finding
from agents.validate.values_yaml import load_values as parse_values  # alias-bomb safe

API_LINE = re.compile(r"^(?P<head>\s*apiVersion:\s*)(?P<api>[\w./-]+)(?P<tail>\s*(#.*)?)$")
KIND_LINE = re.compile(r"^kind:\s*(?P<kind>\w+)")
SERVICE_NAME = re.compile(r"^(?P<indent>\s*)serviceName:\s*(?P<value>.+?)\s*$")
SERVICE_PORT = re.compile(r"^(?P<indent>\s*)servicePort:\s*(?P<value>.+?)\s*$")
PATH_ITEM = re.compile(r"^(?P<indent>\s*)-\s+path:")


@dataclass(frozen=True)
class Replacement:
    api_version: str
    removed_in: tuple[int, int]


# (old apiVersion, kind) → successor; kind "*" matches any kind of that group version.
REMOVED: dict[tuple[str, str], Replacement] = {
    ("extensions/v1beta1", "Ingress"): Replacement("networking.k8s.io/v1", (1, 22)),
    ("networking.k8s.io/v1beta1", "Ingress"): Replacement("networking.k8s.io/v1", (1, 22)),
    ("networking.k8s.io/v1beta1", "IngressClass"): Replacement("networking.k8s.io/v1", (1, 22)),
    ("extensions/v1beta1", "NetworkPolicy"): Replacement("networking.k8s.io/v1", (1, 16)),
    ("extensions/v1beta1", "Deployment"): Replacement("apps/v1", (1, 16)),
    ("extensions/v1beta1", "DaemonSet"): Replacement("apps/v1", (1, 16)),
    ("extensions/v1beta1", "ReplicaSet"): Replacement("apps/v1", (1, 16)),
    ("apps/v1beta1", "*"): Replacement("apps/v1", (1, 16)),
    ("apps/v1beta2", "*"): Replacement("apps/v1", (1, 16)),
    ("policy/v1beta1", "PodDisruptionBudget"): Replacement("policy/v1", (1, 25)),
    ("batch/v1beta1", "CronJob"): Replacement("batch/v1", (1, 25)),
    ("batch/v2alpha1", "CronJob"): Replacement("batch/v1", (1, 21)),
    ("autoscaling/v2beta1", "HorizontalPodAutoscaler"): Replacement("autoscaling/v2", (1, 25)),
    ("autoscaling/v2beta2", "HorizontalPodAutoscaler"): Replacement("autoscaling/v2", (1, 26)),
    ("rbac.authorization.k8s.io/v1beta1", "*"): Replacement("rbac.authorization.k8s.io/v1", (1, 22)),
    ("rbac.authorization.k8s.io/v1alpha1", "*"): Replacement("rbac.authorization.k8s.io/v1", (1, 22)),
    ("scheduling.k8s.io/v1beta1", "PriorityClass"): Replacement("scheduling.k8s.io/v1", (1, 22)),
    ("storage.k8s.io/v1beta1", "StorageClass"): Replacement("storage.k8s.io/v1", (1, 22)),
    ("storage.k8s.io/v1beta1", "CSIStorageCapacity"): Replacement("storage.k8s.io/v1", (1, 27)),
    ("coordination.k8s.io/v1beta1", "Lease"): Replacement("coordination.k8s.io/v1", (1, 22)),
    ("discovery.k8s.io/v1beta1", "EndpointSlice"): Replacement("discovery.k8s.io/v1", (1, 25)),
    ("events.k8s.io/v1beta1", "Event"): Replacement("events.k8s.io/v1", (1, 25)),
    ("node.k8s.io/v1beta1", "RuntimeClass"): Replacement("node.k8s.io/v1", (1, 25)),
    ("admissionregistration.k8s.io/v1beta1", "*"): Replacement("admissionregistration.k8s.io/v1", (1, 22)),
}
WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"}


def successor(api_version: str, kind: str) -> Replacement | None:
    return REMOVED.get((api_version, kind)) or REMOVED.get((api_version, "*"))


def _minor(version: str) -> tuple[int, int]:
    match = re.match(r"v?(\d+)\.(\d+)", version)
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


class ApiVersionFixer:
    name = "api-versions"

    def handles(self, finding: Finding) -> bool:
        text = finding.message.lower()
        return (
            finding.rule_id.startswith("api/")
            or (
                "apiversion" in text
                or "deprecated" in text
                or "no longer served" in text
                or "removed" in text
            )
            and bool(re.search(r"v\d+(alpha|beta)\d+", finding.message))
        )

    def fix(
        self, files: dict[str, str], findings: Sequence[Finding], kube_versions: Sequence[str]
    ) -> FixOutcome:
        newest = max((_minor(v) for v in kube_versions), default=(99, 99))
        helper = selector_helper(files)
        values = load_values(files)
        out = dict(files)
        changes: list[str] = []
        for path, text in files.items():
            if not path.startswith("templates/") or path.endswith((".tpl", ".txt")):
                continue
            lines = split_lines(text)
            edited = False
            for start, end in reversed(document_bounds(lines)):
                kind = _kind(lines, start, end)
                for i in range(start, end):
                    match = API_LINE.match(lines[i])
                    if not match or kind is None:
                        continue
                    old = match.group("api")
                    target = successor(old, kind)
                    if target is None or target.removed_in > newest:
                        continue
                    lines[i] = f"{match.group('head')}{target.api_version}{match.group('tail')}"
                    notes = _translate(lines, i, end, kind, old, helper, values)
                    edited = True
                    extra = f" ({'; '.join(dict.fromkeys(notes))})" if notes else ""
                    changes.append(f"{path}: {kind} {old} → {target.api_version}{extra}")
                    break
            if edited:
                out[path] = "\n".join(lines)
        return FixOutcome(out, changes)


def _kind(lines: list[str], start: int, end: int) -> str | None:
    for i in range(start, end):
        match = KIND_LINE.match(lines[i])
        if match:
            return match.group("kind")
    return None


def _translate(
    lines: list[str], api_line: int, end: int, kind: str, old: str, helper: str | None, values: dict[str, Any]
) -> list[str]:
    """Rewrite the spec fields the successor API renamed; `lines` is edited in place from `api_line`."""
    if kind == "Ingress":
        return translate_ingress(lines, api_line, end, values)
    if kind == "HorizontalPodAutoscaler" and old == "autoscaling/v2beta1":
        return translate_hpa_v2beta1(lines, api_line, end)
    if kind in WORKLOADS:
        return ensure_workload_selector(lines, api_line, end, helper)
    return []


def port_field(port: str, values: dict[str, Any]) -> str:
    """`name` for a named port (`http`, or a template whose value in values.yaml is a name), else `number`."""
    if re.fullmatch(r"[a-z][-a-z0-9]*", port):
        return "name"
    reference = re.search(r"\.Values\.([\w.]+)", port)
    if reference:
        value: Any = values
        for part in reference.group(1).split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, str) and not value.isdigit():
            return "name"
    return "number"


def translate_ingress(
    lines: list[str], start: int, end: int, values: dict[str, Any] | None = None
) -> list[str]:
    notes: list[str] = []
    i = start
    while i < end and i < len(lines):
        name = SERVICE_NAME.match(lines[i])
        if name:
            indent = name.group("indent")
            port_at = next(
                (j for j in range(i + 1, min(i + 4, len(lines))) if SERVICE_PORT.match(lines[j])), None
            )
            new = [f"{indent}service:", f"{indent}  name: {name.group('value')}"]
            if port_at is not None:
                port = SERVICE_PORT.match(lines[port_at]).group("value")  # type: ignore[union-attr]
                field = port_field(port, values or {})
                new += [f"{indent}  port:", f"{indent}    {field}: {port}"]
                del lines[port_at]
                end -= 1
            lines[i : i + 1] = new
            end += len(new) - 1
            notes.append("backend.serviceName/servicePort → backend.service.name/port")
            i += len(new)
            continue
        if key_of(lines[i]) == "backend" and _parent_key(lines, i) == "spec":
            lines[i] = lines[i].replace("backend:", "defaultBackend:", 1)
            notes.append("spec.backend → spec.defaultBackend")
        i += 1
    added = add_missing_path_types(lines, start, end, values)
    if added:
        notes.append(f"pathType: {path_type_value(values)} added to {added} path(s)")
    return sorted(set(notes), key=notes.index)


def load_values(files: dict[str, str]) -> dict[str, Any]:
    try:
        loaded = parse_values(files.get("values.yaml", "")) or {}
    except yaml.YAMLError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def path_type_value(values: dict[str, Any] | None) -> str:
    """The chart's own `ingress.pathType` value when it has one, else Prefix."""
    ingress = (values or {}).get("ingress")
    if isinstance(ingress, dict) and isinstance(ingress.get("pathType"), str):
        return "{{ $.Values.ingress.pathType }}"
    return "Prefix"


def add_missing_path_types(
    lines: list[str], start: int, end: int, values: dict[str, Any] | None = None
) -> int:
    """Give every `- path:` item of an Ingress a pathType (required by networking.k8s.io/v1)."""
    added = 0
    path_type = path_type_value(values)
    i = start
    while i < min(end, len(lines)):
        match = PATH_ITEM.match(lines[i])
        if match:
            item_end = block_end(lines, i)
            if not any("pathType" in lines[j] for j in range(i, item_end)):
                key_indent = indent_of(lines[i]) + 2
                lines.insert(i + 1, " " * key_indent + f"pathType: {path_type}")
                end += 1
                added += 1
        i += 1
    return added


def _parent_key(lines: list[str], index: int) -> str | None:
    indent = indent_of(lines[index])
    for j in range(index - 1, -1, -1):
        if is_content(lines[j]) and indent_of(lines[j]) < indent:
            return key_of(lines[j])
    return None


def translate_hpa_v2beta1(lines: list[str], start: int, end: int) -> list[str]:
    notes: list[str] = []
    i = start
    renames = {
        "targetAverageUtilization": ("Utilization", "averageUtilization"),
        "targetAverageValue": ("AverageValue", "averageValue"),
        "targetValue": ("Value", "value"),
    }
    while i < min(end, len(lines)):
        match = KEY_LINE.match(lines[i])
        key = match.group("key") if match else None
        if match and key in renames and match.group("rest"):
            indent = match.group("indent")
            target_type, field = renames[key]
            new = [
                f"{indent}target:",
                f"{indent}  type: {target_type}",
                f"{indent}  {field}: {match.group('rest')}",
            ]
            lines[i : i + 1] = new
            end += 2
            notes.append(f"{key} → target.{field}")
            i += len(new)
            continue
        if match and key == "metricName" and match.group("rest"):
            indent = match.group("indent")
            lines[i : i + 1] = [f"{indent}metric:", f"{indent}  name: {match.group('rest')}"]
            end += 1
            notes.append("metricName → metric.name")
        i += 1
    return notes


def ensure_workload_selector(lines: list[str], start: int, end: int, helper: str | None) -> list[str]:
    """apps/v1 requires spec.selector; older APIs defaulted it from the pod template labels."""
    spec = next((j for j in range(start, min(end, len(lines))) if lines[j].rstrip() == "spec:"), None)
    if spec is None:
        return []
    spec_end = block_end(lines, spec)
    if any(key_of(lines[j]) == "selector" and indent_of(lines[j]) == 2 for j in range(spec + 1, spec_end)):
        return []
    block = selector_block(lines, spec, spec_end, helper, indent=2)
    if not block:
        return []
    template = next(
        (j for j in range(spec + 1, spec_end) if key_of(lines[j]) == "template" and indent_of(lines[j]) == 2),
        None,
    )
    at = template if template is not None else spec + 1
    lines[at:at] = block
    return ["spec.selector.matchLabels added (required by apps/v1)"]
