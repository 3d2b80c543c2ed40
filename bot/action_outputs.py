"""What an Action run leaves for the workflow: exit status, `$GITHUB_OUTPUT` and the step summary."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from bot.action_settings import ActionSettings

EXIT_OK = 0
EXIT_FINDINGS = 1  # validate: an error finding; respond: handling the event failed
EXIT_CANNOT_START = 2


def write_outputs(settings: ActionSettings, values: Mapping[str, str]) -> None:
    """Append outputs to $GITHUB_OUTPUT in the delimiter form, which no value can break out of."""
    if settings.output is None:
        return
    with settings.output.open("a", encoding="utf-8") as fh:
        for name, value in values.items():
            delimiter = f"ghadelimiter_{uuid.uuid4().hex}"
            fh.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")


def append_summary(settings: ActionSettings, markdown: str) -> None:
    """Add to the job's step summary ($GITHUB_STEP_SUMMARY), when the runner gave one."""
    if settings.step_summary is None:
        return
    with settings.step_summary.open("a", encoding="utf-8") as fh:
        fh.write(markdown)


def table_cell(text: object) -> str:
    """`text` made safe inside one Markdown table cell (no column break, no line break)."""
    return str(text).replace("|", "\\|").replace("\n", " ")
