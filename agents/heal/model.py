"""Results of the self-heal step: what one pass changed, and what each loop attempt achieved."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

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

    @model_validator(mode="before")
    @classmethod
    def _stored_mid_pass(cls, data: Any) -> Any:
        """A thread saved by an older release between a heal pass and its validation has no
        outcome yet: it loads as a pass that made no progress, so the run escalates, never crashes."""
        if isinstance(data, dict) and data.get("errors_after") is None and "errors_before" in data:
            data = {**data, "errors_after": data["errors_before"], "progressed": False}
        elif isinstance(data, dict) and data.get("progressed") is None and "errors_after" in data:
            data = {**data, "progressed": data["errors_after"] < data.get("errors_before", 0)}
        return data


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
