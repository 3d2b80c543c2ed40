"""Required fields the Kubernetes schema wants and the template lacks: pathType, selector, containerPort.

Mirrors the validator's `schema` rule for "'x' is a required property" errors.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import yaml

from agents.heal.fixers.api_versions import add_missing_path_types, ensure_workload_selector, path_type_value
from agents.heal.fixers.contract import FixOutcome
from agents.heal.fixers.selectors import selector_helper
from agents.heal.yaml_text import KEY_LINE, block_end, indent_of, key_of, split_lines
from agents.validate.finding import Finding
from agents.validate.values_yaml import load_values as parse_values  # alias-bomb safe

REQUIRED = re.compile(r"'(?P<field>\w+)' is a required property")
KIND_LINE = re.compile(r"^kind:\s*(?P<kind>\w+)")


class RequiredFieldsFixer:
    name = "required-fields"

    def handles(self, finding: Finding) -> bool:
        return bool(REQUIRED.search(finding.message))

    def fix(
        self, files: dict[str, str], findings: Sequence[Finding], kube_versions: Sequence[str]
    ) -> FixOutcome:
        wanted = {m.group("field") for f in findings for m in REQUIRED.finditer(f.message)}
        helper = selector_helper(files)
        values = _values(files)
        out = dict(files)
        changes: list[str] = []
        for path, text in files.items():
            if not path.startswith("templates/") or not path.endswith(".yaml"):
                continue
            lines = split_lines(text)
            kind = next((m.group("kind") for m in map(KIND_LINE.match, lines) if m), None)
            notes: list[str] = []
            if "pathType" in wanted and kind == "Ingress":
                added = add_missing_path_types(lines, 0, len(lines), values)
                if added:
                    notes.append(f"pathType: {path_type_value(values)} added to {added} Ingress path(s)")
            if "selector" in wanted and kind in {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"}:
                notes += ensure_workload_selector(lines, 0, len(lines), helper)
            if "containerPort" in wanted:
                notes += add_container_ports(lines, values)
            if notes:
                out[path] = "\n".join(lines)
                changes += [f"{path}: {note}" for note in notes]
        return FixOutcome(out, changes)


def _values(files: dict[str, str]) -> dict[str, Any]:
    try:
        loaded = parse_values(files.get("values.yaml", "")) or {}
    except yaml.YAMLError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def add_container_ports(lines: list[str], values: dict[str, object]) -> list[str]:
    """Give each `ports:` item of a container that lacks containerPort the value the chart defines."""
    notes = []
    i = 0
    while i < len(lines):
        if key_of(lines[i]) == "ports" and "containers" in "".join(lines[max(0, i - 40) : i]):
            end = block_end(lines, i)
            items = [
                j
                for j in range(i + 1, end)
                if KEY_LINE.match(lines[j]) and lines[j].lstrip().startswith("- ")
            ]
            for item in reversed(items):
                item_end = block_end(lines, item)
                if any(key_of(lines[j]) == "containerPort" for j in range(item, item_end)):
                    continue
                source = _port_source(lines, i, values)
                if source is None:
                    continue
                key_indent = indent_of(lines[item]) + 2
                lines.insert(item + 1, " " * key_indent + f"containerPort: {source}")
                notes.append(f"containerPort: {source} added to a container port")
            i = end
        i += 1
    return notes


def _port_source(lines: list[str], ports_line: int, values: dict[str, object]) -> str | None:
    """The loop variable's containerPort when ports come from a values list, else a values key."""
    window = "\n".join(lines[max(0, ports_line - 2) : ports_line + 3])
    if re.search(r"range\s+[$.\w]*\.ports\b", window):
        return "{{ .containerPort }}"
    for key in ("containerPort", "port"):
        if isinstance(values.get(key), int):
            return f"{{{{ .Values.{key} }}}}"
    service = values.get("service")
    if isinstance(service, dict) and isinstance(service.get("targetPort"), int):
        return "{{ .Values.service.targetPort }}"
    return None
