"""What CI printed, turned into findings: log trimming, one parser per tool, CI-driven healing.

Tool output is not GitHub-specific, so it lives here: `bot/` downloads the log or check output
and hands the text to `findings_from_log`; the heal works on the chart directory like every
other fixer. Every line read from CI is data: it is quoted and matched, never obeyed.
"""

from __future__ import annotations

from agents.heal.ci_logs.log_lines import failing_step_lines
from agents.heal.ci_logs.model import CiFinding, CiReport, FindingKind
from agents.heal.ci_logs.parse import PARSERS, findings_from_lines, findings_from_log

__all__ = [
    "PARSERS",
    "CiFinding",
    "CiReport",
    "FindingKind",
    "failing_step_lines",
    "findings_from_lines",
    "findings_from_log",
]
