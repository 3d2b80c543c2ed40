"""kubeconform and kubeval: rendered objects that break the Kubernetes schema.

stdin - Deployment shop is invalid: problem validating schema. Check JSON formatting: jsonschema:
    '/spec/replicas' does not validate with …/type: expected integer or null, but got string
charts/shop/templates/deployment.yaml - Deployment shop is invalid: … - at '/spec/replicas': got string, want null or integer
stdin - Ingress shop failed validation: could not find schema for Ingress
WARN - shop/templates/deployment.yaml contains an invalid Deployment (shop) - spec.replicas: Invalid type. Expected: [integer,null], given: string
ERR  - shop/templates/ingress.yaml: Failed initializing schema https://…/ingress-extensions-v1beta1.json: …404 Not Found
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from agents.heal.ci_logs.build import ci_finding
from agents.heal.ci_logs.model import CiFinding

INVALID = re.compile(r"^(?P<source>\S+) - (?P<kind>\w+) (?P<name>\S+) is invalid: (?P<detail>.+)$")
NO_SCHEMA = re.compile(r"^(?P<source>\S+) - (?P<kind>\w+) (?P<name>\S+) failed validation: (?P<detail>.+)$")
KUBEVAL_INVALID = re.compile(
    r"^WARN - (?P<source>\S+) contains an invalid (?P<kind>\w+) \((?P<name>[^)]*)\) - (?P<detail>.+)$"
)
KUBEVAL_SCHEMA = re.compile(
    r"^ERR\s+- (?P<source>[^:\s]+): Failed initi\w+ schema \S*/(?P<kind>[a-z]+)-(?P<version>[\w.-]+?)\.json"
)
POINTER_TYPE = re.compile(
    r"'(?P<pointer>/[^']*)' does not validate with \S+: expected (?P<want>[\w ]+?), but got (?P<got>\w+)"
)
AT_TYPE = re.compile(r"at '(?P<pointer>/[^']*)': got (?P<got>\w+), want (?P<want>[\w ]+)")
KUBEVAL_TYPE = re.compile(
    r"(?P<field>[\w.\[\]]+): Invalid type\. Expected: \[?(?P<want>[\w,]+)\]?, given: (?P<got>\w+)"
)
MISSING = re.compile(r"missing propert(?:y|ies):? (?P<names>(?:'[\w-]+'(?:, )?)+)")
KUBEVAL_REQUIRED = re.compile(r"(?P<field>[\w.\[\]]+): (?P<name>[\w-]+) is required")
WANTS = ("integer", "boolean", "number")


def _source_file(source: str) -> str | None:
    return None if source in ("stdin", "-") else source


def _type_message(pointer: str, want: str, got: str) -> str | None:
    key = pointer.strip("/").split("/")[-1]
    wanted = next((w for w in WANTS if w in want), None)
    if wanted is None or key.isdigit():
        return None
    return f"{pointer}: {key} must be of type '{wanted}', got {got}"


def _detail_message(detail: str) -> tuple[str, str]:
    """(rule id, message in the words the fixers route on) for one schema complaint."""
    for pattern in (POINTER_TYPE, AT_TYPE):
        match = pattern.search(detail)
        if match:
            typed = _type_message(match["pointer"], match["want"], match["got"])
            if typed:
                return "schema/type", typed
    match = KUBEVAL_TYPE.search(detail)
    if match:
        typed = _type_message("/" + match["field"].replace(".", "/"), match["want"], match["got"])
        if typed:
            return "schema/type", typed
    missing = MISSING.search(detail)
    if missing:
        names = re.findall(r"'([\w-]+)'", missing["names"])
        return "schema", "; ".join(f"'{name}' is a required property" for name in names)
    required = KUBEVAL_REQUIRED.search(detail)
    if required:
        return "schema", f"'{required['name']}' is a required property ({required['field']})"
    return "schema", detail


def parse(lines: Sequence[str]) -> list[CiFinding]:
    found: list[CiFinding] = []
    for raw in lines:
        line = raw.strip()
        for pattern, tool in ((INVALID, "kubeconform"), (KUBEVAL_INVALID, "kubeval")):
            match = pattern.match(line)
            if match:
                rule, message = _detail_message(match["detail"])
                found.append(
                    ci_finding(
                        tool,
                        rule,
                        f"{match['kind']} {match['name']}: {message}",
                        file=_source_file(match["source"]),
                        resource=f"{match['kind']}/{match['name']}",
                        evidence=[raw],
                    )
                )
                break
        else:
            if (missing := NO_SCHEMA.match(line)) is not None:
                found.append(
                    ci_finding(
                        "kubeconform",
                        "schema/unknown-kind",
                        f"{missing['kind']} {missing['name']}: {missing['detail']}",
                        file=_source_file(missing["source"]),
                        resource=f"{missing['kind']}/{missing['name']}",
                        evidence=[raw],
                        hint="a CRD without a schema in CI, or an apiVersion this Kubernetes no longer serves",
                    )
                )
            elif (schema := KUBEVAL_SCHEMA.match(line)) is not None:
                version = (
                    schema["version"].replace("-", "/", 1) if "-" in schema["version"] else schema["version"]
                )
                found.append(
                    ci_finding(
                        "kubeval",
                        "api/removed",
                        f"{schema['kind']}: apiVersion {version} is removed or not served (no schema for it)",
                        file=_source_file(schema["source"]),
                        evidence=[raw],
                    )
                )
    return found
