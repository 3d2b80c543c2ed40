"""A quick "certainly valid" answer from jsonschema-rs; jsonschema still gives every error message.

Nearly every object we validate is valid, and jsonschema spends most of its time on
bookkeeping. jsonschema-rs answers "valid?" in microseconds, so it goes first and only its
"valid" is taken; "invalid" (or anything it cannot take) sends the value to jsonschema, which
writes the findings. So this path never changes a finding, provided both libraries agree on
what is valid. They do for plain JSON validated with the same draft, the same local
schemas and the same format semantics, which is what this module builds:

- values other than plain JSON (YAML dates, tuples, sets, bytes, subclasses, keys that are
  not strings, NaN, integers past 64 bits) are never answered here;
- validators use the draft jsonschema would use, resolve `$ref` only within the schemas handed
  to them (no network), and assert `format` exactly where jsonschema does: not at all for the
  Kubernetes schemas (built without a format checker), with jsonschema's own format checks for
  the metaschema (`check_schema` uses the draft's FORMAT_CHECKER).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import jsonschema
import jsonschema_rs

Check = Callable[[Any], bool]

# ints jsonschema-rs holds exactly (i64/u64); anything larger is left to jsonschema
_INT_LIMIT = 2**63


def plain_json(value: Any) -> bool:
    """True when `value` is made only of what json.loads builds (exact types, finite numbers)."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is dict:
            if not all(type(key) is str for key in item):
                return False
            stack.extend(item.values())
        elif kind is list:
            stack.extend(item)
        elif kind is int:
            if not -_INT_LIMIT < item < _INT_LIMIT:
                return False
        elif kind is float:
            if not math.isfinite(item):
                return False
        elif not (kind is str or kind is bool or item is None):
            return False
    return True


def _no_retrieval(uri: str) -> Any:
    raise ValueError(f"{uri} is not among the local schemas: not fetched")


def certainly_valid(validator: Any, value: Any) -> bool:
    """True only when jsonschema-rs finds `value` valid and `value` is plain JSON."""
    try:
        valid = bool(validator.is_valid(value))
    except (ValueError, TypeError, OverflowError):
        return False  # a value jsonschema-rs cannot take: jsonschema decides
    return valid and plain_json(value)


def quick_check(schema: dict[str, Any], registry: jsonschema_rs.Registry | None = None) -> Check | None:
    """A certainly-valid test for a draft 2020-12 schema validated without format assertion
    (as `jsonschema.Draft202012Validator(schema, registry=...)` does), or None when jsonschema-rs
    cannot build it (then every value goes to jsonschema)."""
    try:
        validator = jsonschema_rs.Draft202012Validator(
            schema, registry=registry, validate_formats=False, retriever=_no_retrieval
        )
    except (jsonschema_rs.ValidationError, jsonschema_rs.ReferencingError, ValueError, TypeError):
        return None
    return lambda value: certainly_valid(validator, value)


def local_registry(*documents: dict[str, Any]) -> jsonschema_rs.Registry:
    """A registry of schema documents under their `$id`, fetching nothing else."""
    return jsonschema_rs.Registry([(doc["$id"], doc) for doc in documents], retriever=_no_retrieval)


# values.schema.json against its draft's metaschema

# drafts checked here; others go straight to jsonschema's check_schema
_META_DRAFTS = (jsonschema.Draft7Validator, jsonschema.Draft202012Validator)
# every format name jsonschema-rs knows: each is asserted exactly as jsonschema's FORMAT_CHECKER
# does (FormatChecker.conforms accepts formats it has no check for)
_FORMATS = (
    "date",
    "date-time",
    "duration",
    "email",
    "hostname",
    "idn-email",
    "idn-hostname",
    "ipv4",
    "ipv6",
    "iri",
    "iri-reference",
    "json-pointer",
    "regex",
    "relative-json-pointer",
    "time",
    "uri",
    "uri-reference",
    "uri-template",
    "uuid",
)
_meta_validators: dict[type[Any], Any] = {}


def _format_check(checker: jsonschema.FormatChecker, name: str) -> Check:
    return lambda value: checker.conforms(value, name)


def _meta_validator(cls: Any) -> Any:
    """jsonschema-rs validating against `cls.META_SCHEMA` as `cls.check_schema` does."""
    if cls not in _meta_validators:
        checker = cls.FORMAT_CHECKER
        _meta_validators[cls] = jsonschema_rs.validator_for(
            cls.META_SCHEMA,
            validate_formats=True,
            formats={name: _format_check(checker, name) for name in {*_FORMATS, *checker.checkers}},
            retriever=_no_retrieval,
        )
    return _meta_validators[cls]


def certainly_valid_schema(schema: Any) -> bool:
    """True when `schema` is valid for the draft jsonschema picks for it (what `check_schema` of
    `validator_for(schema)` accepts); False when it may not be (then ask `check_schema`)."""
    if not plain_json(schema):
        return False
    cls = jsonschema.validators.validator_for(schema)
    if cls not in _META_DRAFTS:
        return False
    return certainly_valid(_meta_validator(cls), schema)
