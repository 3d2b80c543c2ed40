"""wiring/network-policy-selector: a NetworkPolicy's podSelector must match the chart's pods."""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.finding import Severity
from agents.validate.outside_chart import OUTSIDE_HINT, unresolved_selector_reason
from agents.validate.pod_templates import label_selector_matches, pod_templates
from agents.validate.rules.contract import Rule, RuleInput, Violation
from agents.validate.shapes import dig


def check(given: RuleInput) -> Iterator[Violation]:
    pods = pod_templates(given.objects)
    for policy in given.of_kind("NetworkPolicy"):
        selector = dig(policy.doc, "spec", "podSelector")
        if selector == {}:
            continue  # an empty podSelector deliberately applies to every pod in the namespace
        if not any(label_selector_matches(selector, pod.labels) for pod in pods):
            reason = unresolved_selector_reason(policy, selector, given.objects)
            if reason is not None:
                yield Violation(
                    f"NetworkPolicy {policy.name!r} podSelector {selector} matches no pod template of the chart; not an error: {reason}",
                    policy,
                    ("spec", "podSelector"),
                    severity=Severity.INFO,
                    hint=OUTSIDE_HINT,
                )
                continue
            yield Violation(
                f"NetworkPolicy {policy.name!r} podSelector {selector} matches no pod template of the chart",
                policy,
                ("spec", "podSelector"),
            )


RULE = Rule(
    "wiring/network-policy-selector",
    Severity.ERROR,
    "a NetworkPolicy podSelector must match the chart's pods",
    "use the selectorLabels helper under spec.podSelector.matchLabels",
    check,
)
