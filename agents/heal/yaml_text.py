"""Line-level reading and editing of YAML and Helm template text.

Fixers edit charts a line at a time so comments, quoting and layout of every line they do
not need to touch survive byte-for-byte; a YAML dumper would rewrite the whole file.
"""

from __future__ import annotations

import re

KEY_LINE = re.compile(
    r"^(?P<indent>[ ]*)(?P<dash>-[ ]+)?(?P<key>[A-Za-z0-9_.\-/\"']+):(?:[ ]+(?P<rest>.*))?$"
)
TRAILING_COMMENT = re.compile(r"(?P<value>.*?)(?P<comment>[ ]+#.*)?$")


def indent_of(line: str) -> int:
    """Number of leading spaces (tabs are not YAML indentation, so they end the count)."""
    return len(line) - len(line.lstrip(" "))


def is_blank_or_comment(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def is_directive(line: str) -> bool:
    """A line holding only template actions (`{{- if … }}`, `{{- end }}`), no YAML of its own."""
    stripped = line.strip()
    return stripped.startswith("{{") and stripped.endswith("}}") and "}}" not in stripped[2:-2]


def is_content(line: str) -> bool:
    """A line that is YAML structure: neither blank, comment nor a template-only action."""
    return not is_blank_or_comment(line) and not is_directive(line)


def key_of(line: str) -> str | None:
    match = KEY_LINE.match(line)
    return match.group("key").strip("\"'") if match else None


def child_indent(line: str) -> int:
    """Indentation of the keys of a mapping opened on `line` (past a list dash when there is one)."""
    match = KEY_LINE.match(line)
    if match and match.group("dash"):
        return len(match.group("indent")) + len(match.group("dash"))
    return indent_of(line)


def block_end(lines: list[str], start: int) -> int:
    """Index just past the block opened by `lines[start]`: its deeper lines and the directives among them."""
    base = indent_of(lines[start])
    opener = KEY_LINE.match(lines[start])
    opens_mapping = opener is not None and not opener.group("rest")
    last = start
    for i in range(start + 1, len(lines)):
        line = lines[i]
        if is_blank_or_comment(line):
            continue
        deeper = indent_of(line) > base
        # `key:` followed by `- item` at the same indentation is a compact block sequence
        compact_item = opens_mapping and indent_of(line) == base and line.lstrip().startswith("- ")
        if is_directive(line):
            if not deeper:
                break
        elif not (deeper or compact_item):
            break
        last = i
    return last + 1


def scalar_of(line: str) -> str | None:
    """The scalar after `key:` without a trailing comment, or None when the key opens a block."""
    match = KEY_LINE.match(line)
    if not match or not match.group("rest"):
        return None
    rest = match.group("rest")
    if rest.startswith(("'", '"')):
        return rest
    value = TRAILING_COMMENT.match(rest)
    return value.group("value") if value else rest


def with_scalar(line: str, new_value: str) -> str:
    """`line` with the value after `key:` replaced, keeping indentation and any trailing comment."""
    match = KEY_LINE.match(line)
    if not match:
        raise ValueError(f"not a 'key: value' line: {line!r}")
    rest = match.group("rest") or ""
    comment = ""
    if not rest.startswith(("'", '"')):
        parts = TRAILING_COMMENT.match(rest)
        comment = (parts.group("comment") or "") if parts else ""
    else:
        quote = rest[0]
        close = rest.find(quote, 1)
        if close != -1:
            tail = rest[close + 1 :]
            comment = tail if tail.strip().startswith("#") else ""
    head = line[: match.start("rest")] if match.group("rest") is not None else line.rstrip() + " "
    return f"{head}{new_value}{comment}"


def find_path(lines: list[str], path: list[str | int]) -> int | None:
    """Line index of a key path (`["service", "port"]`, `["ports", 0, "containerPort"]`) in plain YAML."""
    start, end = 0, len(lines)
    parent_indent = -1
    found: int | None = None
    for part in path:
        found = None
        if isinstance(part, int):
            items = [
                i
                for i in range(start, end)
                if is_content(lines[i])
                and lines[i].lstrip().startswith("- ")
                and indent_of(lines[i]) >= parent_indent
            ]
            if items:
                item_indent = indent_of(lines[items[0]])
                items = [i for i in items if indent_of(lines[i]) == item_indent]
            if part >= len(items):
                return None
            found = items[part]
            # the item's first key sits on the dash line: search it again for the next part
            start, end = found, block_end(lines, found)
            parent_indent = indent_of(lines[found])
            continue
        for i in range(start, end):
            line = lines[i]
            if not is_content(line):
                continue
            match = KEY_LINE.match(line)
            if match is None or match.group("key").strip("\"'") != part:
                continue
            if child_indent(line) > parent_indent or (i == start and match.group("dash")):
                found = i
                break
        if found is None:
            return None
        start, end = found + 1, block_end(lines, found)
        parent_indent = child_indent(lines[found])
    return found


def split_lines(text: str) -> list[str]:
    return text.split("\n")


def join_lines(lines: list[str]) -> str:
    return "\n".join(lines)


def document_bounds(lines: list[str]) -> list[tuple[int, int]]:
    """(start, end) line ranges of the YAML documents in a multi-document file, split at `---`."""
    bounds, start = [], 0
    for i, line in enumerate(lines):
        if line.startswith("---"):
            bounds.append((start, i))
            start = i + 1
    bounds.append((start, len(lines)))
    return bounds
