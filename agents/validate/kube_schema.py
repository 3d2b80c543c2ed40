"""Kubernetes JSON schemas (shipped by kubernetes_validate) as cached validators.

`kubernetes_validate.validate` rebuilds its validator on every call (≈10–20 ms); we build one
per (schema version, apiVersion, kind) once and reuse it (≈0.5 ms per document), and we get
every error rather than the first.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import jsonschema
import orjson
from referencing import Registry, Resource

from agents.validate.api_lifecycle import minor
from agents.validate.schema_fast import Check, local_registry, quick_check

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
        return orjson.loads(path.read_bytes())  # json.loads's values, in a fifth less time on 1.5 MB
    except FileNotFoundError:
        return None


@cache
def _definitions_doc(schema_version: str) -> dict[str, Any]:
    loaded: dict[str, Any] = _load(schema_version, "_definitions.json")
    return loaded


@cache
def _definitions(schema_version: str) -> Registry:
    return Resource.from_contents(_definitions_doc(schema_version)) @ Registry()


def schema_file_name(api_version: str, kind: str) -> str:
    """`rbac.authorization.k8s.io/v1` + Role -> `role-rbac-v1.json` (kubernetes_validate's naming)."""
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    return f"{kind.lower()}-{group_version}.json"


def _kind_schema(kube_version: str, api_version: str, kind: str) -> tuple[str, Any] | None:
    """(schema version, the kind's schema) for a Kubernetes version, or None when it has no such API."""
    schema_version = schema_version_for(kube_version)
    schema = _load(schema_version, schema_file_name(api_version, kind))
    return None if schema is None else (schema_version, schema)


@cache
def kube_validator(kube_version: str, api_version: str, kind: str) -> jsonschema.protocols.Validator | None:
    """A strict validator for a built-in kind, or None when this version has no such API."""
    found = _kind_schema(kube_version, api_version, kind)
    if found is None:
        return None
    schema_version, schema = found
    registry = Resource.from_contents(schema) @ _definitions(schema_version)
    return jsonschema.validators.Draft202012Validator(schema, registry=registry)


@cache
def _rs_definitions(schema_version: str) -> Any:
    return local_registry(_definitions_doc(schema_version))


@cache
def kube_quick_check(kube_version: str, api_version: str, kind: str) -> Check | None:
    """The jsonschema-rs certainly-valid test for a built-in kind (see schema_fast), or None."""
    found = _kind_schema(kube_version, api_version, kind)
    if found is None:
        return None
    schema_version, schema = found
    return quick_check(schema, _rs_definitions(schema_version))


# keys that document a schema without changing what it accepts
_DOC_ONLY_KEYS = {
    "description",
    "x-kubernetes-group-version-kind",
    "x-kubernetes-patch-merge-key",
    "x-kubernetes-patch-strategy",
}
_RESULT_CACHE_LIMIT = 20_000


@dataclass(frozen=True)
class SchemaProblem:
    path: tuple[str | int, ...]
    message: str


def _without_docs(node: Any) -> Any:
    """The schema node without its documenting members; a property that happens to be called
    `description` (its value is a schema, a dict) is a rule and stays."""
    if isinstance(node, dict):
        return {
            k: _without_docs(v)
            for k, v in node.items()
            if not (k in _DOC_ONLY_KEYS and not isinstance(v, dict))
        }
    if isinstance(node, list):
        return [_without_docs(v) for v in node]
    return node


def _refs(node: Any) -> set[str]:
    """The `$defs` names a schema node refers to directly (not through those definitions)."""
    names: set[str] = set()
    stack: list[Any] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str) and "#/$defs/" in ref:
                names.add(ref.split("#/$defs/", 1)[1])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return names


@cache
def _definition_facts(schema_version: str, name: str) -> tuple[frozenset[str], str]:
    """(the names one definition refers to, a hash of what it accepts), once per process: most
    kinds share ObjectMeta, PodSpec, Container… and walking those again for each kind was most of
    a cold run's fingerprint time."""
    definition = _definitions_doc(schema_version)["$defs"][name]
    text = json.dumps(_without_docs(definition), sort_keys=True)
    return frozenset(_refs(definition)), hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


@cache
def schema_fingerprint(kube_version: str, api_version: str, kind: str) -> str | None:
    """A hash of everything the kind's schema accepts: equal across versions when the API did not change.

    It hashes the kind's own schema and, for every definition reachable from it, its name and the
    hash of what that definition accepts (descriptions and other documentation left out)."""
    found = _kind_schema(kube_version, api_version, kind)
    if found is None:
        return None
    schema_version, schema = found
    reachable: set[str] = set()
    stack = list(_refs(schema))
    while stack:
        name = stack.pop()
        if name not in reachable:
            reachable.add(name)
            stack.extend(_definition_facts(schema_version, name)[0] - reachable)
    closure = [
        _without_docs(schema),
        sorted((name, _definition_facts(schema_version, name)[1]) for name in reachable),
    ]
    text = json.dumps(closure, sort_keys=True)
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


_results: dict[tuple[str, str], tuple[SchemaProblem, ...]] = {}
# parsed documents are shared by every render whose template text is the same (manifests.py):
# a document that passed the quick check passes it again under a schema with the same fingerprint
_quick_passed: dict[tuple[str, int], dict[str, Any]] = {}


def collect_problems(
    validator: jsonschema.protocols.Validator, doc: dict[str, Any]
) -> tuple[SchemaProblem, ...]:
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    return tuple(SchemaProblem(tuple(e.absolute_path), e.message) for e in errors)


def kube_schema_problems(kube_version: str, doc: dict[str, Any]) -> tuple[SchemaProblem, ...] | None:
    """Strict-schema problems of a built-in object, or None when the version has no such API.

    Results are cached by (document, schema fingerprint): the same object in several renders,
    or against versions whose schema for it is unchanged, is validated once.
    """
    api_version, kind = str(doc.get("apiVersion", "")), str(doc.get("kind", ""))
    fingerprint = schema_fingerprint(kube_version, api_version, kind)
    if fingerprint is None:
        return None
    passed = _quick_passed.get((fingerprint, id(doc)))
    if passed is not None and passed is doc:
        return ()  # this very object passed this schema already (another render or version)
    quick = kube_quick_check(kube_version, api_version, kind)
    if quick is not None and quick(doc):
        if len(_quick_passed) > _RESULT_CACHE_LIMIT:
            _quick_passed.clear()
        _quick_passed[(fingerprint, id(doc))] = doc  # holding the object keeps its id unique
        return ()  # certainly valid: jsonschema would find nothing either
    key = (fingerprint, json.dumps(doc, sort_keys=True, default=str))
    if key not in _results:
        validator = kube_validator(kube_version, api_version, kind)
        assert validator is not None  # a fingerprint exists only for a shipped schema
        if len(_results) > _RESULT_CACHE_LIMIT:
            _results.clear()
        _results[key] = collect_problems(validator, doc)
    return _results[key]
