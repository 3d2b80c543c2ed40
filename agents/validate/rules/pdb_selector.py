"""wiring/pdb-selector: a PodDisruptionBudget must select the chart's pods."""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.finding import Severity
from agents.validate.outside_chart import OUTSIDE_HINT, unresolved_selector_reason
from agents.validate.pod_templates import label_selector_matches, pod_templates
from agents.validate.rules.contract import Rule, RuleInput, Violation
from agents.validate.shapes import dig


def check(given: RuleInput) -> Iterator[Violation]:
    pods = pod_templates(given.objects)
    for pdb in given.of_kind("PodDisruptionBudget"):
        selector = dig(pdb.doc, "spec", "selector")
        if not any(label_selector_matches(selector, pod.labels) for pod in pods):
            reason = unresolved_selector_reason(pdb, selector, given.objects)
            if reason is not None:
                yield Violation(
                    f"PodDisruptionBudget {pdb.name!r} selector {selector} matches no pod template of the chart; not an error: {reason}",
                    pdb,
                    ("spec", "selector"),
                    severity=Severity.INFO,
                    hint=OUTSIDE_HINT,
                )
                continue
            yield Violation(
                f"PodDisruptionBudget {pdb.name!r} selector {selector} matches no pod template of the chart",
                pdb,
                ("spec", "selector"),
            )


RULE = Rule(
    "wiring/pdb-selector",
    Severity.ERROR,
    "a PDB selector must match the chart's pod labels",
    "use the selectorLabels helper under spec.selector.matchLabels",
    check,
)
