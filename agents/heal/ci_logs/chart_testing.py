"""`ct lint` (chart-testing): version bump, Chart.yaml schema (yamale), maintainers, yamllint.

 ✖︎ shop => (version: "0.1.0", path: "charts/shop") > Chart version not ok. Needs a version bump!
Error validating data '/workdir/charts/shop/Chart.yaml' with schema '/etc/ct/chart_schema.yaml'
    maintainers: Required field missing
Error validating maintainer 'octo-old': 404 Not Found
charts/shop/values.yaml:12:5: [error] wrong indentation: expected 2 but found 4 (indentation)
/workdir/charts/shop/values.yaml            (yamllint's standard format: the file, then)
  12:5      error    wrong indentation: expected 2 but found 4  (indentation)
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from agents.heal.ci_logs.build import ci_finding
from agents.heal.ci_logs.model import CiFinding
from agents.validate.finding import Severity

TOOL = "ct lint"
VERSION_BUMP = re.compile(r"version not ok\. Needs a version bump", re.IGNORECASE)
OLD_VERSION = re.compile(r"^Old chart version: (?P<version>\S+)")
YAMALE_HEADER = re.compile(r"Error validating data '(?P<path>[^']+)' with schema")
YAMALE_ITEM = re.compile(r"^\s+(?P<key>[\w.\[\]-]+): (?P<message>.+)$")
MAINTAINER = re.compile(r"Error validating maintainer '(?P<name>[^']+)': (?P<message>.+)$")
YAMLLINT_PARSABLE = re.compile(
    r"^(?P<path>\S+\.ya?ml):(?P<line>\d+):(?P<col>\d+): \[(?P<level>error|warning)\] (?P<message>.+?)(?: \((?P<rule>[\w-]+)\))?$"
)
CHART_PATH = re.compile(r'path: \\?"(?P<path>[^"\\]+)\\?"\)')
YAMLLINT_FILE = re.compile(r"^(?P<path>\S+\.ya?ml)$")
YAMLLINT_ITEM = re.compile(
    r"^\s+(?P<line>\d+):(?P<col>\d+)\s+(?P<level>error|warning)\s+(?P<message>.+?)\s+\((?P<rule>[\w-]+)\)$"
)


def _yamllint(path: str, line: str, number: str, level: str, message: str, rule: str | None) -> CiFinding:
    return ci_finding(
        "yamllint",
        f"yamllint/{rule or 'syntax'}",
        f"{message} ({rule})" if rule else message,
        file=path,
        line=int(number),
        severity=Severity.ERROR if level == "error" else Severity.WARNING,
        evidence=[line],
    )


def parse(lines: Sequence[str]) -> list[CiFinding]:
    found: list[CiFinding] = []
    yamllint_file: str | None = None
    old_version: str | None = None
    chart: str | None = None  # the chart ct is on, from its `name => (version: …, path: "…")` lines

    def chart_file() -> str:
        return f"{chart}/Chart.yaml" if chart else "Chart.yaml"

    for index, line in enumerate(lines):
        if (on := CHART_PATH.search(line)) is not None:
            chart = on["path"]
        if (old := OLD_VERSION.match(line.strip())) is not None:
            old_version = old["version"]
        if VERSION_BUMP.search(line) and not any(f.finding.rule_id == "ct/version-bump" for f in found):
            evidence = [x for x in lines[max(0, index - 3) : index + 1] if "version" in x.lower()]
            found.append(
                ci_finding(
                    TOOL,
                    "ct/version-bump",
                    "Chart.yaml: chart version not ok: it must be greater than on the target branch"
                    + (f" (was {old_version})" if old_version else ""),
                    file=chart_file(),
                    evidence=evidence or [line],
                    hint="bump `version` in Chart.yaml",
                )
            )
            continue
        if (header := YAMALE_HEADER.search(line)) is not None:
            for item_line in lines[index + 1 : index + 20]:
                item = YAMALE_ITEM.match(item_line)
                if item is None:
                    break
                found.append(
                    ci_finding(
                        TOOL,
                        "ct/chart-schema",
                        f"Chart.yaml: {item['key']}: {item['message']}",
                        file=header["path"],
                        evidence=[line, item_line],
                    )
                )
            continue
        if (maintainer := MAINTAINER.search(line)) is not None:
            found.append(
                ci_finding(
                    TOOL,
                    "ct/maintainer",
                    f"Chart.yaml: maintainer {maintainer['name']!r} is not a valid account: {maintainer['message']}",
                    file=chart_file(),
                    evidence=[line],
                    hint="list a maintainer with a real GitHub account in Chart.yaml",
                )
            )
            continue
        if (parsable := YAMLLINT_PARSABLE.match(line.strip())) is not None:
            found.append(
                _yamllint(
                    parsable["path"],
                    line,
                    parsable["line"],
                    parsable["level"],
                    parsable["message"],
                    parsable["rule"],
                )
            )
            continue
        if (header_file := YAMLLINT_FILE.match(line.strip())) is not None:
            yamllint_file = header_file["path"]
            continue
        if yamllint_file and (item := YAMLLINT_ITEM.match(line)) is not None:
            found.append(
                _yamllint(yamllint_file, line, item["line"], item["level"], item["message"], item["rule"])
            )
            continue
        if line.strip():
            yamllint_file = None if not YAMLLINT_ITEM.match(line) else yamllint_file
    return found
