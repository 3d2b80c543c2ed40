"""security/privileged: no privileged containers (restricted Pod Security Standard)."""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.finding import Severity
from agents.validate.pod_templates import pod_templates
from agents.validate.rules.contract import Rule, RuleInput, Violation
from agents.validate.shapes import dig


def check(given: RuleInput) -> Iterator[Violation]:
    for pod in pod_templates(given.objects):
        for path, container in pod.containers():
            if dig(container, "securityContext", "privileged") is True:
                yield Violation(
                    f"container {container.get('name')!r} of {pod.obj.ref} is privileged",
                    pod.obj,
                    (*path, "securityContext", "privileged"),
                )


RULE = Rule(
    "security/privileged",
    Severity.ERROR,
    "containers must not be privileged",
    "remove securityContext.privileged or set it to false; grant single capabilities instead",
    check,
)
