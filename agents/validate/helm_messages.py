"""Helm's lint and render messages turned into findings with a file and a line."""

from __future__ import annotations

import re

from agents.validate.engine import LintMessage, strip_chart_prefix
from agents.validate.finding import Finding, Severity
from agents.validate.locate import TemplateLocator

# "parse error at (chart/templates/x.yaml:5): …", "template: chart/templates/x.yaml:12:3: executing …"
TEMPLATE_POSITION = re.compile(r"(?:\(|template: )([\w.\-]+/(?:templates|charts)/[^:()\s]+):(\d+)")
# "unclosed action started at chart/templates/x.yaml:4": the opening line is where the fix goes
STARTED_AT = re.compile(r"started at ([\w.\-]+/(?:templates|charts)/[^:()\s]+):(\d+)")
YAML_LINE = re.compile(r"yaml: line (\d+)")
DEPRECATION = re.compile(r" is deprecated in v[\d.]+\+")
SCHEMA_VIOLATION = re.compile(r"^- at '([^']*)'")

HINTS = {
    "parse error": "fix the template syntax at this line (unclosed {{ }}, missing {{ end }}, bad pipeline)",
    "yaml:": "fix the indentation at this line: list items under their key, nindent matching the parent",
    "chart.metadata": "complete Chart.yaml (apiVersion: v2, name, version as SemVer)",
    "schema": "make values.yaml match values.schema.json (or fix the schema)",
    "is required": "add the missing field to Chart.yaml",
    "semver": "use a SemVer 2 version in Chart.yaml (e.g. 0.1.0)",
    "icon is recommended": "add `icon:` (an https URL) to Chart.yaml",
}


def _hint(text: str) -> str:
    lowered = text.lower()
    return next(
        (hint for key, hint in HINTS.items() if key in lowered), "see `helm lint --strict` on this chart"
    )


def position_of(
    text: str, path: str, locator: TemplateLocator | None, values_file: str = "values.yaml"
) -> tuple[str | None, int | None]:
    """The file and line a Helm message is about."""
    match = STARTED_AT.search(text) or TEMPLATE_POSITION.search(text)
    if match:
        return strip_chart_prefix(match.group(1)), int(match.group(2))
    file = path.strip() or None
    if file and file.endswith("/"):
        file = None  # "templates/": Helm names the directory when the error is in the values
    yaml_line = YAML_LINE.search(text)
    if file and yaml_line:
        line = int(yaml_line.group(1))
        if locator is not None and file.startswith("templates/"):
            return file, locator.line_of_rendered(values_file, file, line)
        return file, line
    if file is None and "chart.metadata" in text:
        return "Chart.yaml", None
    if file is None and ("schema" in text or SCHEMA_VIOLATION.search(text)):
        return "values.yaml", None
    return file, None


def lint_findings(messages: list[LintMessage], locator: TemplateLocator | None) -> list[Finding]:
    """`helm-lint` findings; deprecation notices are left to the api/ rules, which know the replacement."""
    findings: list[Finding] = []
    for message in messages:
        if DEPRECATION.search(message.text):
            continue
        file, line = position_of(message.text, message.path, locator)
        findings.append(
            Finding(
                rule_id="helm-lint",
                severity=message.severity,
                message=" ".join(message.text.split()),
                file=file,
                line=line,
                hint=_hint(message.text),
            )
        )
    return findings


def render_finding(error: str, values_file: str, locator: TemplateLocator | None) -> Finding:
    file, line = position_of(error, "", locator, values_file)
    return Finding(
        rule_id="render",
        severity=Severity.ERROR,
        message=f"helm template with {values_file} failed: {' '.join(error.split())}",
        file=file or values_file,
        line=line,
        hint=_hint(error),
        values_file=values_file,
    )
