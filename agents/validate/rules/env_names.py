"""apiserver/env-unique: a repeated env name hides the first one (an API warning; apply may drop it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from agents.validate.apiserver_wording import field_path, quoted, warned
from agents.validate.finding import Severity
from agents.validate.pod_templates import pod_templates
from agents.validate.rules.contract import Rule, RuleInput, Violation
from agents.validate.shapes import mappings, repeated_names


def check(given: RuleInput) -> Iterator[Violation]:
    for pod in pod_templates(given.objects):
        for path, container in pod.containers():
            for i, name, item in repeated_names(mappings(container.get("env"))):
                if _extends_previous(name, item):
                    continue
                where = (*path, "env", i)
                yield Violation(
                    warned(
                        pod.obj,
                        f"{field_path(where)}: hides previous definition of {quoted(name)}, "
                        "which may be dropped when using apply",
                    ),
                    pod.obj,
                    where,
                )


def _extends_previous(name: str, item: dict[str, Any]) -> bool:
    """As the API server: X="$(X):more" extends the first definition, anything else hides it."""
    value = item.get("value")
    reference = f"$({name})"
    return "valueFrom" not in item and isinstance(value, str) and reference in value and value != reference


RULE = Rule(
    "apiserver/env-unique",
    Severity.WARNING,
    "an env name should be defined once per container",
    "keep one definition: merge user-supplied env (extraEnv) with the chart's own names, not after them",
    check,
)
