"""Where the pod spec lives in each workload kind, so rules look at every pod template alike."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from agents.validate.manifests import PathPart, RenderedObject
from agents.validate.shapes import dig, mapping, mappings, sequence, string_map

POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
LONG_RUNNING = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"}


@dataclass(frozen=True)
class PodTemplate:
    obj: RenderedObject
    path: tuple[PathPart, ...]  # path of the pod spec inside the object
    spec: dict[str, Any]
    labels: dict[str, str]

    def containers(self, include_init: bool = True) -> Iterator[tuple[tuple[PathPart, ...], dict[str, Any]]]:
        """(path, container) for containers, then init containers."""
        keys = ("containers", "initContainers") if include_init else ("containers",)
        for key in keys:
            for i, container in mappings(self.spec.get(key)):
                yield (*self.path, key, i), container


def pod_template(obj: RenderedObject) -> PodTemplate | None:
    path = POD_SPEC_PATHS.get(obj.kind)
    if path is None:
        return None
    spec = dig(obj.doc, *path)
    if not isinstance(spec, dict):
        return None
    labels = dig(obj.doc, *path[:-1], "metadata", "labels")
    return PodTemplate(obj, path, spec, string_map(labels))


def pod_templates(objects: list[RenderedObject]) -> list[PodTemplate]:
    return [p for o in objects if (p := pod_template(o)) is not None]


def labels_match(required: Any, labels: dict[str, str]) -> bool:
    """A plain label map (Service selector) against a label set; an empty map selects nothing here."""
    if not isinstance(required, dict) or not required:
        return False
    return all(labels.get(str(k)) == str(v) for k, v in required.items())


def label_selector_matches(selector: Any, labels: dict[str, str]) -> bool:
    """A LabelSelector (matchLabels + matchExpressions); an empty selector selects everything."""
    if not isinstance(selector, dict):
        return False
    for key, value in mapping(selector.get("matchLabels")).items():
        if labels.get(str(key)) != str(value):
            return False
    for _, expr in mappings(selector.get("matchExpressions")):
        key, op = str(expr.get("key")), expr.get("operator")
        values = [str(v) for v in sequence(expr.get("values"))]
        present = key in labels
        if (op == "In" and labels.get(key) not in values) or (op == "NotIn" and labels.get(key) in values):
            return False
        if (op == "Exists" and not present) or (op == "DoesNotExist" and present):
            return False
    return True
