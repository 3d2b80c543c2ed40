"""The one constructor every parser uses, so CI findings look alike whichever tool printed them."""

from __future__ import annotations

from collections.abc import Sequence

from agents.heal.ci_logs.model import CiFinding, FindingKind
from agents.validate.finding import Finding, Severity

MAX_MESSAGE_CHARS = 500


def ci_finding(
    tool: str,
    rule_id: str,
    message: str,
    *,
    evidence: Sequence[str],
    file: str | None = None,
    line: int | None = None,
    kind: FindingKind = "chart",
    severity: Severity = Severity.ERROR,
    resource: str | None = None,
    hint: str = "",
) -> CiFinding:
    text = " ".join(message.split())
    if len(text) > MAX_MESSAGE_CHARS:
        text = text[: MAX_MESSAGE_CHARS - 1] + "…"
    return CiFinding(
        tool=tool,
        kind=kind,
        finding=Finding(
            rule_id=rule_id,
            severity=severity,
            message=text,
            file=file or None,
            line=line if line and line > 0 else None,
            resource=resource,
            hint=hint or f"reported by {tool} in CI",
        ),
        evidence=tuple(evidence),
    )
