"""values.yaml text: every key preceded by its `## @param` line, grouped under `## @section`s."""

from __future__ import annotations

from typing import Any

from agents.chart.params import Param, Section, all_params, nested_values
from agents.chart.yaml_text import dump_yaml, scalar_text

INDENT = "  "


def render_values_file(sections: list[Section], chart_name: str) -> str:
    """values.yaml for the chart, readable by readme-generator-for-helm."""
    tree = nested_values(sections)
    params = all_params(sections)
    lines = [
        f"# Default values for {chart_name}.",
        "# Every key is documented with `## @param`; values.schema.json checks their types.",
        "",
    ]
    for section in sections:
        lines.append(f"## @section {section.title}")
        lines.append("")
        for key in _top_level_keys(section):
            lines.extend(_emit(key, tree[key], key, params, 0))
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _top_level_keys(section: Section) -> list[str]:
    keys: list[str] = []
    for param in section.params:
        top = param.keys[0]
        if top not in keys:
            keys.append(top)
    return keys


def _emit(key: str, value: Any, path: str, params: dict[str, Param], depth: int) -> list[str]:
    pad = INDENT * depth
    param = params.get(path)
    if param is not None:
        lines = [f"{pad}## @param {path} {param.description}"]
        scalar = scalar_text(value)
        if scalar is not None:
            return [*lines, f"{pad}{key}: {scalar}"]
        dumped = dump_yaml({key: value}).rstrip("\n").split("\n")
        lines.extend(f"{pad}{line}" if line else line for line in dumped)
        return lines
    if not isinstance(value, dict):
        raise ValueError(
            f"values key {path!r} has no @param description: document it in agents/chart/values.py"
        )
    lines = [f"{pad}{key}:"]
    for child_key, child in value.items():
        lines.extend(_emit(child_key, child, f"{path}.{child_key}", params, depth + 1))
    return lines
