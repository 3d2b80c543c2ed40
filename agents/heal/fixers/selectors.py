"""Selector/label mismatches: Service selectors and workload selectors that miss the pods' labels.

Mirrors the validator's `wiring/service-selector` and `wiring/*selector*` rules. The fix prefers
the chart's own `<chart>.selectorLabels` helper, so selector and pod labels come from one place.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from agents.heal.fixers.contract import FixOutcome
from agents.heal.yaml_text import (
    KEY_LINE,
    block_end,
    document_bounds,
    indent_of,
    is_content,
    is_directive,
    key_of,
    split_lines,
)
from agents.validate.finding import Finding

HELPER_DEFINE = re.compile(r'define\s+"(?P<name>[^"]+\.selectorLabels)"')
KIND_LINE = re.compile(r"^kind:\s*(?P<kind>\w+)")
WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"}


def selector_helper(files: dict[str, str]) -> str | None:
    """Name of the chart's selector-labels template (`web.selectorLabels`), if it defines one."""
    for path in sorted(files):
        if path.startswith("templates/") and path.endswith(".tpl"):
            match = HELPER_DEFINE.search(files[path])
            if match:
                return match.group("name")
    return None


def include_context(lines: list[str]) -> str:
    """The argument this template passes to its label helpers (`.`, `$` or `$ctx`)."""
    for line in lines:
        match = re.search(r'include\s+"[^"]+\.(?:selectorLabels|labels)"\s+(?P<arg>\$?\w*|\.)', line)
        if match:
            return match.group("arg") or "."
    return "."


def include_line(helper: str, indent: int, context: str) -> str:
    return f'{" " * indent}{{{{- include "{helper}" {context} | nindent {indent} }}}}'


def pod_label_lines(lines: list[str], start: int, end: int) -> list[str]:
    """The literal/template lines under `template.metadata.labels` of a workload document."""
    for i in range(start, end):
        if key_of(lines[i]) == "template":
            t_end = block_end(lines, i)
            for j in range(i + 1, t_end):
                if key_of(lines[j]) == "labels":
                    return [
                        lines[k]
                        for k in range(j + 1, block_end(lines, j))
                        if is_content(lines[k]) or "include" in lines[k]
                    ]
    return []


def selector_block(lines: list[str], spec: int, spec_end: int, helper: str | None, indent: int) -> list[str]:
    """A `selector.matchLabels` block for a workload spec, from the helper or the pod's literal labels."""
    pad = " " * indent
    head = [f"{pad}selector:", f"{pad}  matchLabels:"]
    if helper:
        return [*head, include_line(helper, indent + 4, include_context(lines))]
    labels = [line for line in pod_label_lines(lines, spec, spec_end) if KEY_LINE.match(line)]
    if not labels:
        return []
    base = min(indent_of(line) for line in labels)
    return head + [" " * (indent + 4) + line[base:] for line in labels]


class SelectorFixer:
    name = "selectors"

    def handles(self, finding: Finding) -> bool:
        text = f"{finding.rule_id} {finding.message}".lower()
        return "selector" in text and (
            "label" in text or "match" in text or finding.rule_id.startswith("wiring/")
        )

    def fix(
        self, files: dict[str, str], findings: Sequence[Finding], kube_versions: Sequence[str]
    ) -> FixOutcome:
        helper = selector_helper(files)
        pod_labels = _all_pod_labels(files)
        out = dict(files)
        changes: list[str] = []
        for path, text in files.items():
            if not path.startswith("templates/") or path.endswith((".tpl", ".txt")):
                continue
            lines = split_lines(text)
            notes: list[str] = []
            for start, end in reversed(document_bounds(lines)):
                kind = next((m.group("kind") for m in map(KIND_LINE.match, lines[start:end]) if m), None)
                if kind == "Service":
                    notes += _fix_selector(
                        lines, start, end, ["selector"], helper, pod_labels, "Service selector"
                    )
                elif kind in WORKLOADS:
                    notes += _fix_selector(
                        lines, start, end, ["selector", "matchLabels"], helper, pod_labels, f"{kind} selector"
                    )
            if notes:
                out[path] = "\n".join(lines)
                changes += [f"{path}: {note}" for note in notes]
        return FixOutcome(out, changes)


def _all_pod_labels(files: dict[str, str]) -> dict[str, str]:
    """Literal `key: value` pod labels across workload templates (for charts without a helper)."""
    labels: dict[str, str] = {}
    for path, text in files.items():
        if path.startswith("templates/") and path.endswith(".yaml"):
            lines = split_lines(text)
            for line in pod_label_lines(lines, 0, len(lines)):
                match = KEY_LINE.match(line)
                if match and match.group("rest"):
                    labels[match.group("key")] = match.group("rest")
    return labels


def _fix_selector(
    lines: list[str],
    start: int,
    end: int,
    keys: list[str],
    helper: str | None,
    pod_labels: dict[str, str],
    what: str,
) -> list[str]:
    at = _find_under_spec(lines, start, end, keys)
    if at is None:
        return []
    body_start, body_end = at + 1, block_end(lines, at)
    body = lines[body_start:body_end]
    literal = [line for line in body if KEY_LINE.match(line) and not is_directive(line)]
    has_helper = helper is not None and any(f'"{helper}"' in line for line in body)
    if helper and not has_helper:
        indent = indent_of(lines[at]) + 2
        lines[body_start:body_end] = [include_line(helper, indent, include_context(lines))]
        return [f"{what} now uses the chart's {helper} helper (was {len(literal)} literal label(s))"]
    if not pod_labels:
        return []
    notes = []
    for i in range(body_start, body_end):
        match = KEY_LINE.match(lines[i])
        if not match or is_directive(lines[i]):
            continue
        key, value = match.group("key"), match.group("rest") or ""
        if key in pod_labels and value == pod_labels[key]:
            continue
        wanted = (
            key
            if key in pod_labels
            else next(iter(difflib.get_close_matches(key, list(pod_labels), 1, 0.6)), None)
        )
        if wanted is None:
            continue
        lines[i] = f"{match.group('indent')}{wanted}: {pod_labels[wanted]}"
        notes.append(f"{what} label {key}: {value} → {wanted}: {pod_labels[wanted]} (the pods' label)")
    return notes


def _find_under_spec(lines: list[str], start: int, end: int, keys: list[str]) -> int | None:
    spec = next((i for i in range(start, end) if lines[i].rstrip() == "spec:"), None)
    if spec is None:
        return None
    lo, hi, want_indent = spec + 1, block_end(lines, spec), 2
    found = None
    for key in keys:
        found = next(
            (
                i
                for i in range(lo, hi)
                if is_content(lines[i]) and key_of(lines[i]) == key and indent_of(lines[i]) == want_indent
            ),
            None,
        )
        if found is None:
            return None
        lo, hi, want_indent = found + 1, block_end(lines, found), indent_of(lines[found]) + 2
    return found
