"""A quick "certainly valid" test for Kubernetes objects, compiled from the same strict schemas.

jsonschema spends most of its time on bookkeeping (a validator per keyword, reference lookups),
and nearly every object we validate is valid. This compiles the schema vocabulary Kubernetes
uses (type, properties, additionalProperties, items, required, enum, $ref) into plain Python
checks that answer only True ("no schema error, jsonschema would agree") or False ("maybe not").
False sends the object to jsonschema for the exact errors, so it never changes a finding:
anything unusual (a float where an integer goes, a YAML date, oneOf, an unknown keyword) is
False on purpose.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

# keywords that annotate a schema without constraining it (format is not asserted: the
# jsonschema validators in kube_schema are built without a format checker)
_ANNOTATIONS = {"description", "format", "$schema", "$id", "default", "title", "example", "examples"}
_DEFS_PREFIX = "#/$defs/"


class UnsupportedSchemaError(ValueError):
    """The schema uses a keyword this compiler does not implement: use jsonschema for it."""


def _is_integer(value: Any) -> bool:
    return type(value) is int  # bool is an int subclass and not a JSON integer


def _is_number(value: Any) -> bool:
    return type(value) is int or type(value) is float


_TYPE_TESTS: dict[str, Check] = {
    "string": lambda v: type(v) is str,
    "integer": _is_integer,
    "number": _is_number,
    "boolean": lambda v: type(v) is bool,
    "null": lambda v: v is None,
    "object": lambda v: type(v) is dict,
    "array": lambda v: type(v) is list,
}


def _never(_: Any) -> bool:
    return False


def _any_type(tests: list[Check]) -> Check:
    return lambda v: any(test(v) for test in tests)


def _one_of_types(branches: Any) -> Check:
    """oneOf needs to know the other branches certainly fail, which only type-only branches tell
    exactly (IntOrString is `oneOf: [{type: string}, {type: integer}]`); any other oneOf: ask jsonschema."""
    tests: list[Check] = []
    for branch in branches if isinstance(branches, list) else []:
        if not isinstance(branch, dict) or set(branch) - _ANNOTATIONS != {"type"}:
            return _never
        names = branch["type"] if isinstance(branch["type"], list) else [branch["type"]]
        if any(n not in _TYPE_TESTS for n in names):
            return _never
        tests.append(_any_type([_TYPE_TESTS[n] for n in names]))
    if not tests:
        return _never
    # a float may pass "number" and "integer" for jsonschema (1.0) but one of them here: ask jsonschema
    return lambda v: type(v) is not float and sum(1 for test in tests if test(v)) == 1


class _Compiler:
    """Compiles schema nodes of one schema version; `$defs` entries are compiled once and shared."""

    def __init__(self, definitions: dict[str, Any]) -> None:
        self._definitions = definitions
        self._compiled: dict[str, Check] = {}

    def definition(self, name: str) -> Check:
        if name not in self._compiled:
            if name not in self._definitions:
                raise UnsupportedSchemaError(f"$ref to unknown definition {name!r}")
            slot: list[Check] = []
            self._compiled[name] = lambda v: slot[0](v)  # recursive definitions see themselves
            try:
                slot.append(self.compile(self._definitions[name]))
            except UnsupportedSchemaError:
                slot.append(_never)  # objects that use this definition go to jsonschema
            self._compiled[name] = slot[0]
        return self._compiled[name]

    def compile(self, node: Any) -> Check:  # noqa: C901 - one branch per keyword reads best here
        if node is True or node == {}:
            return lambda _: True
        if not isinstance(node, dict):
            raise UnsupportedSchemaError(f"schema node {node!r} is not an object")
        checks: list[Check] = []
        for keyword in node:
            if keyword in _ANNOTATIONS or keyword.startswith("x-"):
                continue
            if keyword not in _KEYWORDS:
                raise UnsupportedSchemaError(f"keyword {keyword!r}")
        if "$ref" in node:
            ref = node["$ref"]
            if not isinstance(ref, str) or _DEFS_PREFIX not in ref:
                raise UnsupportedSchemaError(f"$ref {ref!r}")
            name = ref.split(_DEFS_PREFIX, 1)[1]
            checks.append(self._deferred(name))
        if "type" in node:
            names = node["type"] if isinstance(node["type"], list) else [node["type"]]
            if any(n not in _TYPE_TESTS for n in names):
                raise UnsupportedSchemaError(f"type {node['type']!r}")
            checks.append(_any_type([_TYPE_TESTS[n] for n in names]))
        if "enum" in node:
            allowed = node["enum"]
            if not all(type(a) is str for a in allowed):
                raise UnsupportedSchemaError(f"enum {allowed!r}")
            strings = frozenset(allowed)
            checks.append(lambda v: type(v) is str and v in strings)  # anything else: ask jsonschema
        if "required" in node:
            required = tuple(node["required"])
            checks.append(lambda v: type(v) is not dict or all(k in v for k in required))
        if "properties" in node or "additionalProperties" in node:
            checks.append(self._object(node.get("properties", {}), node.get("additionalProperties", True)))
        if "items" in node:
            if not isinstance(node["items"], dict | bool):
                raise UnsupportedSchemaError("items as a list")
            item = self.compile(node["items"]) if node["items"] is not False else _never
            checks.append(lambda v: type(v) is not list or all(item(x) for x in v))
        if "oneOf" in node:
            checks.append(_one_of_types(node["oneOf"]))
        if "anyOf" in node or "allOf" in node:
            checks.append(_never)  # not in Kubernetes schemas: jsonschema decides
        if len(checks) == 1:
            return checks[0]
        return lambda v: all(c(v) for c in checks)

    def _deferred(self, name: str) -> Check:
        """A check of definition `name`, compiled on first use (definitions refer to each other)."""
        if name not in self._definitions:
            raise UnsupportedSchemaError(f"$ref to unknown definition {name!r}")
        compiled = self._compiled

        def check(value: Any) -> bool:
            found = compiled.get(name)
            if found is None:
                found = self.definition(name)
            return found(value)

        return check

    def _object(self, properties: dict[str, Any], additional: Any) -> Check:
        known = {key: self.compile(sub) for key, sub in properties.items()}
        extra: Check | None
        if additional is True or additional == {}:
            extra = None
        elif additional is False:
            extra = _never
        else:
            extra = self.compile(additional)

        def check(value: Any) -> bool:
            if type(value) is not dict:
                return True  # properties constrain objects only; `type` decides the rest
            for key, item in value.items():
                sub = known.get(key) if type(key) is str else None
                if sub is not None:
                    if not sub(item):
                        return False
                elif extra is not None and not extra(item):
                    return False
            return True

        return check


_KEYWORDS = {
    "$ref",
    "type",
    "enum",
    "required",
    "properties",
    "additionalProperties",
    "items",
    "oneOf",
    "anyOf",
    "allOf",
}


def compile_kind_check(schema: dict[str, Any], definitions: dict[str, Any]) -> Check | None:
    """A certainly-valid test for objects of one kind, or None when the schema is beyond this
    compiler (then every object of the kind goes to jsonschema)."""
    try:
        return _compiler_for(definitions).compile(schema)
    except UnsupportedSchemaError:
        return None


_compilers: dict[int, tuple[dict[str, Any], _Compiler]] = {}


def _compiler_for(definitions: dict[str, Any]) -> _Compiler:
    """One compiler per definitions document (one per schema version), so kinds share compiled $defs."""
    entry = _compilers.get(id(definitions))
    if entry is None or entry[0] is not definitions:
        entry = _compilers[id(definitions)] = (definitions, _Compiler(definitions))
    return entry[1]
