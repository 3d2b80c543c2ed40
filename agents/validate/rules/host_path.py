"""security/host-path: no hostPath volumes (they expose the node's filesystem).

Baseline forbids host paths too, so a node agent (log shipper, node exporter) is not softened
here: its read-only mounts are named as such, with the way out a policy gives it (declare the
risk with a reason in the accepted-risks annotation or the repository's accepted_risks).
"""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.finding import Severity
from agents.validate.pod_templates import PodTemplate, pod_templates
from agents.validate.rules.contract import Rule, RuleInput, Violation
from agents.validate.shapes import dig, mappings

NODE_AGENT_HINT = (
    "keep the mount readOnly and declare it in the pod annotation autopilot.k8s.io/accepted-risks "
    "(security/host-path=<why the agent reads the node>), or use another volume type"
)


def _read_only_everywhere(pod: PodTemplate, volume_name: object) -> bool:
    mounts = [
        mount
        for _, container in pod.containers()
        for _, mount in mappings(container.get("volumeMounts"))
        if mount.get("name") == volume_name
    ]
    return all(mount.get("readOnly") is True for mount in mounts)


def check(given: RuleInput) -> Iterator[Violation]:
    for pod in pod_templates(given.objects):
        for i, volume in mappings(pod.spec.get("volumes")):
            if "hostPath" in volume:
                path = dig(volume, "hostPath", "path")
                node_agent = pod.obj.kind == "DaemonSet" and _read_only_everywhere(pod, volume.get("name"))
                yield Violation(
                    f"{pod.obj.ref} mounts hostPath {path!r} as volume {volume.get('name')!r}"
                    + (" (read-only, node agent)" if node_agent else ""),
                    pod.obj,
                    (*pod.path, "volumes", i, "hostPath"),
                    hint=NODE_AGENT_HINT if node_agent else None,
                )


RULE = Rule(
    "security/host-path",
    Severity.ERROR,
    "pods must not use hostPath volumes",
    "use an emptyDir, a PersistentVolumeClaim, a ConfigMap or a Secret volume instead of hostPath",
    check,
)
