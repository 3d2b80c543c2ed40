"""Containers without probes, resources or a restricted securityContext.

Mirrors the validator's `security/*` rules and checkov's CKV_K8S probe/resource/securityContext
checks. Settings live in values.yaml (so users can tune them) and reach the container through the
template; a chart whose template does not read them yet gets the `with .Values.x` stanza too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import yaml

from agents.heal.fixers.contract import FixOutcome
from agents.heal.values_roundtrip import merge_at
from agents.heal.yaml_text import (
    KEY_LINE,
    block_end,
    child_indent,
    find_path,
    indent_of,
    key_of,
    split_lines,
    with_scalar,
)
from agents.validate.finding import Finding, Severity
from agents.validate.values_yaml import load_values as parse_values  # alias-bomb safe

VALUES_FILE = "values.yaml"
SCHEMA_FILE = "values.schema.json"
NEEDS = {
    "readinessProbe": re.compile(r"readiness", re.IGNORECASE),
    "livenessProbe": re.compile(r"liveness", re.IGNORECASE),
    "resources": re.compile(r"resource|request|limit|memory|cpu", re.IGNORECASE),
    "securityContext": re.compile(
        r"securitycontext|security context|runasnonroot|privilege|capabilit|readonlyroot|seccomp|root",
        re.IGNORECASE,
    ),
}
# the securityContext key each security rule asks for
RULE_KEYS = {
    "security/privilege-escalation": "allowPrivilegeEscalation",
    "security/capabilities": "capabilities",
    "security/run-as-non-root": "runAsNonRoot",
    "security/seccomp": "seccompProfile",
    "security/read-only-root-filesystem": "readOnlyRootFilesystem",
    "security/privileged": "privileged",
}
HANDLERS = ("httpGet", "tcpSocket", "exec", "grpc")
DEFAULT_RESOURCES = {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}}


def restricted_security_context(values: dict[str, Any]) -> dict[str, Any]:
    """The restricted Pod Security Standard for one container, with the pod's user/group when given."""
    given = values.get("podSecurityContext")
    pod: dict[str, Any] = given if isinstance(given, dict) else {}
    return {
        "runAsNonRoot": True,
        "runAsUser": pod.get("runAsUser", 10001),
        "runAsGroup": pod.get("runAsGroup", 10001),
        "allowPrivilegeEscalation": False,
        "privileged": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }


class ContainerDefaultsFixer:
    name = "container-defaults"

    def handles(self, finding: Finding) -> bool:
        text = f"{finding.rule_id} {finding.message}"
        security_rule = finding.rule_id.startswith(
            ("security/", "CKV_K8S", "probe", "resources", "best-practice")
        )
        return security_rule and any(p.search(text) for p in NEEDS.values())

    def fix(
        self, files: dict[str, str], findings: Sequence[Finding], kube_versions: Sequence[str]
    ) -> FixOutcome:
        if VALUES_FILE not in files:
            return FixOutcome(files)
        try:
            values = parse_values(files[VALUES_FILE]) or {}
        except yaml.YAMLError:
            return FixOutcome(files)
        if not isinstance(values, dict):
            return FixOutcome(files)
        needs = [
            need
            for need, pattern in NEEDS.items()
            if any(pattern.search(f"{f.rule_id} {f.message}") for f in findings)
        ]
        out = dict(files)
        changes: list[str] = []
        for need in needs:
            wanted = _default_for(need, values)
            if wanted is None:
                continue
            path = values_path(out, need)
            if path is not None and len(path) > 1:
                if need == "securityContext":  # a person's nested block: add only what was asked
                    asked = {RULE_KEYS[f.rule_id] for f in findings if f.rule_id in RULE_KEYS}
                    wanted = {k: v for k, v in wanted.items() if k in asked}
                _ensure_nested_values(out, path, wanted, changes, _overrules(findings, need))
                continue
            key = _values_key(out, need) or ("securityContext" if need == "securityContext" else need)
            _add_template_stanzas(out, key, need, changes)
            before = out[VALUES_FILE]
            # an explicit `false` the user wrote is only overruled when the validator calls it an error
            overrule = any(
                f.severity == Severity.ERROR and NEEDS[need].search(f"{f.rule_id} {f.message}")
                for f in findings
            )
            _ensure_values(out, values, key, need, wanted, changes, overrule)
            if key not in values and out[VALUES_FILE] != before:
                _ensure_schema_entry(out, key, changes)
        return FixOutcome(out, changes)


def _overrules(findings: Sequence[Finding], need: str) -> bool:
    return any(
        f.severity == Severity.ERROR and NEEDS[need].search(f"{f.rule_id} {f.message}") for f in findings
    )


def _ensure_nested_values(
    files: dict[str, str], path: list[str], wanted: dict[str, Any], changes: list[str], overrule: bool
) -> None:
    """Set a nested values key the templates read, through a comment-keeping round trip."""
    merged = merge_at(files[VALUES_FILE], path, wanted, overrule)
    if merged is None:
        return
    files[VALUES_FILE], set_keys = merged
    changes.append(f"{VALUES_FILE}: {'.'.join(path)}: set {', '.join(set_keys)}")


class _IndentedSequences(yaml.SafeDumper):
    """Writes `key:\n  - item` (the style of generated and most hand-written values files)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _indents_sequences(text: str) -> bool:
    return bool(re.search(r"^\s*[\w.-]+:\n(\s*#.*\n)*\s+- ", text, re.MULTILINE)) or not re.search(
        r"^(\s*)[\w.-]+:\n\1- ", text, re.MULTILINE
    )


def dump_block(value: dict[str, Any], indented_sequences: bool) -> list[str]:
    """YAML lines for a mapping, matching the file's list style, without sorting keys."""
    dumper = _IndentedSequences if indented_sequences else yaml.SafeDumper
    text = yaml.dump(value, Dumper=dumper, default_flow_style=False, sort_keys=False)
    return text.rstrip("\n").split("\n")


def _values_key(files: dict[str, str], need: str) -> str | None:
    """The top-level values key this chart's templates already read for `need` (e.g. containerSecurityContext)."""
    path = values_path(files, need)
    return path[0] if path is not None and len(path) == 1 else None


def values_path(files: dict[str, str], need: str) -> list[str] | None:
    """The values path this chart's templates read for `need`, at its real depth
    (`.Values.app.container.securityContext` -> ["app", "container", "securityContext"])."""
    candidates = ["containerSecurityContext", "securityContext"] if need == "securityContext" else [need]
    templates = "\n".join(t for p, t in files.items() if p.startswith("templates/"))
    for key in candidates:
        pattern = rf"(?:\.Values|\$values|\$\.Values)((?:\.[A-Za-z0-9_]+)*?)\.{key}\b"
        paths = [
            [part for part in m.group(1).split(".") if part] + [key] for m in re.finditer(pattern, templates)
        ]
        if paths:
            return min(paths, key=len)  # the chart-wide key when there is one, else the nested one
    return None


def _default_for(need: str, values: dict[str, Any]) -> dict[str, Any] | None:
    if need == "resources":
        return DEFAULT_RESOURCES
    if need == "securityContext":
        return restricted_security_context(values)
    port = _first_port(values)
    if port is None:
        return None  # without a port only an exec probe fits, and the command is the app's to choose
    probe: dict[str, Any] = {"tcpSocket": {"port": port}}
    if need == "readinessProbe":
        probe.update(initialDelaySeconds=5, periodSeconds=10, timeoutSeconds=3, failureThreshold=3)
    else:
        probe.update(initialDelaySeconds=10, periodSeconds=20, timeoutSeconds=5, failureThreshold=6)
    probe["successThreshold"] = 1
    return probe


def _first_port(values: dict[str, Any]) -> str | int | None:
    ports = values.get("ports")
    if isinstance(ports, list) and ports and isinstance(ports[0], dict):
        return ports[0].get("name") or ports[0].get("containerPort")
    service = values.get("service")
    if isinstance(service, dict) and service.get("port"):
        return "http" if "containerPort" not in values else int(values["containerPort"])
    return None


def _ensure_values(
    files: dict[str, str],
    values: dict[str, Any],
    key: str,
    need: str,
    wanted: dict[str, Any],
    changes: list[str],
    overrule: bool = True,
) -> None:
    lines = split_lines(files[VALUES_FILE])
    index = find_path(lines, [key])
    current = values.get(key)
    is_probe = need.endswith("Probe")
    if is_probe and isinstance(current, dict) and any(h in current for h in HANDLERS):
        enabled = find_path(lines, [key, "enabled"])
        if current.get("enabled") is False and enabled is not None:
            lines[enabled] = with_scalar(lines[enabled], "true")
            changes.append(f"{VALUES_FILE}: {key}.enabled → true")
            files[VALUES_FILE] = "\n".join(lines)
        return
    if isinstance(current, dict) and current and not is_probe:
        _fill_missing_keys(files, lines, key, current, wanted, changes, overrule)
        return
    sibling = values.get("livenessProbe" if need == "readinessProbe" else "readinessProbe")
    if is_probe and any(isinstance(v, dict) and "enabled" in v for v in (current, sibling)):
        wanted = {"enabled": True, **wanted}
    dumped = dump_block(wanted, indented_sequences=_indents_sequences(files[VALUES_FILE]))
    block = [f"{key}:"] + ["  " + line for line in dumped]
    if index is not None:
        lines[index : block_end(lines, index)] = block
    else:
        lines[_insertion_point(lines, key) : _insertion_point(lines, key)] = block
    files[VALUES_FILE] = "\n".join(lines)
    changes.append(f"{VALUES_FILE}: {key} set to {json.dumps(wanted)}")


def _insertion_point(lines: list[str], key: str) -> int:
    """Where a missing top-level key goes: under its documenting comment, else after its sibling, else at the end."""
    for i, line in enumerate(lines):
        if line.startswith("#") and re.search(rf"@param {re.escape(key)}\b", line):
            return i + 1
    sibling = {"readinessProbe": "livenessProbe", "livenessProbe": "readinessProbe"}.get(key)
    at = find_path(lines, [sibling]) if sibling else None
    if at is not None:
        return block_end(lines, at)
    end = len(lines)
    while end > 0 and lines[end - 1] == "":
        end -= 1
    return end


def _fill_missing_keys(
    files: dict[str, str],
    lines: list[str],
    key: str,
    current: dict[str, Any],
    wanted: dict[str, Any],
    changes: list[str],
    overrule: bool,
) -> None:
    """Add the restricted keys a partial block lacks and (when `overrule`) correct unsafe booleans."""
    at = find_path(lines, [key])
    if at is None:
        return
    edited = []
    for field, value in wanted.items():
        if field in current and not isinstance(value, bool):
            continue
        if field in current and (current[field] == value or not overrule):
            continue
        literal = dump_block({field: value}, indented_sequences=_indents_sequences(files[VALUES_FILE]))
        if field in current:
            line = find_path(lines, [key, field])
            if line is not None:
                lines[line] = with_scalar(lines[line], "true" if value else "false")
                edited.append(f"{field}: {json.dumps(value)}")
            continue
        child = (
            indent_of(lines[at + 1])
            if at + 1 < len(lines) and indent_of(lines[at + 1]) > indent_of(lines[at])
            else 2
        )
        end = block_end(lines, at)
        lines[end:end] = [" " * child + line for line in literal]
        edited.append(f"{field}: {json.dumps(value)}")
    if edited:
        files[VALUES_FILE] = "\n".join(lines)
        changes.append(f"{VALUES_FILE}: {key}: {', '.join(edited)}")


CRD_KIND = re.compile(r"^kind:\s*CustomResourceDefinition\s*$", re.MULTILINE)
LONG_RUNNING = re.compile(r"^kind:\s*(Deployment|StatefulSet|DaemonSet)\s*$", re.MULTILINE)


def _add_template_stanzas(files: dict[str, str], key: str, need: str, changes: list[str]) -> None:
    """Give each container that lacks the field a `{{- with .Values.key }}` stanza after its image line."""
    field = "securityContext" if need == "securityContext" else need
    for path, text in list(files.items()):
        if not (path.startswith("templates/") and path.endswith(".yaml")) or "containers:" not in text:
            continue
        if CRD_KIND.search(text):
            continue  # a CRD's schema may name `containers` and `image`: it is data, not a pod

        if need.endswith("Probe") and not LONG_RUNNING.search(text):
            continue  # Jobs run to completion: probes would only kill slow runs
        lines = split_lines(text)
        added = 0
        for i in range(len(lines) - 1, -1, -1):
            if key_of(lines[i]) != "image" or not _in_containers(lines, i):
                continue
            item = _container_item(lines, i)
            match = KEY_LINE.match(lines[i])
            indent = (
                len(match.group("indent")) + len(match.group("dash") or "") if match else indent_of(lines[i])
            )
            item_end = block_end(lines, item)
            if any(
                key_of(lines[j]) == field and child_indent(lines[j]) == indent for j in range(item, item_end)
            ):
                continue
            at = i + 1 if i + 1 < len(lines) and key_of(lines[i + 1]) == "imagePullPolicy" else i
            pad = " " * indent
            root = "$" if dot_is_rebound(lines, i) else ""  # inside with/range `.` is not the root
            lines[at + 1 : at + 1] = [
                f"{pad}{{{{- with {root}.Values.{key} }}}}",
                f"{pad}{field}:",
                f"{pad}  {{{{- toYaml . | nindent {indent + 2} }}}}",
                f"{pad}{{{{- end }}}}",
            ]
            added += 1
        if added:
            files[path] = "\n".join(lines)
            changes.append(f"{path}: {added} container(s) now take {field} from .Values.{key}")


BLOCK_ACTION = re.compile(r"{{-?\s*(with|range|if|define|block|end)\b")


def dot_is_rebound(lines: list[str], index: int) -> bool:
    """Whether line `index` sits inside a `with` or `range` block, where `.` is no longer the root."""
    stack: list[str] = []
    for line in lines[:index]:
        for action in BLOCK_ACTION.findall(line):
            if action == "end":
                if stack:
                    stack.pop()
            else:
                stack.append(action)
    return any(action in ("with", "range") for action in stack)


def _container_item(lines: list[str], image_line: int) -> int:
    """The `- name:` line that opens the container holding `image_line`."""
    if lines[image_line].lstrip().startswith("- "):
        return image_line
    indent = indent_of(lines[image_line])
    for j in range(image_line - 1, -1, -1):
        if lines[j].lstrip().startswith("- ") and indent_of(lines[j]) < indent:
            return j
    return image_line


def _in_containers(lines: list[str], index: int) -> bool:
    for j in range(index - 1, -1, -1):
        key = key_of(lines[j])
        if key in {"containers", "initContainers"} and indent_of(lines[j]) < indent_of(lines[index]):
            return key == "containers"
    return False


def _ensure_schema_entry(files: dict[str, str], key: str, changes: list[str]) -> None:
    """Charts with a values schema get an entry for a new key, so strict schemas still accept it."""
    if SCHEMA_FILE not in files:
        return
    try:
        schema = json.loads(files[SCHEMA_FILE])
    except json.JSONDecodeError:
        return
    properties = schema.get("properties")
    if not isinstance(properties, dict) or key in properties:
        return
    entry = {"type": "object", "description": f"Container {key} (added by autopilot heal)"}
    text = files[SCHEMA_FILE]
    for indent in (2, 4):
        if json.dumps(schema, indent=indent, ensure_ascii=False) + "\n" == text:
            # generated-style JSON: writing it back the same way changes only the new entry
            properties[key] = entry
            files[SCHEMA_FILE] = json.dumps(schema, indent=indent, ensure_ascii=False) + "\n"
            break
    else:
        inserted = _insert_top_level_property(text, key, entry)
        if inserted is None:
            return
        files[SCHEMA_FILE] = inserted
    changes.append(f"{SCHEMA_FILE}: added properties.{key}")


def _insert_top_level_property(text: str, key: str, entry: dict[str, Any]) -> str | None:
    """Add `"key": {...},` as the first top-level property of a hand-formatted schema, touching no other line."""
    depth, in_string, escaped = 0, False, False
    for i, char in enumerate(text):
        if in_string:
            escaped = char == "\\" and not escaped
            if char == '"' and not escaped:
                in_string = False
            continue
        if char == '"':
            if depth == 1 and text.startswith('"properties"', i):
                brace = text.find("{", i)
                line_end = text.find("\n", brace)
                if brace == -1 or line_end == -1 or text[brace + 1 : line_end].strip():
                    return None
                following = text[line_end + 1 :]
                pad = following[: len(following) - len(following.lstrip(" "))]
                addition = f"{pad}{json.dumps(key)}: {json.dumps(entry, ensure_ascii=False)},\n"
                candidate = text[: line_end + 1] + addition + text[line_end + 1 :]
                try:
                    json.loads(candidate)
                except json.JSONDecodeError:
                    return None
                return candidate
            in_string = True
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
    return None
