"""YAML syntax: tab characters and lines indented off their siblings, in templates and values files.

Mirrors helm lint's "unable to parse YAML" / "cannot unmarshal" errors (`helm-lint`, `yaml/*`).
Each candidate re-indent is kept only if the file (templates: with template actions blanked out)
then parses, so a fix never trades one syntax error for another; among the placements that parse,
the one whose objects best fit their Kubernetes schema wins (a `template:` one space too deep goes
back under `spec`, not under `spec.selector`). Only templates and values files are edited: files
under crds/ and files/ are data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import yaml

from agents.heal.fixers.contract import FixOutcome
from agents.heal.yaml_text import KEY_LINE, indent_of, is_content, split_lines
from agents.validate.finding import Finding

YAML_ERROR = re.compile(
    r"yaml|found character that cannot start any token|did not find expected|mapping values are not allowed"
    r"|could not find expected|tab|indent",
    re.IGNORECASE,
)
ACTION = re.compile(r"{{.*?}}")


def _parse_view(text: str, is_template: bool) -> str:
    """What YAML structure a template has: action-only lines dropped, inline actions replaced by a scalar."""
    if not is_template:
        return text
    kept = []
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith("{{") and stripped.endswith("}}"):
            continue
        kept.append(ACTION.sub("x", line))
    return "\n".join(kept)


def parses(text: str, is_template: bool) -> bool:
    try:
        list(yaml.safe_load_all(_parse_view(text, is_template)))
    except yaml.YAMLError:
        return False
    return True


def _opens_block(line: str) -> bool:
    match = KEY_LINE.match(line)
    return bool(match and not match.group("rest"))


def sibling_indent(lines: list[str], index: int) -> int:
    """Where a line belongs: under an opener just above it, else level with the line above."""
    prev = next(
        (lines[j] for j in range(index - 1, -1, -1) if is_content(lines[j]) and "\t" not in lines[j][:1]),
        None,
    )
    nxt = next((lines[j] for j in range(index + 1, len(lines)) if is_content(lines[j])), None)
    if prev is None:
        return 0
    if _opens_block(prev):
        if nxt is not None and indent_of(nxt) > indent_of(prev):
            return indent_of(nxt)
        return indent_of(prev) + 2
    return indent_of(prev) if not prev.lstrip().startswith("- ") else indent_of(prev) + 2


def replace_tabs(lines: list[str]) -> list[int]:
    """Re-indent every tab-indented line to its sibling keys' indentation; returns the 1-based lines."""
    fixed = []
    for i, line in enumerate(lines):
        lead = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in lead:
            lines[i] = " " * sibling_indent(lines, i) + line.lstrip(" \t")
            fixed.append(i + 1)
    return fixed


def structure_problems(text: str, is_template: bool, kube_version: str | None) -> int:
    """How many keys of the file's objects sit where their schema has no such key, or are missing
    where it requires one (scalar types are ignored: template actions were blanked out)."""
    if kube_version is None:
        return 0
    from agents.validate.kube_schema import kube_schema_problems

    try:
        docs = [d for d in yaml.safe_load_all(_parse_view(text, is_template)) if isinstance(d, dict)]
    except yaml.YAMLError:
        return 1_000
    count = 0
    for doc in docs:
        try:
            problems = kube_schema_problems(kube_version, doc) or ()
        except Exception:  # an object whose apiVersion/kind is blanked out has no schema to ask
            continue
        count += sum(1 for p in problems if STRUCTURAL.search(p.message))
    return count


STRUCTURAL = re.compile(r"is a required property|Additional properties are not allowed|unexpected")


def reindent_one_line(lines: list[str], is_template: bool, kube_version: str | None = None) -> int | None:
    """Move the one line whose indentation breaks parsing to the placement that parses and best fits
    the schema; returns its 1-based number, or None when no placement parses."""
    content = [i for i, line in enumerate(lines) if is_content(line)]
    odd = [i for i in content if indent_of(lines[i]) % 2]
    for i in odd + [i for i in content if i not in odd]:
        original = lines[i]
        candidates = [sibling_indent(lines, i)]
        candidates += [indent_of(lines[j]) for j in content if j < i][-3:]
        fitting: list[tuple[int, int]] = []  # (structure problems, indent), in candidate order
        for indent in dict.fromkeys(candidates):
            if indent == indent_of(original):
                continue
            lines[i] = " " * indent + original.lstrip(" ")
            text = "\n".join(lines)
            if parses(text, is_template):
                fitting.append((structure_problems(text, is_template, kube_version), indent))
        if fitting:
            best = min(fitting, key=lambda f: f[0])  # min keeps the first of equals
            lines[i] = " " * best[1] + original.lstrip(" ")
            return i + 1
        lines[i] = original
    return None


EDITABLE_YAML = ("templates/", "ci/")
EDITABLE_TOP = ("values.yaml", "Chart.yaml")


def is_editable(path: str) -> bool:
    """Templates and values files; crds/ and files/ hold data the chart ships as it is."""
    return path in EDITABLE_TOP or (path.startswith(EDITABLE_YAML) and path.count("/") >= 1)


class YamlIndentationFixer:
    name = "yaml-indentation"

    def handles(self, finding: Finding) -> bool:
        return bool(YAML_ERROR.search(finding.message)) and (
            finding.rule_id.startswith(("helm-lint", "yaml", "render", "lint"))
            or "parse" in finding.message.lower()
        )

    def fix(
        self, files: dict[str, str], findings: Sequence[Finding], kube_versions: Sequence[str]
    ) -> FixOutcome:
        out = dict(files)
        changes: list[str] = []
        kube_version = kube_versions[0] if kube_versions else None
        for path, text in files.items():
            if not path.endswith((".yaml", ".yml")) or not is_editable(path):
                continue
            is_template = path.startswith("templates/")
            lines = split_lines(text)
            tabbed = replace_tabs(lines)
            if tabbed:
                changes.append(f"{path}: replaced tab indentation on line(s) {', '.join(map(str, tabbed))}")
            if not parses("\n".join(lines), is_template):
                moved = reindent_one_line(lines, is_template, kube_version if is_template else None)
                if moved is not None:
                    changes.append(f"{path}: re-indented line {moved} to its sibling keys")
            new = "\n".join(lines)
            if new != text:
                out[path] = new
        return FixOutcome(out, changes)
