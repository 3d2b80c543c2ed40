"""YAML text the way Helm charts are written: block style, indented lists, literal multi-line strings."""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

PLAIN_SAFE = re.compile(r"^[A-Za-z0-9/_.%-][A-Za-z0-9/_.%:@ -]*$")


class ChartYamlDumper(yaml.SafeDumper):
    """Indents list items under their key (`key:\\n  - a`), as Helm's own files do."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if value == "":
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    if not value.replace("\n", "").isprintable():
        # Controls and Unicode line breaks only survive escaped (PyYAML emits NEL raw otherwise).
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


ChartYamlDumper.add_representer(str, _represent_str)


def dump_yaml(data: Any) -> str:
    """Deterministic YAML: keys keep their order, no line wrapping, no aliases."""
    text: str = yaml.dump(
        data,
        Dumper=ChartYamlDumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=1_000_000,
    )
    return text


def scalar_text(value: Any) -> str | None:
    """A one-line YAML scalar, or None when `value` needs the full dumper (multi-line, nested).

    PyYAML's pure-Python emitter dominates render time, so the common one-line cases are
    written directly; a plain string is used only when YAML reads it back unchanged.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if value is None:
        return "null"
    if value == {}:
        return "{}"
    if value == []:
        return "[]"
    if isinstance(value, str) and value.isprintable():  # line breaks and controls go to the dumper
        if value and PLAIN_SAFE.match(value) and not value.endswith(" ") and _reads_back(value):
            return value
        return json.dumps(value, ensure_ascii=False)
    return None


def _reads_back(text: str) -> bool:
    try:
        return bool(yaml.load(text, Loader=yaml.CSafeLoader) == text)
    except yaml.YAMLError:
        return False
