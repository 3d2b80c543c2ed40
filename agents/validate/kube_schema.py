"""Kubernetes JSON schemas (shipped by kubernetes_validate) as cached validators.

`kubernetes_validate.validate` rebuilds its validator on every call (≈10–20 ms); we build one
per (schema version, apiVersion, kind) once and reuse it (≈0.5 ms per document), and we get
every error rather than the first.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

import jsonschema
from referencing import Registry, Resource

from agents.validate.api_lifecycle import minor

PACKAGE = "kubernetes_validate"
SCHEMA_ROOT = "kubernetes-json-schema"


@cache
def shipped_versions() -> list[str]:
    """Kubernetes versions kubernetes_validate has schemas for, oldest first (e.g. 1.35.0)."""
    root = resources.files(PACKAGE).joinpath(SCHEMA_ROOT)
    found = {
        m.group(1) for p in root.iterdir() if (m := re.match(r"^v(\d+\.\d+\.\d+)-local-strict$", p.name))
    }
    return sorted(found, key=minor)


def default_kube_versions() -> list[str]:
    """The three newest Kubernetes minors the installed kubernetes_validate knows, newest first."""
    return list(reversed(shipped_versions()[-3:]))


def schema_version_for(kube_version: str) -> str:
    """The newest shipped schema version not newer than `kube_version`."""
    wanted = minor(kube_version)
    candidates = [v for v in shipped_versions() if minor(v) <= wanted]
    if not candidates:
        raise ValueError(
            f"Kubernetes {kube_version} is older than every schema kubernetes_validate ships "
            f"({shipped_versions()[0]}…{shipped_versions()[-1]}): pick a newer --kube-version"
        )
    if wanted > minor(shipped_versions()[-1]):
        raise ValueError(
            f"Kubernetes {kube_version} is newer than the schemas kubernetes_validate ships "
            f"(newest {shipped_versions()[-1]}): upgrade kubernetes-validate or pick an older version"
        )
    return candidates[-1]


def _load(schema_version: str, name: str) -> Any:
    path = resources.files(PACKAGE).joinpath(SCHEMA_ROOT, f"v{schema_version}-local-strict", name)
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None


@cache
def _definitions(schema_version: str) -> Registry:
    return Resource.from_contents(_load(schema_version, "_definitions.json")) @ Registry()


def schema_file_name(api_version: str, kind: str) -> str:
    """`rbac.authorization.k8s.io/v1` + Role -> `role-rbac-v1.json` (kubernetes_validate's naming)."""
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    return f"{kind.lower()}-{group_version}.json"


@cache
def kube_validator(kube_version: str, api_version: str, kind: str) -> jsonschema.protocols.Validator | None:
    """A strict validator for a built-in kind, or None when this version has no such API."""
    schema_version = schema_version_for(kube_version)
    schema = _load(schema_version, schema_file_name(api_version, kind))
    if schema is None:
        return None
    registry = Resource.from_contents(schema) @ _definitions(schema_version)
    return jsonschema.validators.Draft202012Validator(schema, registry=registry)
