"""Deliberate exceptions a chart declares, so a known trade-off is reported as info, not a warning.

An object (or its pod template) carries the annotation
    autopilot.k8s.io/accepted-risks: "security/read-only-root-filesystem=kafka rewrites its config at start-up"
(several entries separated by ";"). Errors stay errors: only warnings and info can be accepted.
"""

from __future__ import annotations

from agents.validate.manifests import RenderedObject
from agents.validate.pod_templates import POD_SPEC_PATHS
from agents.validate.shapes import dig, mapping

ANNOTATION = "autopilot.k8s.io/accepted-risks"


def accepted_risks(obj: RenderedObject) -> dict[str, str]:
    """rule id -> reason, from the object's and its pod template's annotations."""
    sources = [dig(obj.doc, "metadata", "annotations")]
    pod_path = POD_SPEC_PATHS.get(obj.kind)
    if pod_path and obj.kind != "Pod":
        sources.append(dig(obj.doc, *pod_path[:-1], "metadata", "annotations"))
    accepted: dict[str, str] = {}
    for source in sources:
        raw = mapping(source).get(ANNOTATION)
        if not isinstance(raw, str):
            continue
        for entry in raw.split(";"):
            rule_id, _, reason = entry.partition("=")
            if rule_id.strip():
                accepted[rule_id.strip()] = reason.strip() or "no reason given"
    return accepted
