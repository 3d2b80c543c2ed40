"""Which Pod Security Standard a chart is held to: restricted (default), baseline or privileged-allowed.

A node agent (node-exporter, a CNI or log shipper) needs host access by design; it is validated
against `baseline` (or `privileged-allowed`) and its remaining host access accepted with a reason.
Findings the chosen policy allows stay in the report as info, saying which policy allowed them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, get_args

from agents.validate.finding import Finding, Severity

Policy = Literal["restricted", "baseline", "privileged-allowed"]
POLICIES: tuple[str, ...] = get_args(Policy)
DEFAULT_POLICY: Policy = "restricted"

# what only the restricted profile asks (baseline allows it): non-root, no escalation, dropped
# capabilities, a seccomp profile; the read-only root filesystem is a hardening habit on top
RESTRICTED_ONLY = frozenset(
    {
        "security/run-as-non-root",
        "security/privilege-escalation",
        "security/capabilities",
        "security/seccomp",
        "security/read-only-root-filesystem",
        "CKV_K8S_20",  # allowPrivilegeEscalation
        "CKV_K8S_22",  # read-only root filesystem
        "CKV_K8S_23",  # root containers admitted
        "CKV_K8S_28",  # NET_RAW
        "CKV_K8S_31",  # seccomp
        "CKV_K8S_37",  # capabilities
        "CKV_K8S_38",  # service account token
        "CKV_K8S_40",  # high UID
    }
)
# what baseline forbids too: host namespaces, host paths, privileged containers
BASELINE = frozenset(
    {
        "security/privileged",
        "security/host-namespaces",
        "security/host-path",
        "CKV_K8S_16",  # privileged
        "CKV_K8S_17",  # hostPID
        "CKV_K8S_18",  # hostIPC
        "CKV_K8S_19",  # hostNetwork
    }
)


def allowed_by(policy: Policy) -> frozenset[str]:
    """Rule ids the policy allows (they are reported as info)."""
    if policy == "restricted":
        return frozenset()
    if policy == "baseline":
        return RESTRICTED_ONLY
    return RESTRICTED_ONLY | BASELINE


def apply_policy(findings: Iterable[Finding], policy: Policy) -> list[Finding]:
    """Findings with those the policy allows turned into info that says so."""
    allowed = allowed_by(policy)
    return [
        f.model_copy(
            update={"severity": Severity.INFO, "message": f"{f.message} (allowed by policy {policy})"}
        )
        if f.rule_id in allowed and f.severity != Severity.INFO
        else f
        for f in findings
    ]


def parse_policy(value: str) -> Policy:
    """A policy name from the command line or config, or ValueError listing the choices."""
    if value not in POLICIES:
        raise ValueError(f"policy {value!r} is not one of {', '.join(POLICIES)}")
    return value  # type: ignore[return-value]
