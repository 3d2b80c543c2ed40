"""wiring/service-target-port: a Service's targetPort must be a port its pods declare."""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.finding import Severity
from agents.validate.pod_templates import labels_match, pod_templates
from agents.validate.rules.contract import Rule, RuleInput, Violation


def check(given: RuleInput) -> Iterator[Violation]:
    pods = pod_templates(given.objects)
    for svc in given.of_kind("Service"):
        spec = svc.doc.get("spec") or {}
        selected = [p for p in pods if labels_match(spec.get("selector"), p.labels)]
        if not selected:
            continue  # wiring/service-selector reports that
        names = set()
        numbers = set()
        for pod in selected:
            for _, container in pod.containers(include_init=False):
                for port in container.get("ports") or []:
                    names.add(str(port.get("name")))
                    numbers.add(port.get("containerPort"))
        for i, port in enumerate(spec.get("ports") or []):
            target = port.get("targetPort", port.get("port"))
            found = (
                target in names
                if isinstance(target, str) and not target.isdigit()
                else int(target) in numbers
            )
            if not found:
                yield Violation(
                    f"Service {svc.name!r} port {port.get('name') or port.get('port')!r} targets {target!r}, "
                    f"but the selected containers declare names {sorted(names - {'None'})} and ports {sorted(n for n in numbers if n)}",
                    svc,
                    ("spec", "ports", i, "targetPort" if "targetPort" in port else "port"),
                )


RULE = Rule(
    "wiring/service-target-port",
    Severity.ERROR,
    "a Service targetPort must name or number a containerPort of the selected pods",
    "set targetPort to the container port's name (e.g. http) and declare it under the container's ports",
    check,
)
