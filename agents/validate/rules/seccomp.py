"""security/seccomp: a RuntimeDefault (or Localhost) seccomp profile on the pod or every container."""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.finding import Severity
from agents.validate.pod_templates import pod_templates
from agents.validate.rules.contract import Rule, RuleInput, Violation
from agents.validate.shapes import dig

ALLOWED = {"RuntimeDefault", "Localhost"}


def check(given: RuleInput) -> Iterator[Violation]:
    for pod in pod_templates(given.objects):
        pod_type = dig(pod.spec, "securityContext", "seccompProfile", "type")
        for path, container in pod.containers():
            own = dig(container, "securityContext", "seccompProfile", "type")
            effective = own or pod_type
            if not (isinstance(effective, str) and effective in ALLOWED):
                yield Violation(
                    f"container {container.get('name')!r} of {pod.obj.ref} has seccomp profile {effective!r}",
                    pod.obj,
                    (*pod.path, "securityContext", "seccompProfile")
                    if not own
                    else (*path, "securityContext"),
                )


RULE = Rule(
    "security/seccomp",
    Severity.ERROR,
    "pods must use the RuntimeDefault seccomp profile",
    "set spec.securityContext.seccompProfile.type: RuntimeDefault in the pod template",
    check,
)
