"""values/schema-*: the chart ships a valid values.schema.json that its default values satisfy."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from agents.validate.finding import Severity
from agents.validate.rules.contract import Rule, RuleInput, Violation
from agents.validate.schema_fast import certainly_valid_schema

SCHEMA_FILE = "values.schema.json"


@lru_cache(maxsize=32)
def _read_schema(path: Path, mtime: float) -> tuple[Any, str | None]:
    """(schema, problem): parsed once per file version."""
    try:
        schema = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, f"{SCHEMA_FILE} is not valid JSON: {exc}"
    if certainly_valid_schema(schema):
        return schema, None
    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except jsonschema.SchemaError as exc:
        return None, f"{SCHEMA_FILE} is not a valid JSON Schema: {exc.message}"
    return schema, None


def _values_line(chart_dir: Path, path: list[Any]) -> int | None:
    """Line of the deepest key of `path` in values.yaml."""
    try:
        node = yaml.compose(
            (chart_dir / "values.yaml").read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        )
    except (OSError, yaml.YAMLError):
        return None
    if node is None:
        return None
    line = 1
    for part in path:
        if isinstance(node, yaml.MappingNode):
            hit = next(((k, v) for k, v in node.value if k.value == str(part)), None)
            if hit is None:
                break
            line, node = hit[0].start_mark.line + 1, hit[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def check_missing(given: RuleInput) -> Iterator[Violation]:
    if not (given.chart.chart_dir / SCHEMA_FILE).is_file():
        yield Violation(
            f"the chart has no {SCHEMA_FILE}: wrong values types are only found at install time",
            file=SCHEMA_FILE,
        )


def check_invalid(given: RuleInput) -> Iterator[Violation]:
    path = given.chart.chart_dir / SCHEMA_FILE
    if path.is_file():
        _, problem = _read_schema(path, path.stat().st_mtime)
        if problem:
            yield Violation(problem, file=SCHEMA_FILE, line=1)


def check_defaults(given: RuleInput) -> Iterator[Violation]:
    path = given.chart.chart_dir / SCHEMA_FILE
    if not path.is_file():
        return
    mtime = path.stat().st_mtime
    schema, problem = _read_schema(path, mtime)
    if problem or schema is None:
        return
    try:
        values_text = (given.chart.chart_dir / "values.yaml").read_text()
    except (OSError, UnicodeDecodeError):
        values_text = ""
    # every render of a chart has the same defaults: check them once per schema + values content
    key = (path, mtime, values_text, json.dumps(given.chart.default_values, sort_keys=True, default=repr))
    if key not in _checked_defaults:
        if len(_checked_defaults) >= _CHECKED_DEFAULTS_LIMIT:
            _checked_defaults.clear()
        _checked_defaults[key] = tuple(
            _default_violations(schema, given.chart.chart_dir, given.chart.default_values)
        )
    yield from _checked_defaults[key]


_checked_defaults: dict[tuple[Path, float, str, str], tuple[Violation, ...]] = {}
_CHECKED_DEFAULTS_LIMIT = 64


def _default_violations(schema: Any, chart_dir: Path, defaults: dict[str, Any]) -> Iterator[Violation]:
    validator = jsonschema.validators.validator_for(schema)(schema)
    for error in sorted(validator.iter_errors(defaults), key=lambda e: list(map(str, e.absolute_path))):
        where = ".".join(str(p) for p in error.absolute_path) or "(top level)"
        yield Violation(
            f"default value {where}: {error.message}",
            file="values.yaml",
            line=_values_line(chart_dir, list(error.absolute_path)),
        )


MISSING = Rule(
    "values/schema-missing",
    Severity.WARNING,
    f"charts should ship {SCHEMA_FILE}",
    f"add {SCHEMA_FILE} describing every key of values.yaml (types, enums, required)",
    check_missing,
)
INVALID = Rule(
    "values/schema-invalid",
    Severity.ERROR,
    f"{SCHEMA_FILE} must be valid JSON and a valid JSON Schema",
    "fix the JSON syntax or the schema keyword named in the message",
    check_invalid,
)
DEFAULTS = Rule(
    "values/defaults",
    Severity.ERROR,
    f"values.yaml must satisfy {SCHEMA_FILE}",
    "change the default in values.yaml or widen the schema",
    check_defaults,
)
