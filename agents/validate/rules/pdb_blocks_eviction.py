"""wiring/pdb-blocks-eviction: a PDB must leave room to evict a pod, or node drains hang."""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.finding import Severity
from agents.validate.pod_templates import label_selector_matches, pod_templates
from agents.validate.rules.contract import Rule, RuleInput, Violation
from agents.validate.shapes import mapping


def check(given: RuleInput) -> Iterator[Violation]:
    pods = pod_templates(given.objects)
    for pdb in given.of_kind("PodDisruptionBudget"):
        spec = mapping(pdb.doc.get("spec"))
        if spec.get("maxUnavailable") in (0, "0", "0%"):
            yield Violation(
                f"PodDisruptionBudget {pdb.name!r} has maxUnavailable: 0", pdb, ("spec", "maxUnavailable")
            )
            continue
        min_available = spec.get("minAvailable")
        if min_available == "100%":
            yield Violation(
                f"PodDisruptionBudget {pdb.name!r} has minAvailable: 100%", pdb, ("spec", "minAvailable")
            )
            continue
        if not isinstance(min_available, int):
            continue
        for pod in pods:
            replicas = mapping(pod.obj.doc.get("spec")).get("replicas", 1)
            matches = label_selector_matches(spec.get("selector"), pod.labels)
            if matches and isinstance(replicas, int) and min_available >= replicas:
                yield Violation(
                    f"PodDisruptionBudget {pdb.name!r} needs minAvailable: {min_available} "
                    f"but {pod.obj.ref} runs {replicas} replica(s): no pod can ever be evicted",
                    pdb,
                    ("spec", "minAvailable"),
                )


RULE = Rule(
    "wiring/pdb-blocks-eviction",
    Severity.ERROR,
    "a PDB must allow at least one eviction",
    "use maxUnavailable: 1, or render the PDB only when replicas > minAvailable",
    check,
)
