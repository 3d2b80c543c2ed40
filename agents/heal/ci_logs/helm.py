"""`helm lint` and `helm template`: YAML parse errors, template execution errors, schema errors.

[ERROR] templates/service.yaml: unable to parse YAML: error converting YAML to JSON: yaml: line 9: …
[ERROR] templates/: template: shop/templates/deployment.yaml:30:28: executing … nil pointer evaluating …
[ERROR] values.yaml: - replicaCount: Invalid type. Expected: integer, given: string
[ERROR] Chart.yaml: version '0.1' is not a valid SemVer
Error: YAML parse error on shop/templates/service.yaml: error converting YAML to JSON: yaml: line 9: …
Error: values don't meet the specifications of the schema(s) in the following chart(s):
shop:
- replicaCount: Invalid type. Expected: integer, given: string
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from agents.heal.ci_logs.build import ci_finding
from agents.heal.ci_logs.model import CiFinding
from agents.validate.finding import Severity

TOOL = "helm lint"
TEMPLATE_TOOL = "helm template"  # its errors start with "Error:" instead of "[ERROR]"
LINT_LINE = re.compile(r"^\s*\[(?P<level>ERROR|WARNING)\] (?P<path>[^:\s]+): (?P<message>.+)$")
TEMPLATE_AT = re.compile(
    r"(?:template: |parse error at \(|execution error at \()(?P<path>[\w.-]+/templates/[^:\s)]+):(?P<line>\d+)"
)
YAML_PARSE_ON = re.compile(r"YAML parse error on (?P<path>\S+?): (?P<message>.+)$")
YAML_LINE = re.compile(r"yaml: line (?P<line>\d+):")
SCHEMA_HEADER = re.compile(r"values don't meet the specifications of the schema")
SCHEMA_ITEM = re.compile(r"^\s*- (?:at '(?P<pointer>[^']*)': )?(?P<message>.+)$")
LINTING = re.compile(r"^==> Linting (?P<path>\S+)")
CHART_NAME_LINE = re.compile(r"^\s*[\w.-]+:\s*$")


def _without_chart_name(path: str) -> str:
    """`shop/templates/x.yaml` → `templates/x.yaml` (helm prefixes rendered paths with the chart name)."""
    head, sep, rest = path.partition("/")
    return rest if sep and rest.startswith(("templates/", "charts/")) else path


def _schema_items(lines: Sequence[str], start: int) -> list[tuple[str, str]]:
    """The `- key: problem` lines under a schema header: (dotted key, message)."""
    items = []
    for line in lines[start + 1 : start + 40]:
        if CHART_NAME_LINE.match(line) and not line.strip().startswith("-"):
            continue
        match = SCHEMA_ITEM.match(line)
        if not match:
            break
        pointer = match["pointer"]
        message = match["message"].strip()
        key = pointer.strip("/").replace("/", ".") if pointer is not None else message.split(":", 1)[0]
        items.append((key, line.strip()))
    return items


def _in_chart(chart: str | None, path: str) -> str:
    """A path helm lint printed relative to the chart it is linting, made relative to the run's root."""
    return f"{chart.rstrip('/')}/{path}" if chart else path


def parse(lines: Sequence[str]) -> list[CiFinding]:
    found: list[CiFinding] = []
    chart: str | None = None  # `==> Linting charts/shop`: lint paths are relative to it
    for index, line in enumerate(lines):
        if (linting := LINTING.match(line.strip())) is not None:
            chart = linting["path"]
            continue
        if SCHEMA_HEADER.search(line):
            for key, item in _schema_items(lines, index):
                found.append(
                    ci_finding(
                        TOOL,
                        "values/schema",
                        f"values.yaml does not match values.schema.json: {item.lstrip('- ')}",
                        file=_in_chart(chart, "values.yaml"),
                        evidence=[line, item],
                        hint=f"the value of `{key}` breaks the chart's schema",
                    )
                )
            continue
        template = TEMPLATE_AT.search(line)
        if template:
            nil = "nil pointer evaluating" in line
            rule = "helm-template/nil-pointer" if nil else "helm-template/error"
            found.append(
                ci_finding(
                    TEMPLATE_TOOL if line.startswith("Error:") else TOOL,
                    rule,
                    line.split("] ", 1)[-1].removeprefix("Error: "),
                    file=_without_chart_name(template["path"]),
                    line=int(template["line"]),
                    evidence=[line],
                    hint="a value the template reads is missing" if nil else "",
                )
            )
            continue
        parse_error = YAML_PARSE_ON.search(line)
        if parse_error:
            at = YAML_LINE.search(line)
            found.append(
                ci_finding(
                    TEMPLATE_TOOL if line.startswith("Error:") else TOOL,
                    "helm-lint",
                    f"unable to parse YAML: {parse_error['message']}",
                    file=_without_chart_name(parse_error["path"]),
                    line=int(at["line"]) if at else None,
                    evidence=[line],
                )
            )
            continue
        lint = LINT_LINE.match(line)
        if lint is None:
            continue
        path, message = lint["path"], lint["message"]
        if message.lstrip().startswith("- "):  # one schema error on the lint line itself
            rule, path = "values/schema", "values.yaml"
            text = f"values.yaml does not match values.schema.json: {message.strip()[2:]}"
        elif path == "Chart.yaml":
            rule, text = "chart/metadata", f"Chart.yaml: {message}"
        else:
            rule, text = "helm-lint", message
        at = YAML_LINE.search(message)
        found.append(
            ci_finding(
                TOOL,
                rule,
                text,
                file=None if path.endswith("/") else _in_chart(chart, _without_chart_name(path)),
                line=int(at["line"]) if at else None,
                severity=Severity.ERROR if lint["level"] == "ERROR" else Severity.WARNING,
                evidence=[line],
            )
        )
    return found
