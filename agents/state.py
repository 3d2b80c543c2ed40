"""The agent graph's state: plain JSON-able values only, so any checkpointer stores it safely.

Pydantic models (`ChartPlan`, `Finding`, …) travel through the graph as dicts made by
`model_dump(mode="json")` and are re-validated where they are read: LangGraph's msgpack
serializer then never has to revive one of our classes (no allowlist warnings, no pickles),
and a checkpoint written by an older version of the code still loads.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

from pydantic import BaseModel, ConfigDict, Field

from agents.heal.model import HealAttempt
from agents.plan.facts import NotDone

Outcome = Literal["done", "needs_answers", "escalated", "cancelled", "failed"]
InterruptKind = Literal["clarify", "plan_review", "escalate"]


class GraphOptions(BaseModel):
    """Per-run switches, chosen by whoever starts the run (CLI flags, the repo's autopilot.yml)."""

    model_config = ConfigDict(extra="forbid")

    max_heal_attempts: int = Field(default=3, ge=0, le=10)  # the heal loop's bound for each round
    plan_review: bool = False  # pause after planning so a human approves the plan first
    use_llm: bool = True  # use the chat model given to build_graph, when there is one


class QuestionView(BaseModel):
    """A question as the graph stores and shows it (the planner's `Question`, as data)."""

    key: str
    prompt: str
    choices: list[str] = Field(default_factory=list)
    default: str | None = None


class ChartState(TypedDict, total=False):
    """Everything one conversation (thread) knows; each node returns only the keys it changes."""

    thread_id: str
    request: str
    sets: list[str]
    answers: dict[str, str]
    options: dict[str, Any]  # GraphOptions as a dict
    kube_versions: list[str]

    plan: dict[str, Any] | None  # ChartPlan as JSON
    llm_draft: (
        dict[str, Any] | None
    )  # {"draft": ChartDraft JSON | None, "problem": str}: asked once per request
    questions: list[dict[str, Any]]  # QuestionView as JSON
    notes: list[str]  # what the planner assumed or decided, for the user
    not_done: list[dict[str, Any]]  # NotDone as JSON: parts of the request the chart does not do

    files: dict[str, str]  # the chart, in memory: POSIX path relative to the chart root → text
    findings: list[dict[str, Any]]  # Finding as JSON, from the latest validation

    heal_attempts: list[dict[str, Any]]  # HealAttempt (the heal loop's) as JSON, every attempt of the thread
    heal_round_start: int  # index in heal_attempts where the current round (one heal loop run) began

    feedback: str | None  # review text waiting to be applied by the `revise` node
    report: list[str]  # what happened in the latest step, for the user (applied edits, refusals…)
    outcome: Outcome | None
    error: str | None  # why the outcome is `failed`


def options_of(state: ChartState) -> GraphOptions:
    return GraphOptions.model_validate(state.get("options") or {})


def not_done_of(state: ChartState) -> list[NotDone]:
    return [NotDone.model_validate(n) for n in state.get("not_done") or []]


def heal_attempts_of(state: ChartState) -> list[HealAttempt]:
    return [HealAttempt.model_validate(a) for a in state.get("heal_attempts") or []]


class ClarifyRequest(BaseModel):
    """Interrupt payload: the planner needs these answers; resume with a {key: answer} mapping."""

    kind: Literal["clarify"] = "clarify"
    questions: list[QuestionView]
    notes: list[str] = Field(default_factory=list)
    not_done: list[NotDone] = Field(default_factory=list)
    error: str | None = None  # why the previous answers were not usable, when they were not


class PlanReviewRequest(BaseModel):
    """Interrupt payload: approve this plan (resume "approve") or resume with edit text."""

    kind: Literal["plan_review"] = "plan_review"
    plan: dict[str, Any]
    notes: list[str] = Field(default_factory=list)
    not_done: list[NotDone] = Field(default_factory=list)
    applied: list[str] = Field(default_factory=list)  # edits applied since the last review
    unrecognised: list[str] = Field(default_factory=list)  # parts of the edit text not understood


class EscalateRequest(BaseModel):
    """Interrupt payload: healing stopped; resume "retry", "give_up" or new instructions."""

    kind: Literal["escalate"] = "escalate"
    reason: str
    findings: list[dict[str, Any]]  # the remaining errors and warnings, as Finding JSON
    attempts: list[HealAttempt]


InterruptPayload = ClarifyRequest | PlanReviewRequest | EscalateRequest
