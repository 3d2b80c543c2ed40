"""security/run-as-non-root: every container must be forced to run as a non-root user."""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.finding import Severity
from agents.validate.pod_templates import pod_templates
from agents.validate.rules.contract import Rule, RuleInput, Violation
from agents.validate.shapes import mapping


def check(given: RuleInput) -> Iterator[Violation]:
    for pod in pod_templates(given.objects):
        pod_ctx = mapping(pod.spec.get("securityContext"))
        for path, container in pod.containers():
            ctx = mapping(container.get("securityContext"))
            value = ctx.get("runAsNonRoot", pod_ctx.get("runAsNonRoot"))
            uid = ctx.get("runAsUser", pod_ctx.get("runAsUser"))
            if value is not True or uid == 0:
                yield Violation(
                    f"container {container.get('name')!r} of {pod.obj.ref} may run as root "
                    f"(runAsNonRoot={value!r}, runAsUser={uid!r})",
                    pod.obj,
                    (*path, "securityContext", "runAsNonRoot"),
                )


RULE = Rule(
    "security/run-as-non-root",
    Severity.ERROR,
    "containers must set runAsNonRoot: true and not runAsUser: 0",
    "set securityContext.runAsNonRoot: true (pod or container) and a non-zero runAsUser",
    check,
)
