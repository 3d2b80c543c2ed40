"""From a rendered object and a key path to the line of the TEMPLATE the user has to edit."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from agents.validate.manifests import PathPart, RenderedObject

KIND_LINE = re.compile(r"^\s*kind:\s*['\"]?([A-Za-z0-9]+)")


class TemplateLocator:
    """Maps rendered lines back to template lines by matching text near the object's `kind:` line.

    Helm does not keep a source map, so we match the rendered line's text (exact, then by key)
    against the template, preferring the candidate nearest to where the object sits in it.
    """

    def __init__(self, chart_dir: Path, rendered: dict[str, dict[str, str]]) -> None:
        self.chart_dir = chart_dir
        self.rendered = rendered  # values file -> template -> rendered text
        self._sources: dict[str, list[str]] = {}

    def source_lines(self, template: str) -> list[str]:
        if template not in self._sources:
            try:
                self._sources[template] = (self.chart_dir / template).read_text().splitlines()
            except (OSError, UnicodeDecodeError):
                self._sources[template] = []
        return self._sources[template]

    def _rendered_lines(self, values_file: str, template: str) -> list[str]:
        return self.rendered.get(values_file, {}).get(template, "").splitlines()

    def line_of(self, obj: RenderedObject, path: Sequence[PathPart] = ()) -> int:
        """Best template line for `path` inside `obj` (the object's `kind:` line when nothing closer)."""
        source = self.source_lines(obj.template)
        anchor = self._kind_anchor(obj, source)
        if not path or not source:
            return anchor
        rendered_line = obj.rendered_line(path)
        kind_rendered = obj.rendered_line(["kind"])
        expected = anchor + (rendered_line - kind_rendered)
        rendered = self._rendered_lines(obj.values_file, obj.template)
        text = rendered[rendered_line - 1] if 0 < rendered_line <= len(rendered) else ""
        found = _nearest_match(source, text, expected)
        return found if found is not None else anchor

    def line_of_rendered(self, values_file: str, template: str, rendered_line: int) -> int | None:
        """Template line for a line of a template's rendered output (YAML errors report those)."""
        source = self.source_lines(template)
        rendered = self._rendered_lines(values_file, template)
        if not source:
            return None
        if not 0 < rendered_line <= len(rendered):
            return min(max(rendered_line, 1), len(source))
        found = _nearest_match(source, rendered[rendered_line - 1], rendered_line)
        return found if found is not None else min(rendered_line, len(source))

    @staticmethod
    def _kind_anchor(obj: RenderedObject, source: list[str]) -> int:
        kind_lines = [
            i + 1 for i, line in enumerate(source) if (m := KIND_LINE.match(line)) and m.group(1) == obj.kind
        ]
        if kind_lines:
            return kind_lines[0]
        any_kind = [i + 1 for i, line in enumerate(source) if line.lstrip().startswith("kind:")]
        return any_kind[0] if any_kind else 1


def _nearest_match(source: list[str], rendered_text: str, expected: int) -> int | None:
    """Template line equal to the rendered text, else with the same key; nearest to `expected`."""
    wanted = rendered_text.strip()
    if not wanted:
        return None
    exact = [i + 1 for i, line in enumerate(source) if line.strip() == wanted]
    if exact:
        return min(exact, key=lambda n: abs(n - expected))
    key = re.match(r"^(?:-\s+)?([\w.\-/]+):", wanted)
    if key:
        pattern = re.compile(rf"^\s*(?:-\s+)?['\"]?{re.escape(key.group(1))}['\"]?:")
        by_key = [i + 1 for i, line in enumerate(source) if pattern.match(line)]
        if by_key:
            return min(by_key, key=lambda n: abs(n - expected))
    return None
