"""The quick "certainly valid" paths (jsonschema-rs for the Kubernetes schemas and for the
metaschema) agree with jsonschema: they may only say True where jsonschema finds no error."""

from __future__ import annotations

import copy
import datetime
import json
import warnings
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from agents.validate import HelmSdkEngine
from agents.validate.crd_schemas import is_builtin_group
from agents.validate.kube_schema import default_kube_versions, kube_quick_check, kube_validator
from agents.validate.schema_fast import certainly_valid_schema, plain_json, quick_check

CHARTS = Path(__file__).resolve().parents[2] / "fixtures" / "charts"
VERSION = default_kube_versions()[0]


def _rendered_objects() -> list[dict[str, Any]]:
    engine = HelmSdkEngine()
    objects: list[dict[str, Any]] = []
    for chart_yaml in sorted(CHARTS.rglob("Chart.yaml")):
        render = engine.render(chart_yaml.parent)
        for text in render.manifests.values():
            try:
                docs = list(yaml.safe_load_all(text))
            except yaml.YAMLError:
                continue
            objects += [
                d for d in docs if isinstance(d, dict) and is_builtin_group(str(d.get("apiVersion", "")))
            ]
    return objects


def _jsonschema_errors(doc: dict[str, Any]) -> list[str] | None:
    validator = kube_validator(VERSION, str(doc["apiVersion"]), str(doc["kind"]))
    return None if validator is None else [e.message for e in validator.iter_errors(doc)]


def _quick(doc: dict[str, Any]) -> bool:
    check = kube_quick_check(VERSION, str(doc["apiVersion"]), str(doc["kind"]))
    return check is not None and check(doc)


@pytest.fixture(scope="module")
def objects() -> list[dict[str, Any]]:
    found = _rendered_objects()
    assert {d["kind"] for d in found} >= {"Deployment", "Service"}
    return found


def test_every_valid_fixture_object_is_recognised_and_no_invalid_one_passes(
    objects: list[dict[str, Any]],
) -> None:
    for doc in objects:
        errors = _jsonschema_errors(doc)
        if errors is None:
            continue
        assert _quick(doc) == (not errors), (doc["kind"], errors)


def _deployment(objects: list[dict[str, Any]]) -> dict[str, Any]:
    found = next(d for d in objects if d["kind"] == "Deployment" and not _jsonschema_errors(d))
    return copy.deepcopy(found)


@pytest.mark.parametrize(
    ("where", "value"),
    [
        (("spec", "replicas"), "3"),  # a string where an integer goes
        (("spec", "replicas"), True),  # a bool is not a JSON integer
        (("spec", "replicas"), 2.0),  # jsonschema accepts 2.0 as an integer, and so does jsonschema-rs
        (("spec", "replicas"), 2**70),  # valid, but past what jsonschema-rs holds exactly: jsonschema
        (("spec", "replicas"), float("nan")),
        (("spec", "replicas"), datetime.date(2024, 1, 2)),  # YAML dates are not JSON
        (("metadata", "creationTimestamp"), datetime.datetime(2024, 1, 2, 3, 4)),
        (("metadata", "creationTimestamp"), "not a date-time"),  # format is not asserted by either
        (("metadata", "labels"), {1: "a"}),  # a key that is not a string
        (("spec", "template", "spec", "containers", 0, "args"), ("a", "b")),  # a tuple is not an array
        (("spec", "template", "spec", "containers", 0, "name"), 5),
        (("spec", "template", "spec", "containers"), {"name": "web"}),  # an object where a list goes
        (("spec", "template", "spec", "containers", 0, "ports", 0, "containerPort"), None),
        (("spec", "template", "spec", "contaners"), []),  # unknown field (strict schema)
        (("spec", "strategy", "rollingUpdate", "maxSurge"), 1.0),  # IntOrString with a float
        (("spec", "strategy", "rollingUpdate", "maxSurge"), ["25%"]),
    ],
)
def test_a_changed_deployment_passes_the_quick_check_only_when_jsonschema_finds_nothing(
    objects: list[dict[str, Any]], where: tuple[str | int, ...], value: Any
) -> None:
    doc = _deployment(objects)
    node: Any = doc
    for part in where[:-1]:
        node = node.setdefault(part, {}) if isinstance(part, str) else node[part]
    node[where[-1]] = value
    quick = _quick(doc)
    assert not (quick and _jsonschema_errors(doc))
    assert quick is (plain_json(doc) and not _jsonschema_errors(doc))


def test_int_or_string_takes_either_but_not_both_kinds(objects: list[dict[str, Any]]) -> None:
    doc = _deployment(objects)
    doc["spec"]["strategy"] = {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0},
    }
    assert _quick(doc) and not _jsonschema_errors(doc)
    doc["spec"]["strategy"]["rollingUpdate"]["maxSurge"] = ["25%"]
    assert not _quick(doc) and _jsonschema_errors(doc)


def test_a_reference_outside_the_local_schemas_is_never_fetched() -> None:
    assert quick_check({"$ref": "https://example.com/elsewhere.json"}) is None
    check = quick_check({"type": "object", "properties": {"a": {"type": "integer"}}})
    assert check is not None
    assert check({"a": 1}) is True and check({"a": "1"}) is False


def test_plain_json_is_what_json_loads_builds() -> None:
    assert plain_json({"a": [1, 2.5, "x", True, None, {"b": -(2**62)}]})
    for odd in (datetime.date(2024, 1, 1), (1,), {1}, b"x", float("inf"), 2**64, {2: "a"}):
        assert not plain_json({"a": [odd]}), odd


# values.schema.json against its draft's metaschema


def _fixture_schemas() -> list[Any]:
    return [json.loads(p.read_text()) for p in sorted(CHARTS.parent.rglob("*.schema.json"))]


def _check_schema_accepts(schema: Any) -> bool:
    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except jsonschema.SchemaError:
        return False
    return True


def test_fixture_values_schemas_get_the_same_verdict_by_both_paths() -> None:
    verdicts = [(certainly_valid_schema(s), _check_schema_accepts(s)) for s in _fixture_schemas()]
    assert (True, True) in verdicts and (False, False) in verdicts  # fixtures hold good and broken ones
    assert all(quick == full for quick, full in verdicts)


@pytest.mark.parametrize(
    "draft", ["http://json-schema.org/draft-07/schema#", "https://json-schema.org/draft/2020-12/schema"]
)
@pytest.mark.parametrize(
    "broken",
    [
        {"type": "objekt"},
        {"pattern": "(["},  # not a regular expression
        {"pattern": "\\p{L}"},  # a regular expression for jsonschema-rs, not for Python's re
        {"patternProperties": {"(?<name>a)": {}}},  # likewise
        {"minimum": "one"},
        {"items": []},
        {"properties": {"a": {"enum": 5}}},
        {"allOf": []},
        {"required": "name"},
    ],
)
def test_a_broken_subschema_anywhere_is_left_to_check_schema(draft: str, broken: dict[str, Any]) -> None:
    schema = {
        "$schema": draft,
        "type": "object",
        "properties": {"outer": {"type": "object", "properties": {"x": broken}}},
    }
    assert certainly_valid_schema(schema) is False
    assert _check_schema_accepts(schema) is False


def test_drafts_it_does_not_know_are_left_to_check_schema() -> None:
    schema = {"$schema": "http://json-schema.org/draft-04/schema#", "type": "object"}
    assert certainly_valid_schema(schema) is False
    assert _check_schema_accepts(schema) is True


@pytest.mark.parametrize(
    "schema",
    [
        {"$id": "http://a host/with spaces"},  # jsonschema has no uri check installed: accepted
        {"$ref": "not a uri ::"},
        {"$schema": "http://json-schema.org/draft-07/schema#", "format": "whatever"},
        {"pattern": "^(?P<name>a)$"},  # Python's re syntax
        {"$schema": "http://example.com/unknown-draft", "type": "object"},  # jsonschema uses the latest
    ],
)
def test_formats_are_asserted_exactly_where_check_schema_asserts_them(schema: dict[str, Any]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the unknown draft
        assert certainly_valid_schema(schema) is _check_schema_accepts(schema) is True
