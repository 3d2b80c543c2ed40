"""Kubernetes schema type errors: numbers and booleans written as strings (`containerPort: "80"`).

Mirrors the validator's `schema` rule (kubernetes-validate's "'80' is not of type 'integer'").
The quoted value is unquoted where it is written: the template line (a literal or `| quote`), or
the values file line that feeds it through `toYaml`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from agents.heal.fixers.contract import FixOutcome
from agents.heal.yaml_text import KEY_LINE, split_lines
from agents.validate.finding import Finding

TYPE_ERROR = re.compile(r"'(?P<value>[^']*)' is not of type '(?P<type>integer|boolean|number)'")
TYPED_KEYS = {
    # integers
    "containerPort",
    "hostPort",
    "port",
    "nodePort",
    "replicas",
    "minReplicas",
    "maxReplicas",
    "averageUtilization",
    "initialDelaySeconds",
    "periodSeconds",
    "timeoutSeconds",
    "failureThreshold",
    "successThreshold",
    "terminationGracePeriodSeconds",
    "runAsUser",
    "runAsGroup",
    "fsGroup",
    "revisionHistoryLimit",
    "progressDeadlineSeconds",
    "minReadySeconds",
    "backoffLimit",
    "completions",
    "parallelism",
    "activeDeadlineSeconds",
    "ttlSecondsAfterFinished",
    "successfulJobsHistoryLimit",
    "failedJobsHistoryLimit",
    "startingDeadlineSeconds",
    "maxSkew",
    "weight",
    "number",
    "defaultMode",
    "stabilizationWindowSeconds",
    "value",
    "priority",
    # booleans
    "runAsNonRoot",
    "readOnlyRootFilesystem",
    "allowPrivilegeEscalation",
    "privileged",
    "readOnly",
    "automountServiceAccountToken",
    "hostNetwork",
    "hostPID",
    "hostIPC",
    "suspend",
    "stdin",
    "tty",
    "enableServiceLinks",
    "shareProcessNamespace",
    "optional",
    "publishNotReadyAddresses",
}
QUOTE_PIPE = re.compile(r"\s*\|\s*(quote|squote|toString)(?=\s*-?}})")
QUOTE_CALL = re.compile(r"{{(-?)\s*(quote|squote|toString)\s+")


def _unquoted_literal(rest: str, value: str | None) -> str | None:
    for quote in ('"', "'"):
        if len(rest) >= 2 and rest[0] == quote and rest.endswith(quote):
            inner = rest[1:-1]
            if (value is None and re.fullmatch(r"-?\d+(\.\d+)?|true|false", inner)) or inner == value:
                return inner
    return None


def _fixed_line(line: str, keys: set[str], value: str | None, template: bool) -> str | None:
    match = KEY_LINE.match(line)
    if not match or match.group("key") not in keys or not match.group("rest"):
        return None
    rest = match.group("rest").split(" #")[0].rstrip()
    literal = _unquoted_literal(rest, value)
    if literal is not None:
        return line.replace(rest, literal, 1)
    if template and "{{" in rest:
        fixed = QUOTE_CALL.sub(lambda m: "{{" + m.group(1) + " ", QUOTE_PIPE.sub("", rest))
        if fixed != rest:
            return line.replace(rest, fixed, 1)
    return None


def type_errors(findings: Sequence[Finding]) -> list[tuple[str | None, str]]:
    """(key or None, quoted value) for each "'x' is not of type" finding."""
    errors = []
    for finding in findings:
        for match in TYPE_ERROR.finditer(finding.message):
            words = re.findall(
                r"[A-Za-z]+", finding.message[: match.start()] + " " + finding.message[match.end() :]
            )
            key = next((w for w in reversed(words) if w in TYPED_KEYS), None)
            errors.append((key, match.group("value")))
    return errors


class FieldTypesFixer:
    name = "field-types"

    def handles(self, finding: Finding) -> bool:
        return bool(TYPE_ERROR.search(finding.message)) and "values" not in (finding.file or "")

    def fix(
        self, files: dict[str, str], findings: Sequence[Finding], kube_versions: Sequence[str]
    ) -> FixOutcome:
        out = dict(files)
        changes: list[str] = []
        targets = {f.file for f in findings if f.file and f.file.startswith("templates/")}
        for key, value in type_errors(findings) or [(None, None)]:  # type: ignore[list-item]
            keys = {key} if key else TYPED_KEYS
            done = bool(targets) and self_fix(
                out, keys, value, templates_only=targets, template=True, changes=changes
            )
            if not done:  # the finding names the rendered file; the line may live in a helper .tpl
                every_template = {
                    p for p in out if p.startswith("templates/") and p.endswith((".yaml", ".tpl"))
                }
                done = self_fix(
                    out, keys, value, templates_only=every_template, template=True, changes=changes
                )
            if not done:
                values_paths = [
                    p for p in out if p == "values.yaml" or (p.startswith("ci/") and p.endswith(".yaml"))
                ]
                self_fix(out, keys, value, templates_only=set(values_paths), template=False, changes=changes)
        return FixOutcome(out, changes)


def self_fix(
    files: dict[str, str],
    keys: set[str],
    value: str | None,
    templates_only: set[str] | None,
    template: bool,
    changes: list[str],
) -> bool:
    """Unquote matching lines in the chosen files (all templates when None); True when any changed."""
    changed = False
    for path in sorted(files):
        if templates_only is not None and path not in templates_only:
            continue
        if templates_only is None and not (path.startswith("templates/") and path.endswith(".yaml")):
            continue
        lines = split_lines(files[path])
        for i, line in enumerate(lines):
            fixed = _fixed_line(line, keys, value, template and path.startswith("templates/"))
            if fixed is not None and fixed != line:
                lines[i] = fixed
                changes.append(
                    f"{path}:{i + 1}: {line.strip()} → {fixed.strip()} (the schema wants a number/boolean)"
                )
                changed = True
        files[path] = "\n".join(lines)
    return changed
