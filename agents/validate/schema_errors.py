"""Schema problems turned into located, readable violations."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from agents.validate.kube_schema import SchemaProblem
from agents.validate.manifests import PathPart, RenderedObject
from agents.validate.rules.contract import Violation

MAX_ERRORS_PER_OBJECT = 5
UNEXPECTED = re.compile(r"\('([^']+)' was unexpected\)|'([^']+)' was unexpected")


def schema_violations(
    obj: RenderedObject, problems: Iterable[SchemaProblem], kube_version: str | None = None
) -> Iterator[Violation]:
    for problem in list(problems)[:MAX_ERRORS_PER_OBJECT]:
        path: tuple[PathPart, ...] = problem.path
        unexpected = UNEXPECTED.search(problem.message)
        if unexpected:
            path = (*path, unexpected.group(1) or unexpected.group(2))  # point at the unknown key itself
        where = ".".join(str(p) for p in problem.path) or "(top level)"
        message = problem.message if len(problem.message) < 300 else problem.message[:297] + "..."
        yield Violation(f"{obj.ref}: {where}: {message}", obj, path, kube_version=kube_version)
