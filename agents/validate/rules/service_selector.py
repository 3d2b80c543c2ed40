"""wiring/service-selector: a Service's selector must match the labels of a pod template."""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.finding import Severity
from agents.validate.outside_chart import OUTSIDE_HINT, unresolved_selector_reason
from agents.validate.pod_templates import labels_match, pod_templates
from agents.validate.rules.contract import Rule, RuleInput, Violation
from agents.validate.shapes import dig


def check(given: RuleInput) -> Iterator[Violation]:
    pods = pod_templates(given.objects)
    for svc in given.of_kind("Service"):
        selector = dig(svc.doc, "spec", "selector")
        if not selector:
            continue  # selector-less Services (ExternalName, manual Endpoints) are deliberate
        if not any(labels_match(selector, pod.labels) for pod in pods):
            reason = unresolved_selector_reason(svc, selector, given.objects)
            if reason is not None:
                yield Violation(
                    f"Service {svc.name!r} selects {selector}, which no pod template of the chart has; "
                    f"not an error: {reason}",
                    svc,
                    ("spec", "selector"),
                    severity=Severity.INFO,
                    hint=OUTSIDE_HINT,
                )
                continue
            known = [pod.obj.ref for pod in pods] or ["none"]
            yield Violation(
                f"Service {svc.name!r} selects {selector} but no pod template has those labels "
                f"(pod templates: {', '.join(known)})",
                svc,
                ("spec", "selector"),
            )


RULE = Rule(
    "wiring/service-selector",
    Severity.ERROR,
    "a Service selector must match a pod template's labels",
    "use the same selectorLabels helper in the Service selector and the workload's template labels",
    check,
)
