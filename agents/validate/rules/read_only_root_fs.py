"""security/read-only-root-filesystem: containers should not write to their image."""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.finding import Severity
from agents.validate.pod_templates import pod_templates
from agents.validate.rules.contract import Rule, RuleInput, Violation
from agents.validate.shapes import dig


def check(given: RuleInput) -> Iterator[Violation]:
    for pod in pod_templates(given.objects):
        for path, container in pod.containers():
            if dig(container, "securityContext", "readOnlyRootFilesystem") is not True:
                yield Violation(
                    f"container {container.get('name')!r} of {pod.obj.ref} has a writable root filesystem",
                    pod.obj,
                    (*path, "securityContext", "readOnlyRootFilesystem"),
                )


RULE = Rule(
    "security/read-only-root-filesystem",
    Severity.WARNING,
    "containers should set readOnlyRootFilesystem: true",
    "set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the app writes (/tmp, caches)",
    check,
)
