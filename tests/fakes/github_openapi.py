"""GitHub's REST description (`@octokit/openapi`) as the contract the fake GitHub holds requests to.

The fake's answers are already checked by githubkit's models; this checks the other direction: a
request the bot sends must be an operation GitHub documents (method and path template), its query
parameters must be ones that operation declares (GitHub silently ignores others) and its JSON body
must satisfy the operation's `requestBody` schema, so a request the real GitHub would refuse or
misread cannot pass against the fake.

The description is parsed once per process (≈ 0.5 s for the 13 MB `api.github.com.json`; the
dereferenced variant is 73 MB) and kept only as a route table plus the request-body schemas and the
component schemas they reach (≈ 0.1 s more); each operation's validator is compiled on its first
request. Matching a path costs ≈ 10 µs (a tree of segments).

    description = rest_description()
    operation = description.check("POST", "/repos/o/r/issues/1/comments", {"body": "hi"})
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from jsonschema import Draft4Validator
from jsonschema.exceptions import best_match

Json = dict[str, Any]

SPEC_FILE = (
    Path(__file__).resolve().parents[1]
    / "fixtures/npm/node_modules/@octokit/openapi/generated/api.github.com.json"
)
HTTP_METHODS = ("get", "put", "post", "patch", "delete")
SCHEMA_REF = "#/components/schemas/"
PARAMETER_REF = "#/components/parameters/"


class SpecViolation(Exception):
    """A request GitHub's REST description does not allow; `status` is what the fake answers with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Segment:
    """One `/`-separated piece of a path template."""

    text: str  # the literal, or the template's piece such as `{issue_number}`
    kind: Literal["literal", "param", "multi", "pattern"]  # multi: a parameter that may hold slashes

    def accepts(self, value: str) -> bool:
        if self.kind == "literal":
            return value == self.text
        if self.kind == "pattern":  # `{base}...{head}`: parameters around literal text
            parts = re.split(r"\{[^}]+\}", self.text)
            return re.fullmatch("(.+)".join(map(re.escape, parts)), value) is not None
        return value != ""


@dataclass(frozen=True)
class Operation:
    """One documented operation: which request paths it serves and what body it takes."""

    method: str  # upper case, as on the wire
    template: str  # `/repos/{owner}/{repo}/issues/{issue_number}/comments`
    operation_id: str  # `issues/create-comment`
    segments: tuple[Segment, ...]
    specificity: int  # literal characters: `/issues/comments` beats `/issues/{issue_number}`
    path_types: dict[str, Json]  # path parameter name → its schema (`issue_number`: integer)
    query: dict[str, Json]  # query parameter name → its schema
    required_query: frozenset[str]
    takes_body: bool
    body_required: bool
    body_schema: Json | None  # the `application/json` schema, when the operation takes JSON

    @property
    def name(self) -> str:
        return f"{self.operation_id} ({self.method} {self.template})"


class RestDescription:
    """The route table and request-body validators of one REST description."""

    def __init__(self, spec: Json) -> None:
        self.version = f"api.github.com, @octokit/openapi {spec['info']['version']}"
        parameters: dict[str, Json] = spec["components"]["parameters"]
        self.operations = [
            _operation(method, template, item, parameters)
            for template, item in spec["paths"].items()
            for method in HTTP_METHODS
            if method in item
        ]
        self._routes = _Node()
        for op in self.operations:
            self._routes.add(op)
        roots = [op.body_schema for op in self.operations if op.body_schema is not None]
        self._schemas = _reachable_schemas(roots, spec["components"]["schemas"])
        self._definitions: Json | None = None  # `_schemas` as plain JSON Schema, on first use
        self._validators: dict[tuple[str, str], Draft4Validator] = {}
        self._lock = threading.Lock()

    def match(self, method: str, path: str) -> Operation:
        """The most specific operation for `method path` (path below the API root, undecoded)."""
        matching: list[Operation] = []
        self._routes.collect(path.split("/")[1:], matching)
        matching.sort(key=lambda op: -op.specificity)
        for op in matching:
            if op.method == method:
                return op
        if matching:
            documented = sorted({op.method for op in matching})
            raise SpecViolation(
                405,
                f"{method} {path}: GitHub's REST description ({self.version}) has no {method} on "
                f"{matching[0].template}, only {', '.join(documented)}",
            )
        raise SpecViolation(
            404, f"{method} {path} is not an operation in GitHub's REST description ({self.version})"
        )

    def check(
        self, method: str, path: str, body: Any, query: dict[str, list[str]] | None = None
    ) -> Operation:
        """The operation `method path` is, once its `query` and JSON `body` (None when empty) satisfy it."""
        op = self.match(method, path)
        _check_path(op, path)
        _check_query(op, query or {})
        if body is None:
            if op.body_required:
                raise SpecViolation(422, f"{op.name}: the request body is required and was empty")
            return op
        if not op.takes_body:
            raise SpecViolation(422, f"{op.name}: takes no request body, got {_preview(body)}")
        if op.body_schema is None:
            return op  # a raw (text or binary) body: nothing JSON to check
        error = best_match(self._validator(op).iter_errors(body))
        if error is not None:
            raise SpecViolation(
                422, f"{op.name}: request body at {error.json_path} violates the schema: {error.message}"
            )
        return op

    def _validator(self, op: Operation) -> Draft4Validator:
        key = (op.method, op.template)
        with self._lock:
            validator = self._validators.get(key)
            if validator is None:
                if self._definitions is None:
                    self._definitions = {name: _json_schema(s) for name, s in self._schemas.items()}
                # OpenAPI 3.0 schemas are a JSON Schema draft 4 dialect; `definitions` holds the
                # component schemas, so recursive ones resolve by reference instead of by copying.
                schema = {"allOf": [_json_schema(op.body_schema)], "definitions": self._definitions}
                validator = self._validators[key] = Draft4Validator(schema)
        return validator


@cache
def rest_description() -> RestDescription:
    """GitHub's REST description, parsed once per process."""
    if not SPEC_FILE.is_file():
        raise FileNotFoundError(
            f"GitHub's REST description is missing ({SPEC_FILE}): run `bash scripts/fixtures.sh`"
        )
    with SPEC_FILE.open("rb") as handle:
        return RestDescription(json.load(handle))


def _operation(method: str, template: str, item: Json, parameters: dict[str, Json]) -> Operation:
    op = item[method]
    declared = [*item.get("parameters", []), *op.get("parameters", [])]
    resolved = [parameters[p["$ref"].removeprefix(PARAMETER_REF)] if "$ref" in p else p for p in declared]
    # `x-multi-segment` marks path parameters that may hold slashes (a branch, a file path, a ref)
    multi = {p["name"] for p in resolved if p.get("in") == "path" and p.get("x-multi-segment")}
    query = {p["name"]: p.get("schema") or {} for p in resolved if p.get("in") == "query"}
    request_body = op.get("requestBody") or {}
    json_content = (request_body.get("content") or {}).get("application/json")
    return Operation(
        method=method.upper(),
        template=template,
        operation_id=op.get("operationId", f"{method} {template}"),
        segments=tuple(_segment(piece, multi) for piece in template.split("/")[1:]),
        specificity=len(re.sub(r"\{[^}]+\}", "", template)),
        path_types={p["name"]: p.get("schema") or {} for p in resolved if p.get("in") == "path"},
        query=query,
        required_query=frozenset(p["name"] for p in resolved if p.get("in") == "query" and p.get("required")),
        takes_body=bool(request_body),
        body_required=bool(request_body.get("required")),
        body_schema=json_content.get("schema") if json_content else None,
    )


def _check_path(op: Operation, path: str) -> None:
    """`/issues/abc`: GitHub answers a non-integer id with 404, so the fake does too, naming it."""
    values = path.split("/")[1:]
    if len(values) != len(op.segments) or any(s.kind == "multi" for s in op.segments):
        return  # a parameter spans segments: the values do not line up one to one
    for segment, value in zip(op.segments, values, strict=True):
        name = segment.text[1:-1]
        integer = segment.kind == "param" and op.path_types.get(name, {}).get("type") == "integer"
        if integer and re.fullmatch(r"\d+", value) is None:
            raise SpecViolation(404, f"{op.name}: path parameter `{name}`={value!r} is not an integer")


def _check_query(op: Operation, query: dict[str, list[str]]) -> None:
    """GitHub ignores a query parameter it does not know: a misspelt `per_page` would pass unnoticed."""
    missing = sorted(op.required_query - query.keys())
    if missing:
        raise SpecViolation(422, f"{op.name}: required query parameters missing: {', '.join(missing)}")
    for name, values in query.items():
        if name not in op.query:
            known = ", ".join(sorted(op.query)) or "none"
            raise SpecViolation(422, f"{op.name}: unknown query parameter `{name}` (documented: {known})")
        schema = op.query[name]
        for value in values:
            if not _query_value_fits(value, schema):
                raise SpecViolation(
                    422, f"{op.name}: query parameter `{name}`={value!r} does not fit {_describe(schema)}"
                )


def _query_value_fits(value: str, schema: Json) -> bool:
    """Scalar types and enums only; arrays and referenced schemas are taken as they come."""
    if schema.get("type") == "integer":
        return re.fullmatch(r"-?\d+", value) is not None
    if schema.get("type") == "boolean":
        return value in ("true", "false")
    if schema.get("type") == "string" and "enum" in schema:
        return value in schema["enum"]
    return True


def _describe(schema: Json) -> str:
    return f"one of {schema['enum']}" if "enum" in schema else f"type {schema.get('type')}"


def _segment(piece: str, multi: set[str]) -> Segment:
    if "{" not in piece:
        return Segment(piece, "literal")
    if piece.startswith("{") and piece.endswith("}") and piece.count("{") == 1:
        return Segment(piece, "multi" if piece[1:-1] in multi else "param")
    return Segment(piece, "pattern")


class _Node:
    """A route tree keyed by path segment: literals by value, parameters by kind."""

    def __init__(self) -> None:
        self.literals: dict[str, _Node] = {}
        self.parameters: dict[Segment, _Node] = {}
        self.operations: list[Operation] = []

    def add(self, op: Operation, depth: int = 0) -> None:
        if depth == len(op.segments):
            self.operations.append(op)
            return
        segment = op.segments[depth]
        if segment.kind == "literal":
            child = self.literals.setdefault(segment.text, _Node())
        else:  # `{issue_number}` and `{comment_id}` in one place are the same edge
            key = segment if segment.kind == "pattern" else Segment("{}", segment.kind)
            child = self.parameters.setdefault(key, _Node())
        child.add(op, depth + 1)

    def collect(self, values: list[str], found: list[Operation]) -> None:
        """Add to `found` every operation whose template `values` (a path's segments) fill."""
        if not values:
            found.extend(self.operations)
            return
        literal = self.literals.get(values[0])
        if literal is not None:
            literal.collect(values[1:], found)
        for segment, child in self.parameters.items():
            if segment.kind != "multi":
                if segment.accepts(values[0]):
                    child.collect(values[1:], found)
                continue
            for taken in range(1, len(values) + 1):  # a branch, a file path: one segment or more
                if values[taken - 1] == "":
                    break
                child.collect(values[taken:], found)


def _reachable_schemas(roots: list[Json], components: dict[str, Json]) -> dict[str, Json]:
    """The component schemas the request bodies refer to, directly or through each other."""
    found: dict[str, Json] = {}
    pending = [ref for root in roots for ref in _refs(root)]
    while pending:
        name = pending.pop()
        if name not in found:
            found[name] = components[name]
            pending.extend(_refs(found[name]))
    return found


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        own = [ref.removeprefix(SCHEMA_REF)] if isinstance(ref, str) and ref.startswith(SCHEMA_REF) else []
        return own + [name for value in node.values() for name in _refs(value)]
    if isinstance(node, list):
        return [name for value in node for name in _refs(value)]
    return []


SCHEMA_MAPS = ("properties", "patternProperties")  # keyword → {name: schema}
SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")  # keyword → [schema, …]
SCHEMA_ONES = ("items", "additionalProperties", "not")  # keyword → schema


def _json_schema(schema: Any) -> Any:
    """An OpenAPI 3.0 schema as plain JSON Schema: `nullable` admits null, refs point at `definitions`."""
    if not isinstance(schema, dict):
        return schema  # `additionalProperties: true`
    out = {key: value for key, value in schema.items() if key != "nullable"}
    for key in SCHEMA_MAPS:
        if isinstance(out.get(key), dict):
            out[key] = {name: _json_schema(value) for name, value in out[key].items()}
    for key in SCHEMA_LISTS:
        if isinstance(out.get(key), list):
            out[key] = [_json_schema(value) for value in out[key]]
    for key in SCHEMA_ONES:
        if key in out:
            out[key] = _json_schema(out[key])
    if isinstance(out.get("$ref"), str):
        out["$ref"] = out["$ref"].replace(SCHEMA_REF, "#/definitions/", 1)
    if schema.get("nullable") is True:
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        if isinstance(out.get("enum"), list) and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
        if "type" not in out:
            return {"anyOf": [{"type": "null"}, out]}
    return out


def _preview(body: Any) -> str:
    text = json.dumps(body)
    return text if len(text) <= 80 else text[:77] + "..."
