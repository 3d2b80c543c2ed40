"""Fixers for what only CI reports: a chart version that must be bumped, a field type the schema
rejects (kubeconform/kubeval name the field, not the value), and yamllint's layout rules.

They follow `agents.heal.fixers.contract.Fixer` and run before the validator's fixers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import yaml

from agents.heal.fixers.chart_metadata import SEMVER
from agents.heal.fixers.contract import Fixer, FixOutcome
from agents.heal.fixers.field_types import self_fix
from agents.heal.yaml_text import find_path, indent_of, split_lines, with_scalar
from agents.validate.finding import Finding

CHART_FILE = "Chart.yaml"
TYPE_KEY = re.compile(r"(?P<key>\w+) must be of type '(?P<type>integer|boolean|number)'")
WRONG_INDENT = re.compile(r"wrong indentation: expected (?P<expected>\d+) but found (?P<found>\d+)")


def bumped(version: str) -> str | None:
    """`1.2.3` → `1.2.4`; a pre-release `1.2.3-rc.1` → `1.2.3`; None when not SemVer."""
    match = SEMVER.match(version)
    if not match:
        return None
    major, minor, patch = (int(p) for p in match.groups()[:3])
    core = f"{major}.{minor}.{patch}"
    return core if "-" in version.split("+")[0] else f"{major}.{minor}.{patch + 1}"


class VersionBumpFixer:
    """`ct lint`'s "Chart version not ok. Needs a version bump!": raise the patch version."""

    name = "chart-version-bump"

    def handles(self, finding: Finding) -> bool:
        return finding.rule_id == "ct/version-bump"

    def fix(
        self, files: dict[str, str], findings: Sequence[Finding], kube_versions: Sequence[str]
    ) -> FixOutcome:
        text = files.get(CHART_FILE)
        if text is None:
            return FixOutcome(files)
        try:
            meta = yaml.safe_load(text) or {}
        except yaml.YAMLError:
            return FixOutcome(files)
        version = str(meta.get("version", "")) if isinstance(meta, dict) else ""
        new = bumped(version)
        lines = split_lines(text)
        index = find_path(lines, ["version"])
        if new is None or index is None:
            return FixOutcome(files)
        lines[index] = with_scalar(lines[index], new)
        change = f"{CHART_FILE}:{index + 1}: version {version} → {new} (ct lint: the version must be bumped)"
        return FixOutcome({**files, CHART_FILE: "\n".join(lines)}, [change])


class SchemaTypeFixer:
    """kubeconform/kubeval/API server "replicas must be of type 'integer', got string": unquote that key."""

    name = "schema-type"

    def handles(self, finding: Finding) -> bool:
        return finding.rule_id == "schema/type" and bool(TYPE_KEY.search(finding.message))

    def fix(
        self, files: dict[str, str], findings: Sequence[Finding], kube_versions: Sequence[str]
    ) -> FixOutcome:
        out = dict(files)
        changes: list[str] = []
        for key in sorted({m["key"] for f in findings if (m := TYPE_KEY.search(f.message))}):
            named = {f.file for f in findings if f.file and f.file.startswith("templates/")}
            templates = {p for p in out if p.startswith("templates/") and p.endswith((".yaml", ".tpl"))}
            for scope in (named, templates):
                if scope and self_fix(out, {key}, None, templates_only=scope, template=True, changes=changes):
                    break
            else:
                values = {
                    p for p in out if p == "values.yaml" or (p.startswith("ci/") and p.endswith(".yaml"))
                }
                self_fix(out, {key}, None, templates_only=values, template=False, changes=changes)
        return FixOutcome(out, changes)


class YamllintFixer:
    """yamllint's layout rules at the reported line: trailing spaces, final newline, indentation, blank lines."""

    name = "yamllint"

    def handles(self, finding: Finding) -> bool:
        return finding.rule_id in (
            "yamllint/trailing-spaces",
            "yamllint/new-line-at-end-of-file",
            "yamllint/indentation",
            "yamllint/empty-lines",
        )

    def fix(
        self, files: dict[str, str], findings: Sequence[Finding], kube_versions: Sequence[str]
    ) -> FixOutcome:
        out = dict(files)
        changes: list[str] = []
        # bottom-up per file, so removing a blank line does not shift the lines still to fix
        ordered = sorted(findings, key=lambda f: (f.file or "", -(f.line or 0)))
        for finding in ordered:
            path, number = finding.file, finding.line
            if path is None or path not in out:
                continue
            text = out[path]
            rule = finding.rule_id.removeprefix("yamllint/")
            if rule == "new-line-at-end-of-file":
                if not text.endswith("\n"):
                    out[path] = text + "\n"
                    changes.append(f"{path}: added the missing newline at the end of the file")
                continue
            lines = split_lines(text)
            if number is None or not 1 <= number <= len(lines):
                continue
            i = number - 1
            if rule == "trailing-spaces" and lines[i] != lines[i].rstrip():
                lines[i] = lines[i].rstrip()
                changes.append(f"{path}:{number}: removed trailing spaces")
            elif rule == "empty-lines" and not lines[i].strip():
                del lines[i]
                changes.append(f"{path}:{number}: removed an extra blank line")
            elif rule == "indentation" and (m := WRONG_INDENT.search(finding.message)):
                shift = int(m["expected"]) - int(m["found"])
                if indent_of(lines[i]) != int(m["found"]) or shift == 0:
                    continue
                base = indent_of(lines[i])
                end = i + 1
                # yamllint names the first line of a block; its siblings and children move with it
                while end < len(lines) and (not lines[end].strip() or indent_of(lines[end]) >= base):
                    end += 1
                for j in range(i, end):
                    if lines[j].strip():
                        lines[j] = " " * (indent_of(lines[j]) + shift) + lines[j].lstrip(" ")
                changes.append(f"{path}:{number}: indented {m['expected']} spaces instead of {m['found']}")
            else:
                continue
            out[path] = "\n".join(lines)
        return FixOutcome(out, changes)


CI_FIXERS: list[Fixer] = [VersionBumpFixer(), SchemaTypeFixer(), YamllintFixer()]
