"""The deprecated/removed API table (data in api_lifecycle.yaml) and version comparisons."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml
from pydantic import BaseModel


class ApiLifecycle(BaseModel):
    apiVersion: str  # noqa: N815 - spelled as in the manifests
    kinds: list[str]
    deprecated: str
    removed: str | None = None
    replacement: str


def minor(version: str) -> tuple[int, int]:
    """`v1.33.2` / `1.33` -> (1, 33)."""
    parts = version.lstrip("v").split(".")
    try:
        return int(parts[0]), int(parts[1]) if len(parts) > 1 else 0
    except ValueError as exc:
        raise ValueError(f"{version!r} is not a Kubernetes version: use e.g. 1.33.0") from exc


@cache
def api_table() -> dict[tuple[str, str], ApiLifecycle]:
    text = resources.files("agents.validate").joinpath("api_lifecycle.yaml").read_text()
    raw = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - libyaml, safe
    table: dict[tuple[str, str], ApiLifecycle] = {}
    for item in raw:
        entry = ApiLifecycle.model_validate(item)
        for kind in entry.kinds:
            table[(entry.apiVersion, kind)] = entry
    return table


def lifecycle(api_version: str, kind: str) -> ApiLifecycle | None:
    return api_table().get((api_version, kind))


def is_removed(entry: ApiLifecycle, kube_version: str) -> bool:
    return entry.removed is not None and minor(kube_version) >= minor(entry.removed)


def is_deprecated(entry: ApiLifecycle, kube_version: str) -> bool:
    return minor(kube_version) >= minor(entry.deprecated) and not is_removed(entry, kube_version)
