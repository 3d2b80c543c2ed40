"""apiserver/env-unique: a repeated env name hides the first one (an API warning; apply may drop it)."""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.apiserver_wording import field_path, quoted, warned
from agents.validate.finding import Severity
from agents.validate.pod_templates import pod_templates
from agents.validate.rules.contract import Rule, RuleInput, Violation
from agents.validate.shapes import mappings


def check(given: RuleInput) -> Iterator[Violation]:
    for pod in pod_templates(given.objects):
        for path, container in pod.containers():
            seen: set[str] = set()
            for i, item in mappings(container.get("env")):
                name = item.get("name")
                if not isinstance(name, str):
                    continue
                if name not in seen:
                    seen.add(name)
                    continue
                # as the API server: X="$(X):more" extends the first definition, anything else hides it
                value = item.get("value")
                reference = f"$({name})"
                extends = (
                    "valueFrom" not in item
                    and isinstance(value, str)
                    and reference in value
                    and value != reference
                )
                if not extends:
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


RULE = Rule(
    "apiserver/env-unique",
    Severity.WARNING,
    "an env name should be defined once per container",
    "keep one definition: merge user-supplied env (extraEnv) with the chart's own names, not after them",
    check,
)
