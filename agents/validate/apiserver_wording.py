"""The API server's way of saying what it refuses, so findings read like `kubectl apply` output.

`spec.template.spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/data": must be unique`
is what a user would see at install time; quoting it makes the finding searchable and familiar.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from agents.validate.manifests import PathPart, RenderedObject


def field_path(path: Sequence[PathPart]) -> str:
    """`("spec", "containers", 0, "name")` -> `spec.containers[0].name` (the API server's field path)."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def quoted(value: Any) -> str:
    """A value as the API server prints it: strings double-quoted (Go's %q), numbers bare."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value) if isinstance(value, int | float | bool) or value is None else repr(value)


def invalid(path: Sequence[PathPart], value: Any, detail: str) -> str:
    return f"{field_path(path)}: Invalid value: {quoted(value)}: {detail}"


def duplicate(path: Sequence[PathPart], value: Any) -> str:
    return f"{field_path(path)}: Duplicate value: {quoted(value)}"


def not_found(path: Sequence[PathPart], value: Any) -> str:
    return f"{field_path(path)}: Not found: {quoted(value)}"


def required(path: Sequence[PathPart], detail: str = "") -> str:
    return f"{field_path(path)}: Required value" + (f": {detail}" if detail else "")


def forbidden(path: Sequence[PathPart], detail: str) -> str:
    return f"{field_path(path)}: Forbidden: {detail}"


def rejected(obj: RenderedObject, cause: str) -> str:
    """The whole refusal, as `kubectl apply` prints it: `Deployment "web" is invalid: <cause>`."""
    return f'{obj.kind} "{obj.name}" is invalid: {cause}'


def warned(obj: RenderedObject, cause: str) -> str:
    """An API server warning (the object is stored, the warning printed): `Warning: <cause>`."""
    return f'{obj.kind} "{obj.name}": Warning: {cause}'
