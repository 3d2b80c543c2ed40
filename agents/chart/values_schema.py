"""values.schema.json (draft-07) generated from the documented params.

Helm checks values against it on install, upgrade, lint and template, so a wrong type in
`--set` or a CI values file fails before anything reaches the cluster.
"""

from __future__ import annotations

import json
from typing import Any

from agents.chart.params import Param, Section, all_params, nested_values


def render_values_schema(sections: list[Section]) -> str:
    """The schema document as stable, indented JSON."""
    tree = nested_values(sections)
    params = all_params(sections)
    rules = {group: rule for section in sections for group, rule in section.group_rules.items()}
    schema: dict[str, Any] = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "Values",
        "type": "object",
        "properties": {key: _schema_for(value, key, params, rules) for key, value in tree.items()},
    }
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def _schema_for(
    value: Any, path: str, params: dict[str, Param], rules: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    param = params.get(path)
    if param is None:
        # A group of documented keys, e.g. `image`, with the rules that tie them together.
        return {
            "type": "object",
            "properties": {k: _schema_for(v, f"{path}.{k}", params, rules) for k, v in value.items()},
            **rules.get(path, {}),
        }
    schema: dict[str, Any] = {"description": param.description}
    schema["type"] = _json_type(value)
    schema.update(param.schema_)
    return schema


def _json_type(value: Any) -> str | list[str]:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    if value is None:
        return "null"
    raise TypeError(f"value {value!r} of type {type(value).__name__} cannot be written to values.yaml")
