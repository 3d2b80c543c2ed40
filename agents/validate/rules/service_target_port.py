"""wiring/service-target-port: a Service's targetPort must be a port its pods declare."""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.finding import Severity
from agents.validate.pod_templates import labels_match, pod_templates
from agents.validate.rules.contract import Rule, RuleInput, Violation
from agents.validate.shapes import mapping, mappings


def check(given: RuleInput) -> Iterator[Violation]:
    pods = pod_templates(given.objects)
    for svc in given.of_kind("Service"):
        spec = mapping(svc.doc.get("spec"))
        selected = [p for p in pods if labels_match(spec.get("selector"), p.labels)]
        if not selected:
            continue  # wiring/service-selector reports that
        names: set[str] = set()
        numbers: set[int] = set()
        for pod in selected:
            for _, container in pod.containers(include_init=False):
                for _, port in mappings(container.get("ports")):
                    if isinstance(port.get("name"), str):
                        names.add(port["name"])
                    if isinstance(port.get("containerPort"), int):
                        numbers.add(port["containerPort"])
        for i, port in mappings(spec.get("ports")):
            target = port.get("targetPort", port.get("port"))
            if isinstance(target, str) and target.isdigit():
                target = int(target)
            if not isinstance(target, str | int) or isinstance(target, bool):
                continue  # a missing or mistyped port is schema/kubernetes's finding
            found = target in names if isinstance(target, str) else target in numbers
            if not found:
                yield Violation(
                    f"Service {svc.name!r} port {port.get('name') or port.get('port')!r} targets {target!r}, "
                    f"but the selected containers declare names {sorted(names)} and ports {sorted(numbers)}",
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
