"""values.yaml entries that break values.schema.json: the value is corrected, never the schema.

Mirrors helm lint's "values don't meet the specifications of the schema(s)" and the validator's
`values-schema` rule. A value is coerced to the schema's type when it converts losslessly
("80" → 80, "true" → true); otherwise it falls back to the schema's default, the chart README's
documented default, then the schema's own bounds (enum, minimum).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import jsonschema
import yaml

from agents.heal.fixers.contract import FixOutcome
from agents.heal.yaml_text import find_path, split_lines, with_scalar
from agents.validate.finding import Finding
from agents.validate.values_yaml import load_values as parse_values  # alias-bomb safe

SCHEMA_FILE = "values.schema.json"
VALUES_FILE = "values.yaml"


class ValuesSchemaFixer:
    name = "values-schema"

    def handles(self, finding: Finding) -> bool:
        text = f"{finding.rule_id} {finding.message}".lower()
        return finding.rule_id.startswith("values/") or (
            "schema" in text and ("values" in text or finding.file == VALUES_FILE)
        )

    def fix(
        self, files: dict[str, str], findings: Sequence[Finding], kube_versions: Sequence[str]
    ) -> FixOutcome:
        if SCHEMA_FILE not in files or VALUES_FILE not in files:
            return FixOutcome(files)
        try:
            schema = json.loads(files[SCHEMA_FILE])
            values = parse_values(files[VALUES_FILE]) or {}
        except (json.JSONDecodeError, yaml.YAMLError):
            return FixOutcome(files)
        lines = split_lines(files[VALUES_FILE])
        changes: list[str] = []
        validator = jsonschema.Draft7Validator(schema)
        for error in sorted(validator.iter_errors(values), key=lambda e: list(map(str, e.absolute_path))):
            path = list(error.absolute_path)
            if not path or isinstance(error.instance, dict | list):
                continue  # missing keys and wrong shapes of whole blocks need a person or the LLM
            wanted = corrected_value(error.instance, error.schema, _readme_default(files, path))
            index = find_path(lines, path)
            if wanted is _NO_FIX or index is None:
                continue
            literal = _yaml_scalar(wanted)
            lines[index] = with_scalar(lines[index], literal)
            dotted = ".".join(map(str, path))
            changes.append(f"{VALUES_FILE}: {dotted}: {error.instance!r} → {literal} ({error.message})")
        if not changes:
            return FixOutcome(files)
        return FixOutcome({**files, VALUES_FILE: "\n".join(lines)}, changes)


_NO_FIX = object()


def corrected_value(value: Any, schema: dict[str, Any], documented: Any = _NO_FIX) -> Any:
    """The value the schema accepts: a lossless coercion, else a documented default, else its bounds."""
    types = schema.get("type")
    allowed = [types] if isinstance(types, str) else list(types or [])
    if isinstance(value, str):
        text = value.strip()
        if "integer" in allowed and re.fullmatch(r"[+-]?\d+", text):
            return _bounded(int(text), schema)
        if "number" in allowed and re.fullmatch(r"[+-]?\d+(\.\d+)?", text):
            return _bounded(float(text), schema)
        if "boolean" in allowed and text.lower() in {"true", "false", "yes", "no"}:
            return text.lower() in {"true", "yes"}
    if isinstance(value, bool) and "string" in allowed:
        return "true" if value else "false"
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and ("integer" in allowed or "number" in allowed)
    ):
        bounded = _bounded(value, schema)
        if bounded != value:
            return bounded
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and "string" in allowed
        and not schema.get("enum")
    ):
        return str(value)
    if "default" in schema:
        return schema["default"]
    if documented is not _NO_FIX and _accepts(schema, documented):
        return documented
    if schema.get("enum"):
        text = str(value).lower()
        for option in schema["enum"]:
            if str(option).lower() == text:
                return option
        return schema["enum"][0]
    if "minimum" in schema and ("integer" in allowed or "number" in allowed):
        return schema["minimum"]
    return _NO_FIX


def _bounded(number: float, schema: dict[str, Any]) -> float:
    if "minimum" in schema and number < schema["minimum"]:
        return schema["minimum"]  # type: ignore[no-any-return]
    if "maximum" in schema and number > schema["maximum"]:
        return schema["maximum"]  # type: ignore[no-any-return]
    return number


def _accepts(schema: dict[str, Any], value: Any) -> bool:
    return not list(jsonschema.Draft7Validator(schema).iter_errors(value))


def _readme_default(files: dict[str, str], path: list[str | int]) -> Any:
    """The default the chart's README parameter table documents for `path` (`| \\`service.port\\` | … | \\`80\\` |`)."""
    dotted = ".".join(map(str, path))
    readme = files.get("README.md", "")
    match = re.search(
        rf"^\|\s*`{re.escape(dotted)}`\s*\|.*\|\s*`?(?P<value>[^|`]*)`?\s*\|\s*$", readme, re.MULTILINE
    )
    if not match:
        return _NO_FIX
    try:
        return yaml.safe_load(match.group("value"))
    except yaml.YAMLError:
        return _NO_FIX


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value) if yaml.safe_load(value) != value or value == "" else value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return json.dumps(value)
