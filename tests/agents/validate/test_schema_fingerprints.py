"""Schema fingerprints say "same schema" exactly when the schemas accept the same objects.

A fingerprint lets an object validated against one Kubernetes version's schema skip the same
check on another version whose schema for its kind did not change. It is computed from canonical
JSON text with the documenting members cut out by pattern; this holds it to the plain definition
of "the same schema": equal once every description and patch hint is removed from the parsed
schema and from every definition it reaches.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from functools import cache
from importlib import resources
from typing import Any

import pytest

from agents.validate.kube_schema import (
    PACKAGE,
    SCHEMA_ROOT,
    _definitions_doc,
    default_kube_versions,
    schema_file_name,
    schema_fingerprint,
    schema_version_for,
)

DOC_ONLY = {
    "description",
    "x-kubernetes-group-version-kind",
    "x-kubernetes-patch-merge-key",
    "x-kubernetes-patch-strategy",
}


def _without_docs(node: Any) -> Any:
    """The schema node with every documenting member removed (a property named so is kept)."""
    if isinstance(node, dict):
        return {
            key: _without_docs(value)
            for key, value in node.items()
            if not (key in DOC_ONLY and not isinstance(value, dict))
        }
    if isinstance(node, list):
        return [_without_docs(value) for value in node]
    return node


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        own = {node["$ref"].split("#/$defs/", 1)[1]} if "#/$defs/" in str(node.get("$ref", "")) else set()
        return own.union(*(_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(value) for value in node))
    return set()


@cache
def _plain_definition(schema_version: str, name: str) -> tuple[str, frozenset[str]]:
    """(a digest of the definition without documentation, the names it refers to)"""
    definition = _definitions_doc(schema_version)["$defs"][name]
    text = json.dumps(_without_docs(definition), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest(), frozenset(_refs(definition))


def _plain_schema(kube_version: str, file_name: str) -> str:
    """The kind's schema and every definition it reaches, documentation removed, as one text."""
    schema_version = schema_version_for(kube_version)
    path = resources.files(PACKAGE).joinpath(SCHEMA_ROOT, f"v{schema_version}-local-strict", file_name)
    schema = json.loads(path.read_text())
    reachable: set[str] = set()
    pending = list(_refs(schema))
    while pending:
        name = pending.pop()
        if name not in reachable:
            reachable.add(name)
            pending.extend(_plain_definition(schema_version, name)[1] - reachable)
    closure = [_without_docs(schema), sorted((n, _plain_definition(schema_version, n)[0]) for n in reachable)]
    return json.dumps(closure, sort_keys=True)


def _kinds(kube_version: str) -> dict[str, tuple[str, str]]:
    """Schema file name -> (apiVersion, kind) of every built-in kind the version ships."""
    schema_version = schema_version_for(kube_version)
    folder = resources.files(PACKAGE).joinpath(SCHEMA_ROOT, f"v{schema_version}-local-strict")
    kinds: dict[str, tuple[str, str]] = {}
    for path in folder.iterdir():
        if path.name.startswith("_") or not path.name.endswith(".json"):
            continue
        schema = json.loads(path.read_text())
        for gvk in schema.get("x-kubernetes-group-version-kind", []):
            api_version = f"{gvk['group']}/{gvk['version']}" if gvk["group"] else gvk["version"]
            if schema_file_name(api_version, gvk["kind"]) == path.name:  # the file validation reads
                kinds[path.name] = (api_version, gvk["kind"])
    return kinds


def _groups(key: dict[tuple[str, str], str]) -> dict[str, list[frozenset[str]]]:
    """Per schema file, the versions that share a key, as a sorted list of sets."""
    by_file: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for (version, file_name), value in key.items():
        by_file[file_name][value].add(version)
    return {
        file_name: sorted((frozenset(v) for v in values.values()), key=sorted)
        for file_name, values in by_file.items()
    }


@pytest.fixture(scope="module")
def versions() -> list[str]:
    return default_kube_versions()


def test_versions_share_a_fingerprint_exactly_when_their_schemas_accept_the_same(versions: list[str]) -> None:
    fingerprints: dict[tuple[str, str], str] = {}
    plain: dict[tuple[str, str], str] = {}
    for version in versions:
        for file_name, (api_version, kind) in _kinds(version).items():
            found = schema_fingerprint(version, api_version, kind)
            assert found is not None, f"{api_version} {kind} on {version}"
            fingerprints[(version, file_name)] = found
            plain[(version, file_name)] = _plain_schema(version, file_name)

    assert _groups(fingerprints) == _groups(plain)
    # both outcomes occur, so the comparison above decides something in each direction
    groups = _groups(plain)
    assert any(len(g) == 1 and len(g[0]) == len(versions) for g in groups.values())
    assert any(len(g) > 1 for g in groups.values())


def test_a_changed_description_keeps_the_fingerprint_and_a_changed_rule_does_not(
    monkeypatch: pytest.MonkeyPatch, versions: list[str]
) -> None:
    from agents.validate import kube_schema

    version = versions[0]
    original = kube_schema._kind_schema(version, "v1", "ConfigMap")
    assert original is not None
    schema_version, schema = original

    def fingerprint_of(changed: dict[str, Any]) -> str | None:
        monkeypatch.setattr(kube_schema, "_kind_schema", lambda *_: (schema_version, changed))
        kube_schema.schema_fingerprint.cache_clear()
        try:
            return kube_schema.schema_fingerprint(version, "v1", "ConfigMap")
        finally:
            kube_schema.schema_fingerprint.cache_clear()

    base = fingerprint_of(schema)
    reworded = json.loads(json.dumps(schema))
    reworded["properties"]["data"]["description"] = 'Data holds "quoted" \\ text, reworded.'
    stricter = json.loads(json.dumps(schema))
    stricter["properties"]["data"]["maxProperties"] = 3
    named_description = json.loads(json.dumps(schema))
    named_description["properties"]["description"] = {"type": "string"}

    assert fingerprint_of(reworded) == base
    assert fingerprint_of(stricter) != base
    assert fingerprint_of(named_description) != base  # a property called "description" is a rule
    assert re.fullmatch(r"[0-9a-f]{40}", str(base))
