"""schema/kubernetes: built-in objects must match the target version's strict OpenAPI schema."""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.api_lifecycle import is_removed, lifecycle
from agents.validate.crd_schemas import is_builtin_group
from agents.validate.finding import Severity
from agents.validate.kube_schema import kube_schema_problems
from agents.validate.rules.contract import Rule, RuleInput, Violation
from agents.validate.schema_errors import schema_violations


def check(given: RuleInput) -> Iterator[Violation]:
    for obj in given.objects:
        if not obj.kind or not obj.api_version:
            yield Violation(f"a document in {obj.template} has no apiVersion or kind", obj, ("kind",))
            continue
        if not is_builtin_group(obj.api_version):
            continue
        for version in given.chart.kube_versions:
            problems = kube_schema_problems(version, obj.doc)
            if problems is not None:
                yield from schema_violations(obj, problems, version)
                continue
            entry = lifecycle(obj.api_version, obj.kind)
            if entry is not None and is_removed(entry, version):
                continue  # api/removed says it better, with the replacement
            yield Violation(
                f"Kubernetes {version} has no {obj.api_version} {obj.kind} ({obj.ref})",
                obj,
                ("apiVersion",),
                kube_version=version,
                hint="check the apiVersion/kind spelling against `kubectl api-resources`",
            )


RULE = Rule(
    "schema/kubernetes",
    Severity.ERROR,
    "built-in objects must validate against the Kubernetes OpenAPI schema (strict: no unknown fields)",
    "fix the field named in the message: unknown fields are typos or wrong indentation",
    check,
)
