"""security/resources: CPU and memory requests plus a memory limit on every container."""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.finding import Severity
from agents.validate.pod_templates import pod_templates
from agents.validate.rules.contract import Rule, RuleInput, Violation
from agents.validate.shapes import dig, mapping


def check(given: RuleInput) -> Iterator[Violation]:
    for pod in pod_templates(given.objects):
        for path, container in pod.containers():
            requests = mapping(dig(container, "resources", "requests"))
            limits = mapping(dig(container, "resources", "limits"))
            missing = [f"requests.{k}" for k in ("cpu", "memory") if k not in requests]
            missing += ["limits.memory"] if "memory" not in limits else []
            if missing:
                yield Violation(
                    f"container {container.get('name')!r} of {pod.obj.ref} lacks resources {', '.join(missing)}",
                    pod.obj,
                    (*path, "resources"),
                )


RULE = Rule(
    "security/resources",
    Severity.WARNING,
    "containers need CPU/memory requests and a memory limit",
    "set resources.requests.cpu, resources.requests.memory and resources.limits.memory (values.yaml `resources:`)",
    check,
)
