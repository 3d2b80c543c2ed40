"""Results of the self-heal step: what one pass changed, and what each loop attempt achieved."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from agents.validate.finding import Finding

ChartFiles = dict[str, str]
"""A chart as in-memory text files keyed by POSIX path relative to the chart root."""

FixSource = Literal["deterministic", "llm"]


class FixResult(BaseModel):
    """One deterministic pass over a chart: the new files and one line per change made."""

    model_config = ConfigDict(frozen=True)

    files: dict[str, str]
    applied: list[str] = Field(default_factory=list)
    rejected: list[str] = Field(default_factory=list)  # edits proposed and not kept, saying why

    @property
    def changed(self) -> bool:
        return bool(self.applied)


class HealAttempt(BaseModel):
    """One verified pass of the heal loop; the graph's state and the CI heal both record these."""

    number: int = Field(ge=1)
    errors_before: int = Field(ge=0)
    errors_after: int = Field(ge=0)  # the same as errors_before when the pass was undone
    applied: list[str] = Field(default_factory=list)  # edits kept (none when the pass was undone)
    rejected: list[str] = Field(default_factory=list)  # edits proposed and not kept, saying why
    source: FixSource = "deterministic"  # "llm" when the pass fell back to the model
    progressed: bool  # False: the pass could not improve the chart (undone), so the loop stopped


class HealResult(BaseModel):
    """Outcome of `heal_chart`: attempts made, whether the chart is now clean, and the full diff."""

    chart_dir: str
    attempts: list[HealAttempt] = Field(default_factory=list)
    healed: bool
    improved: bool = False  # strictly fewer errors than before and no new one: worth committing
    errors_before: int = Field(default=0, ge=0)
    before: list[Finding] = Field(default_factory=list)  # errors and warnings before any edit
    remaining: list[Finding] = Field(default_factory=list)
    diff: str = ""  # what was written: only verified edits
    proposed_diff: str = ""  # when nothing was kept, the last edit proposed and refused (for a person)
    rejected: list[str] = Field(default_factory=list)  # one line per refused edit, saying why
    findings: list[Finding] = Field(default_factory=list)  # the last validation's, info included
