"""What the planner hands back: a finished plan, or the questions that stop it guessing."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from agents.plan.facts import NotDone
from agents.plan.model import ChartPlan


class Question(BaseModel):
    """One missing fact; `key` is the plan path its answer is applied to (like `--set key=answer`)."""

    model_config = ConfigDict(frozen=True)

    key: str  # stable dotted plan path, e.g. "image", "exposure.hosts", "secret_refs[0].name"
    prompt: str  # the sentence shown to a human
    hint: str = ""  # an example answer or where to find it
    choices: list[str] = Field(default_factory=list)
    default: str | None = None


class PlanOutcome(BaseModel):
    """Exactly one of `plan` (everything known) or `questions` (what is still missing)."""

    plan: ChartPlan | None = None
    questions: list[Question] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)  # what the planner assumed, shown to users
    not_done: list[NotDone] = Field(default_factory=list)  # parts of the request the plan does not do

    @model_validator(mode="after")
    def _exactly_one(self) -> PlanOutcome:
        if (self.plan is None) == (not self.questions):
            raise ValueError("a plan outcome holds either a plan or questions, not both or neither")
        return self

    @property
    def complete(self) -> bool:
        return self.plan is not None
