"""Editing a person's values.yaml at a key's real depth, keeping comments, order and indentation.

The line editor in `yaml_text` handles top-level keys; a nested key (`app.container.securityContext`)
goes through ruamel.yaml's round-trip mode, which writes back every comment and key order and,
with the file's own indentation detected, leaves lines it did not change as they were.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError


def _round_tripper(text: str) -> YAML:
    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.width = 4096  # never fold a long line the person wrote on one line
    mapping_indent = _mapping_indent(text)
    dash = re.search(r"^( *)[\w.-]+:\n(?: *#.*\n)*( *)- ", text, re.MULTILINE)
    if dash and len(dash.group(2)) > len(dash.group(1)):
        offset = len(dash.group(2)) - len(dash.group(1))
        rt.indent(mapping=mapping_indent, sequence=offset + 2, offset=offset)
    else:
        rt.indent(mapping=mapping_indent, sequence=mapping_indent, offset=0)
    return rt


def _mapping_indent(text: str) -> int:
    match = re.search(r"^[\w.-]+:[ \t]*\n(?: *#.*\n)*( +)[\w.-]+:", text, re.MULTILINE)
    return len(match.group(1)) if match else 2


def merge_at(
    text: str, path: Sequence[str], wanted: dict[str, Any], overrule: bool
) -> tuple[str, list[str]] | None:
    """`text` with the mapping at `path` holding every key of `wanted` (booleans corrected when
    `overrule`); the keys it set, or None when the path runs through a non-mapping or the file
    does not round-trip."""
    rt = _round_tripper(text)
    try:
        data = rt.load(text)
    except YAMLError:
        return None
    if not isinstance(data, CommentedMap):
        return None
    node: Any = data
    for key in path[:-1]:
        child = node.get(key)
        if child is None:
            child = CommentedMap()
            node[key] = child
        if not isinstance(child, CommentedMap):
            return None
        node = child
    leaf = path[-1]
    current = node.get(leaf)
    if current is None or current == {}:
        node[leaf] = CommentedMap(wanted)
        set_keys = list(wanted)
    elif isinstance(current, CommentedMap):
        set_keys = []
        for key, value in wanted.items():
            if key not in current or (overrule and isinstance(value, bool) and current[key] != value):
                current[key] = value
                set_keys.append(key)
    else:
        return None
    if not set_keys:
        return None
    out = io.StringIO()
    rt.dump(data, out)
    written = out.getvalue()
    if not text.endswith("\n"):
        written = written.rstrip("\n")
    return written, set_keys
