"""Rendered manifests parsed into objects that remember where they came from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from agents.validate.finding import Finding, Severity

_BASE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RESOLVED_LIMIT = 50_000


class _RememberingResolveLoader(_BASE_LOADER):  # type: ignore[valid-type,misc]
    """The safe loader, remembering which tag a plain scalar resolves to.

    Even libyaml calls back into Python's resolver for every scalar, which tries a list of regular
    expressions (int, float, bool, null, timestamp…) each time. For the safe loader the answer
    depends only on the scalar's text and its implicit flags, and manifests repeat the same
    scalars ("true", "TCP", "http", label values) over and over.
    """

    _resolved: dict[tuple[str, tuple[bool, bool]], str] = {}

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> str:
        if kind is not yaml.ScalarNode or self.yaml_path_resolvers:
            return str(super().resolve(kind, value, implicit))
        key = (value, implicit)
        tag = self._resolved.get(key)
        if tag is None:
            tag = str(super().resolve(kind, value, implicit))
            if len(self._resolved) >= _RESOLVED_LIMIT:
                self._resolved.clear()
            self._resolved[key] = tag
        return tag


# libyaml when PyYAML was built with it: an order of magnitude faster than the pure-Python loader
FAST_SAFE_LOADER: type[yaml.SafeLoader] = _RememberingResolveLoader
_LOADER = FAST_SAFE_LOADER
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")

PathPart = str | int


@dataclass(frozen=True)
class RenderedObject:
    """One Kubernetes object of one render: its data, its YAML node (for lines) and its template."""

    template: str  # "templates/deployment.yaml"
    values_file: str  # "values.yaml" or "ci/x-values.yaml"
    doc: dict[str, Any]
    node: yaml.Node = field(repr=False, compare=False)

    @property
    def kind(self) -> str:
        return str(self.doc.get("kind", ""))

    @property
    def api_version(self) -> str:
        return str(self.doc.get("apiVersion", ""))

    @property
    def name(self) -> str:
        meta = self.doc.get("metadata")
        return str(meta.get("name", "")) if isinstance(meta, dict) else ""

    @property
    def ref(self) -> str:
        return f"{self.kind}/{self.name}"

    def rendered_line(self, path: Sequence[PathPart]) -> int:
        """1-based line in the rendered text of the deepest node along `path` (the key's line)."""
        node: yaml.Node = self.node
        line = node.start_mark.line
        for part in path:
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                match = next(((k, v) for k, v in node.value if getattr(k, "value", None) == part), None)
                if match is None:
                    break
                line, node = match[0].start_mark.line, match[1]
            elif (
                isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value)
            ):
                node = node.value[part]
                line = node.start_mark.line
            else:
                break
        return line + 1


@dataclass
class ParsedRender:
    """The objects of one render plus the YAML errors that stopped some templates from parsing."""

    values_file: str
    objects: list[RenderedObject]
    broken: dict[str, int]  # template -> 1-based rendered line of its YAML error
    errors: dict[str, str]  # template -> YAML error message
    stray: list[tuple[str, int]] = field(
        default_factory=list
    )  # (template, rendered line) of non-object documents
    duplicates: list[tuple[str, int, str]] = field(default_factory=list)  # (template, rendered line, key)


@dataclass(frozen=True)
class _TemplateParse:
    """What one rendered template's text parses to, independent of the render it came from."""

    docs: tuple[tuple[dict[str, Any], yaml.Node], ...] = ()
    stray: tuple[int, ...] = ()  # rendered lines of non-object documents
    error: tuple[int, str] | None = None  # (rendered line, message) of the YAML error
    duplicates: tuple[tuple[int, str], ...] = ()  # (rendered line, key) of keys set twice in one mapping


def duplicate_keys(node: yaml.Node) -> list[tuple[int, str]]:
    """(1-based line, key) of every key repeated within one mapping: YAML forbids it, and
    Kubernetes (like PyYAML) would silently keep only the last value."""
    found: list[tuple[int, str]] = []
    stack = [node]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, yaml.MappingNode):
            keys: set[str] = set()
            for key, value in current.value:
                if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                    if key.value in keys:
                        found.append((key.start_mark.line + 1, str(key.value)))
                    keys.add(key.value)
                stack.append(value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return sorted(found)


LIST_KINDS = frozenset({"List"})


def _list_items(doc: dict[str, Any], node: yaml.Node) -> list[tuple[dict[str, Any], yaml.Node]] | None:
    """The items of a `kind: List` (Helm and kubectl apply each item), or None for any other object."""
    if doc.get("kind") not in LIST_KINDS or not isinstance(doc.get("items"), list):
        return None
    items_node = next(
        (v for k, v in getattr(node, "value", []) if getattr(k, "value", None) == "items"), None
    )
    nodes = items_node.value if isinstance(items_node, yaml.SequenceNode) else []
    return [
        (item, item_node)
        for item, item_node in zip(doc["items"], nodes, strict=False)
        if isinstance(item, dict) and item
    ]


# most templates render to the same text for every values file and on every heal attempt:
# parsed once per process (rules only read the documents); bounded so a long-lived bot stays small
_parsed_texts: dict[str, _TemplateParse] = {}
_PARSED_TEXTS_LIMIT = 4096


def _parse_template(text: str) -> _TemplateParse:
    try:
        nodes = list(yaml.compose_all(text, Loader=_LOADER))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        return _TemplateParse(error=((mark.line + 1) if mark is not None else 1, " ".join(str(exc).split())))
    constructor = _LOADER("")
    docs: list[tuple[dict[str, Any], yaml.Node]] = []
    stray: list[int] = []
    error: tuple[int, str] | None = None
    duplicates: list[tuple[int, str]] = []
    for node in nodes:
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"):
            continue  # an empty document (a disabled `{{- if }}` block)
        if not isinstance(node, yaml.MappingNode):
            stray.append(node.start_mark.line + 1)
            continue
        try:
            doc = constructor.construct_document(node)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = (mark.line + 1) if mark is not None else node.start_mark.line + 1
            error = (line, " ".join(str(exc).split()))  # the template's other documents still count
            continue
        duplicates += duplicate_keys(node)
        if isinstance(doc, dict) and doc:
            items = _list_items(doc, node)
            docs += items if items is not None else [(doc, node)]
    return _TemplateParse(docs=tuple(docs), stray=tuple(stray), error=error, duplicates=tuple(duplicates))


def forget_parsed_texts() -> None:
    """Drop every remembered parse: the next `parse_manifests` of any text parses it again."""
    _parsed_texts.clear()


def parsed_object_nodes(text: str) -> tuple[yaml.Node, ...] | None:
    """The YAML nodes of the objects in a rendered template text `parse_manifests` has parsed,
    when every document of it parsed (None when unknown, or when the text has a YAML error)."""
    result = _parsed_texts.get(text)
    if result is None or result.error is not None:
        return None
    return tuple(node for _, node in result.docs)


def parse_manifests(values_file: str, manifests: dict[str, str]) -> ParsedRender:
    """Split each rendered template into objects; a YAML error in one template spares the others."""
    parsed = ParsedRender(values_file=values_file, objects=[], broken={}, errors={}, stray=[])
    for template, text in manifests.items():
        if not template.endswith(MANIFEST_SUFFIXES) or not text.strip():
            continue
        result = _parsed_texts.get(text)
        if result is None:
            if len(_parsed_texts) >= _PARSED_TEXTS_LIMIT:
                _parsed_texts.clear()
            result = _parsed_texts[text] = _parse_template(text)
        parsed.stray += [(template, line) for line in result.stray]
        parsed.duplicates += [(template, line, key) for line, key in result.duplicates]
        if result.error is not None:
            parsed.broken[template], parsed.errors[template] = result.error
        parsed.objects += [RenderedObject(template, values_file, doc, node) for doc, node in result.docs]
    return parsed


def yaml_findings(parsed: ParsedRender, locate_line: dict[str, int]) -> list[Finding]:
    """One `yaml` error per template whose rendered output is not valid YAML or not an object,
    and one per key set twice in a rendered mapping."""
    duplicates = [
        Finding(
            rule_id="yaml/duplicate-key",
            severity=Severity.ERROR,
            message=f"rendered {template} sets key {key!r} twice in one mapping; only the last value would be used",
            file=template,
            line=locate_line.get(f"{template}:{line}"),
            hint="remove one of the two keys (look for a helper or `toYaml` block that already writes it)",
            values_file=parsed.values_file,
        )
        for template, line, key in parsed.duplicates
    ]
    stray = [
        Finding(
            rule_id="yaml",
            severity=Severity.ERROR,
            message=f"rendered {template} holds a document that is not a Kubernetes object (a list or a bare value)",
            file=template,
            line=locate_line.get(f"{template}:{line}"),
            hint="every document must be a mapping with apiVersion and kind; check the indentation of the first line",
            values_file=parsed.values_file,
        )
        for template, line in parsed.stray
    ]
    return (
        duplicates
        + stray
        + [
            Finding(
                rule_id="yaml",
                severity=Severity.ERROR,
                message=f"rendered {template} is not valid YAML: {parsed.errors[template]}",
                file=template,
                line=locate_line.get(template),
                hint="check the indentation around this line (nindent/indent in the template, list items under their key)",
                values_file=parsed.values_file,
            )
            for template in parsed.broken
        ]
    )
