"""security/capabilities: drop ALL capabilities; add back at most NET_BIND_SERVICE."""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.finding import Severity
from agents.validate.pod_templates import pod_templates
from agents.validate.rules.contract import Rule, RuleInput, Violation
from agents.validate.shapes import dig, mapping, sequence

ALLOWED_ADD = {"NET_BIND_SERVICE"}


def check(given: RuleInput) -> Iterator[Violation]:
    for pod in pod_templates(given.objects):
        for path, container in pod.containers():
            caps = mapping(dig(container, "securityContext", "capabilities"))
            name = container.get("name")
            if "ALL" not in [str(c).upper() for c in sequence(caps.get("drop"))]:
                yield Violation(
                    f"container {name!r} of {pod.obj.ref} does not drop ALL capabilities",
                    pod.obj,
                    (*path, "securityContext", "capabilities", "drop"),
                )
            extra = sorted({str(c) for c in sequence(caps.get("add"))} - ALLOWED_ADD)
            if extra:
                yield Violation(
                    f"container {name!r} of {pod.obj.ref} adds capabilities {extra}",
                    pod.obj,
                    (*path, "securityContext", "capabilities", "add"),
                )


RULE = Rule(
    "security/capabilities",
    Severity.ERROR,
    "containers must drop ALL capabilities and add only NET_BIND_SERVICE",
    "set securityContext.capabilities: {drop: [ALL]} and remove other added capabilities",
    check,
)
