"""wiring/hpa-replicas: a workload scaled by an HPA must not also fix spec.replicas."""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.finding import Severity
from agents.validate.rules.contract import Rule, RuleInput, Violation
from agents.validate.shapes import dig, mapping


def check(given: RuleInput) -> Iterator[Violation]:
    targets = {
        (str(ref.get("kind")), str(ref.get("name")))
        for hpa in given.of_kind("HorizontalPodAutoscaler")
        if (ref := mapping(dig(hpa.doc, "spec", "scaleTargetRef")))
    }
    for obj in given.objects:
        if (obj.kind, obj.name) in targets and "replicas" in mapping(obj.doc.get("spec")):
            yield Violation(
                f"{obj.ref} sets replicas: {obj.doc['spec']['replicas']} while an HPA scales it "
                "(every upgrade resets the replica count)",
                obj,
                ("spec", "replicas"),
            )


RULE = Rule(
    "wiring/hpa-replicas",
    Severity.WARNING,
    "a workload with an HPA must not set replicas",
    "wrap spec.replicas in {{- if not .Values.autoscaling.enabled }} … {{- end }}",
    check,
)
