"""schema/crd: custom resources we ship schemas for (Traefik, Gateway API, Prometheus operator)."""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.crd_schemas import crd_validator, is_builtin_group
from agents.validate.finding import Severity
from agents.validate.kube_schema import collect_problems
from agents.validate.rules.contract import Rule, RuleInput, Violation
from agents.validate.schema_errors import schema_violations


def check(given: RuleInput) -> Iterator[Violation]:
    for obj in given.objects:
        if obj.api_version and not is_builtin_group(obj.api_version):
            validator = crd_validator(obj.api_version, obj.kind)
            if validator is not None:
                yield from schema_violations(obj, collect_problems(validator, obj.doc))


RULE = Rule(
    "schema/crd",
    Severity.ERROR,
    "custom resources must validate against their CRD schema",
    "fix the field named in the message (compare with the CRD's documentation for this apiVersion)",
    check,
)
