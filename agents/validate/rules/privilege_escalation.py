"""security/privilege-escalation: allowPrivilegeEscalation must be explicitly false."""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.finding import Severity
from agents.validate.pod_templates import pod_templates
from agents.validate.rules.contract import Rule, RuleInput, Violation
from agents.validate.shapes import dig


def check(given: RuleInput) -> Iterator[Violation]:
    for pod in pod_templates(given.objects):
        for path, container in pod.containers():
            value = dig(container, "securityContext", "allowPrivilegeEscalation")
            if value is not False:
                yield Violation(
                    f"container {container.get('name')!r} of {pod.obj.ref} has allowPrivilegeEscalation={value!r}",
                    pod.obj,
                    (*path, "securityContext", "allowPrivilegeEscalation"),
                )


RULE = Rule(
    "security/privilege-escalation",
    Severity.ERROR,
    "containers must set allowPrivilegeEscalation: false",
    "add securityContext.allowPrivilegeEscalation: false to every container",
    check,
)
