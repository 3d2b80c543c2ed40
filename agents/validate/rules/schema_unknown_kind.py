"""schema/unknown-kind: a custom resource we have no schema for is reported, never failed."""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.crd_schemas import crd_validator, is_builtin_group
from agents.validate.finding import Severity
from agents.validate.rules.contract import Rule, RuleInput, Violation


def check(given: RuleInput) -> Iterator[Violation]:
    for obj in given.objects:
        if (
            obj.api_version
            and not is_builtin_group(obj.api_version)
            and crd_validator(obj.api_version, obj.kind) is None
        ):
            yield Violation(
                f"no schema for {obj.api_version} {obj.kind} ({obj.ref}): not validated", obj, ("kind",)
            )


RULE = Rule(
    "schema/unknown-kind",
    Severity.INFO,
    "custom resources without a shipped schema are not validated",
    "check the resource against its CRD by hand (kubectl apply --dry-run=server on a cluster with the CRD)",
    check,
)
