"""apiserver/volume-mount-path-unique: one container cannot mount two volumes at the same path."""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.apiserver_wording import invalid, rejected
from agents.validate.finding import Severity
from agents.validate.pod_templates import pod_templates
from agents.validate.rules.contract import Rule, RuleInput, Violation
from agents.validate.shapes import mappings


def check(given: RuleInput) -> Iterator[Violation]:
    for pod in pod_templates(given.objects):
        for path, container in pod.containers():
            seen: dict[str, str] = {}  # mountPath -> the volume mounted there first
            for i, mount in mappings(container.get("volumeMounts")):
                mount_path = mount.get("mountPath")
                if not isinstance(mount_path, str) or not mount_path:
                    continue  # a missing mountPath is schema/kubernetes's finding
                if mount_path in seen:
                    where = (*path, "volumeMounts", i, "mountPath")
                    yield Violation(
                        rejected(pod.obj, invalid(where, mount_path, "must be unique"))
                        + f" (volumes {seen[mount_path]!r} and {mount.get('name')!r} of container "
                        f"{container.get('name')!r} are both mounted there)",
                        pod.obj,
                        where,
                    )
                else:
                    seen[mount_path] = str(mount.get("name"))


RULE = Rule(
    "apiserver/volume-mount-path-unique",
    Severity.ERROR,
    "a container cannot mount two volumes at the same mountPath",
    "mount one volume per path: when a PVC replaces an emptyDir (persistence on), render one or the other",
    check,
)
