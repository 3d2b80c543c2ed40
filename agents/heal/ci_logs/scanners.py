"""Policy scanners: checkov, kube-linter and polaris, their checks named in the rule ids our fixers route on.

Check: CKV_K8S_9: "Readiness Probe Should be Configured"
    FAILED for resource: Deployment.default.shop
    File: /charts/shop/templates/deployment.yaml:1-62
charts/shop/templates/deployment.yaml: (object: <no namespace>/shop apps/v1, Kind=Deployment)
    container "shop" does not specify a readiness probe (check: no-readiness-probe, remediation: …)
Deployment shop in namespace default
  Container shop
    readinessProbeMissing                😬 Warning
        Reliability - Readiness probe should be configured
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from agents.heal.ci_logs.build import ci_finding
from agents.heal.ci_logs.model import CiFinding
from agents.validate.finding import Severity

CHECKOV_CHECK = re.compile(r'^Check: (?P<id>CKV2?_K8S_\d+): "(?P<title>[^"]+)"')
CHECKOV_FAILED = re.compile(r"FAILED for resource: (?P<resource>\S+)")
CHECKOV_FILE = re.compile(r"File: (?P<path>\S+?):(?P<start>\d+)-(?P<end>\d+)")

KUBE_LINTER = re.compile(
    r"^(?P<path>\S+): \(object: (?P<ns>[^/]+)/(?P<name>\S+) (?P<api>\S*), Kind=(?P<kind>\w+)\) (?P<message>.+?) "
    r"\(check: (?P<check>[\w-]+), remediation: (?P<remediation>.+)\)$"
)
KUBE_LINTER_RULES = {
    "no-readiness-probe": "probe/readiness",
    "no-liveness-probe": "probe/liveness",
    "unset-cpu-requirements": "resources/cpu",
    "unset-memory-requirements": "resources/memory",
    "no-read-only-root-fs": "security/read-only-root-fs",
    "run-as-non-root": "security/run-as-non-root",
    "privilege-escalation-container": "security/privilege-escalation",
    "privileged-container": "security/privileged",
    "dangling-service": "wiring/service-selector",
    "latest-tag": "image/latest-tag",
}

POLARIS_RESOURCE = re.compile(r"^(?P<kind>[A-Z]\w+) (?P<name>\S+) in namespace (?P<ns>\S+)$")
POLARIS_CHECK = re.compile(r"^\s+(?P<check>[a-z]\w+)\s+\S+ (?P<level>Warning|Danger)$")
POLARIS_RULES = {
    "readinessProbeMissing": "probe/readiness",
    "livenessProbeMissing": "probe/liveness",
    "cpuRequestsMissing": "resources/cpu-requests",
    "cpuLimitsMissing": "resources/cpu-limits",
    "memoryRequestsMissing": "resources/memory-requests",
    "memoryLimitsMissing": "resources/memory-limits",
    "runAsRootAllowed": "security/run-as-root",
    "runAsPrivileged": "security/privileged",
    "notReadOnlyRootFilesystem": "security/read-only-root-fs",
    "privilegeEscalationAllowed": "security/privilege-escalation",
    "dangerousCapabilities": "security/capabilities",
    "insecureCapabilities": "security/capabilities",
    "tagNotSpecified": "image/tag",
    "pullPolicyNotAlways": "image/pull-policy",
}


def parse_checkov(lines: Sequence[str]) -> list[CiFinding]:
    found: list[CiFinding] = []
    for index, line in enumerate(lines):
        check = CHECKOV_CHECK.match(line.strip())
        if check is None:
            continue
        block = []
        for following in lines[index + 1 : index + 8]:
            if CHECKOV_CHECK.match(following.strip()):
                break  # the next check's block
            block.append(following)
        failed = next((m for m in map(CHECKOV_FAILED.search, block) if m), None)
        if failed is None:
            continue  # PASSED or SKIPPED
        where = next((m for m in map(CHECKOV_FILE.search, block) if m), None)
        evidence = [line] + [b for b in block if "FAILED" in b or "File:" in b]
        found.append(
            ci_finding(
                "checkov",
                check["id"],
                check["title"],
                file=where["path"] if where else None,
                line=int(where["start"]) if where else None,
                resource=failed["resource"],
                evidence=evidence,
            )
        )
    return found


def parse_kube_linter(lines: Sequence[str]) -> list[CiFinding]:
    found: list[CiFinding] = []
    for line in lines:
        match = KUBE_LINTER.match(line.strip())
        if match is None:
            continue
        check = match["check"]
        found.append(
            ci_finding(
                "kube-linter",
                KUBE_LINTER_RULES.get(check, f"kube-linter/{check}"),
                f"{match['message']} ({check})",
                file=match["path"],
                resource=f"{match['kind']}/{match['name']}",
                evidence=[line],
                hint=match["remediation"],
            )
        )
    return found


def parse_polaris(lines: Sequence[str]) -> list[CiFinding]:
    found: list[CiFinding] = []
    resource: str | None = None
    for index, line in enumerate(lines):
        if (header := POLARIS_RESOURCE.match(line.strip())) is not None:
            resource = f"{header['kind']}/{header['name']}"
            continue
        check = POLARIS_CHECK.match(line)
        if check is None:
            continue
        detail = lines[index + 1].strip() if index + 1 < len(lines) else ""
        name = check["check"]
        found.append(
            ci_finding(
                "polaris",
                POLARIS_RULES.get(name, f"polaris/{name}"),
                f"{detail or name} ({name})",
                resource=resource,
                severity=Severity.ERROR if check["level"] == "Danger" else Severity.WARNING,
                evidence=[line, detail] if detail else [line],
            )
        )
    return found
