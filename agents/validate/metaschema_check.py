"""Is a values.schema.json a valid JSON Schema? Checked one schema node at a time, remembered.

`check_schema` validates the whole schema against its draft's metaschema every time (≈25 ms
for a chart's schema); charts share most of their subschemas (`{"type": "string"}`, the image
and resources blocks…). The draft 7 and 2020-12 metaschemas validate every subschema with the
whole metaschema again, so a schema is valid exactly when each node is valid
with its subschemas replaced by `true` and each subschema is valid. Those shallow nodes are
checked once per process. Only a certainly-valid answer is taken from this path; anything else
is checked whole by jsonschema, so the error message is the one `check_schema` gives.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import jsonschema


@dataclass(frozen=True)
class _Draft:
    """Where one draft's keywords hold subschemas: a schema, a map of schemas, a list of schemas."""

    valued: frozenset[str]
    maps: frozenset[str]
    lists: frozenset[str]


# only drafts whose metaschema checks every subschema with the whole metaschema again
# (draft 7: `$ref: "#"`; 2020-12: `$dynamicRef: "#meta"`)
_DRAFTS: dict[type[Any], _Draft] = {
    jsonschema.Draft7Validator: _Draft(
        valued=frozenset(
            {
                "additionalItems",
                "items",
                "contains",
                "additionalProperties",
                "propertyNames",
                "if",
                "then",
                "else",
                "not",
            }
        ),
        maps=frozenset({"definitions", "properties", "patternProperties"}),
        lists=frozenset({"allOf", "anyOf", "oneOf", "items"}),
    ),
    jsonschema.Draft202012Validator: _Draft(
        valued=frozenset(
            {
                "additionalProperties",
                "items",
                "contains",
                "not",
                "if",
                "then",
                "else",
                "propertyNames",
                "unevaluatedItems",
                "unevaluatedProperties",
                "contentSchema",
            }
        ),
        maps=frozenset({"properties", "patternProperties", "$defs", "dependentSchemas"}),
        lists=frozenset({"allOf", "anyOf", "oneOf", "prefixItems"}),
    ),
}
_CACHE_LIMIT = 20_000

_valid_shallow: set[tuple[str, str]] = set()
_meta_validators: dict[type[Any], jsonschema.protocols.Validator] = {}


def _metaschema_validator(cls: type[Any]) -> jsonschema.protocols.Validator:
    """The validator `cls.check_schema` builds on every call, built once."""
    if cls not in _meta_validators:
        meta_cls = jsonschema.validators.validator_for(cls.META_SCHEMA, default=cls)
        _meta_validators[cls] = meta_cls(cls.META_SCHEMA, format_checker=meta_cls.FORMAT_CHECKER)
    return _meta_validators[cls]


def _is_schema(value: Any) -> bool:
    return isinstance(value, dict | bool)


def _split(node: dict[str, Any], draft: _Draft) -> tuple[dict[str, Any], list[Any]]:
    """(the node with its subschemas replaced by `true`, those subschemas). A keyword whose value
    does not have the expected shape is kept whole, so the metaschema still sees it."""
    shallow: dict[str, Any] = {}
    children: list[Any] = []
    for key, value in node.items():
        if key in draft.valued and _is_schema(value):
            shallow[key] = True
            children.append(value)
        elif key in draft.maps and isinstance(value, dict) and all(map(_is_schema, value.values())):
            shallow[key] = dict.fromkeys(value, True)
            children += value.values()
        elif key in draft.lists and isinstance(value, list) and value and all(map(_is_schema, value)):
            shallow[key] = [True] * len(value)
            children += value
        else:
            shallow[key] = value
    return shallow, children


def certainly_valid_schema(schema: Any) -> bool:
    """True when `schema` is valid for the draft it names (what `check_schema` of
    `validator_for(schema)` accepts); False when it is not, or for drafts not handled here
    (then ask `check_schema`)."""
    cls = jsonschema.validators.validator_for(schema)
    draft = _DRAFTS.get(cls)
    if draft is None:
        return False
    validator = _metaschema_validator(cls)
    stack: list[Any] = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, bool):
            continue
        if not isinstance(node, dict):
            return False
        shallow, children = _split(node, draft)
        try:
            key = (cls.__name__, json.dumps(shallow, sort_keys=True))
        except (TypeError, ValueError):
            return False
        if key not in _valid_shallow:
            if not validator.is_valid(shallow):
                return False
            if len(_valid_shallow) >= _CACHE_LIMIT:
                _valid_shallow.clear()
            _valid_shallow.add(key)
        stack += children
    return True
