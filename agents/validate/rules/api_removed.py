"""api/removed: an apiVersion the target Kubernetes version no longer serves."""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.api_lifecycle import is_removed, lifecycle
from agents.validate.finding import Severity
from agents.validate.rules.contract import Rule, RuleInput, Violation


def check(given: RuleInput) -> Iterator[Violation]:
    for obj in given.objects:
        entry = lifecycle(obj.api_version, obj.kind)
        if entry is None:
            continue
        for version in given.chart.kube_versions:
            if is_removed(entry, version):
                yield Violation(
                    f"{obj.api_version} {obj.kind} was removed in Kubernetes {entry.removed}: "
                    f"{obj.ref} cannot be installed",
                    obj,
                    ("apiVersion",),
                    kube_version=version,
                    hint=f"use apiVersion: {entry.replacement} (check the changed fields of the new version)",
                )


RULE = Rule(
    "api/removed",
    Severity.ERROR,
    "apiVersions removed in a target Kubernetes version",
    "use the replacement apiVersion",
    check,
)
