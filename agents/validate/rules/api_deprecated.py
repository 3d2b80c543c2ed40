"""api/deprecated: an apiVersion still served by the target version but scheduled for removal."""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.api_lifecycle import is_deprecated, lifecycle
from agents.validate.finding import Severity
from agents.validate.rules.contract import Rule, RuleInput, Violation


def check(given: RuleInput) -> Iterator[Violation]:
    for obj in given.objects:
        entry = lifecycle(obj.api_version, obj.kind)
        if entry is None:
            continue
        for version in given.chart.kube_versions:
            if is_deprecated(entry, version):
                removal = f", removed in {entry.removed}" if entry.removed else ""
                yield Violation(
                    f"{obj.api_version} {obj.kind} is deprecated since Kubernetes {entry.deprecated}{removal} ({obj.ref})",
                    obj,
                    ("apiVersion",),
                    kube_version=version,
                    hint=f"use {entry.replacement}",
                )


RULE = Rule(
    "api/deprecated",
    Severity.WARNING,
    "apiVersions deprecated in a target Kubernetes version",
    "use the replacement apiVersion",
    check,
)
