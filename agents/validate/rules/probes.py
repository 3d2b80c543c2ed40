"""security/probes: long-running containers need liveness and readiness probes that differ."""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.finding import Severity
from agents.validate.pod_templates import LONG_RUNNING, pod_templates
from agents.validate.rules.contract import Rule, RuleInput, Violation


def check(given: RuleInput) -> Iterator[Violation]:
    for pod in pod_templates(given.objects):
        if pod.obj.kind not in LONG_RUNNING:
            continue
        for path, container in pod.containers(include_init=False):
            name = container.get("name")
            missing = [p for p in ("livenessProbe", "readinessProbe") if not container.get(p)]
            if missing:
                yield Violation(
                    f"container {name!r} of {pod.obj.ref} has no {' and no '.join(missing)}", pod.obj, path
                )
            elif container["livenessProbe"] == container["readinessProbe"]:
                yield Violation(
                    f"container {name!r} of {pod.obj.ref} has identical liveness and readiness probes",
                    pod.obj,
                    (*path, "livenessProbe"),
                    hint="make liveness cheaper and more tolerant (a restart is drastic) than readiness",
                )


RULE = Rule(
    "security/probes",
    Severity.WARNING,
    "long-running containers need distinct liveness and readiness probes",
    "add livenessProbe and readinessProbe (e.g. httpGet on the app's health endpoint)",
    check,
)
