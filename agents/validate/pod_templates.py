"""Where the pod spec lives in each workload kind, so rules look at every pod template alike."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from agents.validate.manifests import PathPart, RenderedObject

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
            items = self.spec.get(key) or []
            for i, container in enumerate(items if isinstance(items, list) else []):
                if isinstance(container, dict):
                    yield (*self.path, key, i), container


def _dig(doc: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        if not isinstance(doc, dict):
            return None
        doc = doc.get(part)
    return doc


def pod_template(obj: RenderedObject) -> PodTemplate | None:
    path = POD_SPEC_PATHS.get(obj.kind)
    if path is None:
        return None
    spec = _dig(obj.doc, path)
    if not isinstance(spec, dict):
        return None
    meta = _dig(obj.doc, (*path[:-1], "metadata")) if obj.kind != "Pod" else obj.doc.get("metadata")
    labels = meta.get("labels") if isinstance(meta, dict) else None
    return PodTemplate(obj, path, spec, {str(k): str(v) for k, v in (labels or {}).items()})


def pod_templates(objects: list[RenderedObject]) -> list[PodTemplate]:
    return [p for o in objects if (p := pod_template(o)) is not None]


def labels_match(required: dict[str, Any] | None, labels: dict[str, str]) -> bool:
    """A plain label map (Service selector) against a label set; an empty map selects nothing here."""
    if not isinstance(required, dict) or not required:
        return False
    return all(labels.get(str(k)) == str(v) for k, v in required.items())


def label_selector_matches(selector: dict[str, Any] | None, labels: dict[str, str]) -> bool:
    """A LabelSelector (matchLabels + matchExpressions); an empty selector selects everything."""
    if not isinstance(selector, dict):
        return False
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(str(key)) != str(value):
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op = str(expr.get("key")), expr.get("operator")
        values = [str(v) for v in expr.get("values") or []]
        present = key in labels
        if (op == "In" and labels.get(key) not in values) or (op == "NotIn" and labels.get(key) in values):
            return False
        if (op == "Exists" and not present) or (op == "DoesNotExist" and present):
            return False
    return True
