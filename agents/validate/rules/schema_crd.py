"""schema/crd: custom resources we ship schemas for (Traefik, Gateway API, Prometheus operator)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache

from agents.validate.crd_schemas import crd_validator, is_builtin_group
from agents.validate.finding import Severity
from agents.validate.kube_schema import SchemaProblem, collect_problems
from agents.validate.rules.contract import Rule, RuleInput, Violation
from agents.validate.schema_errors import schema_violations


@lru_cache(maxsize=2048)
def _problems(api_version: str, kind: str, document: str) -> tuple[SchemaProblem, ...]:
    """Problems of one custom resource, by its JSON text: the same object in several renders
    (a route in the exposure file and in full-values) is validated once."""
    validator = crd_validator(api_version, kind)
    return collect_problems(validator, json.loads(document)) if validator is not None else ()


def check(given: RuleInput) -> Iterator[Violation]:
    for obj in given.objects:
        if (
            obj.api_version
            and not is_builtin_group(obj.api_version)
            and crd_validator(obj.api_version, obj.kind)
        ):
            document = json.dumps(obj.doc, sort_keys=True, default=str)
            yield from schema_violations(obj, _problems(obj.api_version, obj.kind, document))


RULE = Rule(
    "schema/crd",
    Severity.ERROR,
    "custom resources must validate against their CRD schema",
    "fix the field named in the message (compare with the CRD's documentation for this apiVersion)",
    check,
)
