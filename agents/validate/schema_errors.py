"""jsonschema errors turned into located, readable violations."""

from __future__ import annotations

import re
from collections.abc import Iterator

import jsonschema

from agents.validate.manifests import PathPart, RenderedObject
from agents.validate.rules.contract import Violation

MAX_ERRORS_PER_OBJECT = 5
UNEXPECTED = re.compile(r"\('([^']+)' was unexpected\)|'([^']+)' was unexpected")


def schema_violations(
    obj: RenderedObject, validator: jsonschema.protocols.Validator, kube_version: str | None = None
) -> Iterator[Violation]:
    errors = sorted(validator.iter_errors(obj.doc), key=lambda e: list(map(str, e.absolute_path)))
    for error in errors[:MAX_ERRORS_PER_OBJECT]:
        path: tuple[PathPart, ...] = tuple(error.absolute_path)
        unexpected = UNEXPECTED.search(error.message)
        if unexpected:
            path = (*path, unexpected.group(1) or unexpected.group(2))
        where = ".".join(str(p) for p in error.absolute_path) or "(top level)"
        message = error.message if len(error.message) < 300 else error.message[:297] + "..."
        yield Violation(f"{obj.ref}: {where}: {message}", obj, path, kube_version=kube_version)
