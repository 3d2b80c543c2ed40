"""wiring/hpa-target: a HorizontalPodAutoscaler must scale a workload the chart renders."""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.finding import Severity
from agents.validate.rules.contract import Rule, RuleInput, Violation
from agents.validate.shapes import dig, mapping


def check(given: RuleInput) -> Iterator[Violation]:
    present = {(o.kind, o.name) for o in given.objects}  # kind and name are str already
    for hpa in given.of_kind("HorizontalPodAutoscaler"):
        ref = mapping(dig(hpa.doc, "spec", "scaleTargetRef"))
        if (str(ref.get("kind")), str(ref.get("name"))) not in present:
            yield Violation(
                f"HorizontalPodAutoscaler {hpa.name!r} scales {ref.get('kind')}/{ref.get('name')}, "
                "which the chart does not render",
                hpa,
                ("spec", "scaleTargetRef", "name"),
            )


RULE = Rule(
    "wiring/hpa-target",
    Severity.ERROR,
    "an HPA's scaleTargetRef must name a rendered workload",
    "set scaleTargetRef.kind/name to the workload's kind and fullname",
    check,
)
