"""security/host-path: no hostPath volumes (they expose the node's filesystem)."""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.finding import Severity
from agents.validate.pod_templates import pod_templates
from agents.validate.rules.contract import Rule, RuleInput, Violation
from agents.validate.shapes import dig, mappings


def check(given: RuleInput) -> Iterator[Violation]:
    for pod in pod_templates(given.objects):
        for i, volume in mappings(pod.spec.get("volumes")):
            if "hostPath" in volume:
                path = dig(volume, "hostPath", "path")
                yield Violation(
                    f"{pod.obj.ref} mounts hostPath {path!r} as volume {volume.get('name')!r}",
                    pod.obj,
                    (*pod.path, "volumes", i, "hostPath"),
                )


RULE = Rule(
    "security/host-path",
    Severity.ERROR,
    "pods must not use hostPath volumes",
    "use an emptyDir, a PersistentVolumeClaim, a ConfigMap or a Secret volume instead of hostPath",
    check,
)
