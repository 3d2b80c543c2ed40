"""The agent graph: plan → generate → validate → heal, with clarify, plan-review and escalate pauses.

Each node is a small function of `ChartState` returning the keys it changes. Pauses are
LangGraph interrupts whose payload is a pydantic model dumped to a dict with a `kind`, so the
bot and CLI can render them; the resume value is the human's answer. The chart lives in state
(a dict of files); validation writes it to a temporary directory only for the validator. The heal
node runs the one heal loop (`agents.heal.loop.heal_chart`) on such a copy: the graph itself never
cycles to heal, so the attempt bound and the keep-only-what-verifies rule have one home.
No GitHub, git or network here: that is the bot's job.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command, interrupt
from pydantic import BaseModel, Field, ValidationError

from agents.chart import render_chart, write_chart
from agents.heal import route
from agents.heal.chart_files import read_chart_files
from agents.heal.loop import heal_chart
from agents.heal.model import HealAttempt
from agents.plan import plan_request
from agents.plan.errors import PlanError
from agents.plan.facts import NotDone
from agents.plan.model import ChartPlan
from agents.plan.questions import PlanOutcome
from agents.state import (
    ChartState,
    ClarifyRequest,
    EscalateRequest,
    GraphOptions,
    InterruptKind,
    Outcome,
    PlanReviewRequest,
    QuestionView,
    heal_attempts_of,
    not_done_of,
    options_of,
)
from agents.validate import default_kube_versions, validate_chart
from agents.validate.finding import Finding, Severity

if TYPE_CHECKING:  # the LLM planner and fixer are imported where a model is used (not without one)
    from langchain_core.language_models import BaseChatModel

    from agents.plan.llm_planner import ChartDraft, PlanEdit

NodeHook = Callable[[str, ChartState], None]
"""Called with the node name and its input state each time a node starts (logging, metrics, tests)."""

WAITING_OUTCOME: dict[str, Outcome] = {
    "clarify": "needs_answers",
    "plan_review": "needs_answers",
    "escalate": "escalated",
}
"""The outcome reported while a thread waits at each interrupt kind."""

CANCEL = "cancel"
APPROVE = "approve"
RETRY = "retry"
GIVE_UP = "give_up"


def validate_files(files: Mapping[str, str], chart_name: str, kube_versions: Sequence[str]) -> list[Finding]:
    """Validate an in-memory chart by writing it to a throwaway directory named after the chart."""
    with tempfile.TemporaryDirectory(prefix="autopilot-validate-") as tmp:
        chart_dir = Path(tmp) / chart_name
        write_chart(dict(files), chart_dir)
        report = validate_chart(chart_dir, list(kube_versions))
    return list(report.findings)


@dataclass(frozen=True)
class ChartSteps:
    """The engine functions the nodes call; the defaults are the real planner, generator and validator.

    The heal node has no step of its own to swap: it runs `heal_chart`, the one heal loop."""

    plan: Callable[[str, Sequence[str], Mapping[str, str]], PlanOutcome] = plan_request
    render: Callable[[ChartPlan], dict[str, str]] = render_chart
    validate: Callable[[Mapping[str, str], str, Sequence[str]], list[Finding]] = validate_files


class PlanReviewDecision(BaseModel):
    """What a plan-review resume value means: approve, cancel, or edit (then review again)."""

    action: Literal["approve", "cancel", "edit"]
    edits: str = ""

    @classmethod
    def parse(cls, value: Any) -> PlanReviewDecision:
        if value is True or (
            isinstance(value, str) and value.strip().lower() in {APPROVE, "approved", "lgtm"}
        ):
            return cls(action="approve")
        if isinstance(value, str) and value.strip().lower() == CANCEL:
            return cls(action="cancel")
        if isinstance(value, Mapping):
            edits = str(value.get("edits") or "")
            if value.get("approve"):
                return cls(action="approve", edits=edits)
            return cls(action="edit", edits=edits)
        return cls(action="edit", edits=str(value))


def _findings(state: ChartState) -> list[Finding]:
    return [Finding.model_validate(f) for f in state.get("findings") or []]


def _errors(findings: Sequence[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == Severity.ERROR]


def _actionable(findings: Sequence[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity in (Severity.ERROR, Severity.WARNING)]


def heal_targets(findings: Sequence[Finding], with_model: bool) -> list[Finding]:
    """What the heal loop works on: errors and warnings, but warnings alone only when some fixer
    (or the model) can act on them; none means there is nothing to heal."""
    actionable = _actionable(findings)
    fixable = _errors(findings) or route(actionable) or with_model
    return actionable if fixable else []


def _dump_findings(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    return [f.model_dump(mode="json") for f in findings]


def _kube_versions(state: ChartState) -> list[str]:
    return list(state.get("kube_versions") or default_kube_versions())


def _plan_of(state: ChartState) -> ChartPlan:
    plan = state.get("plan")
    if plan is None:
        raise ValueError("the graph reached a step that needs a plan before one was made")
    return ChartPlan.model_validate(plan)


class ChartGraph:
    """Builds the nodes around one set of engine functions and an optional chat model."""

    def __init__(self, steps: ChartSteps, llm: BaseChatModel | None, on_node: NodeHook | None) -> None:
        self.steps = steps
        self.llm = llm
        self.on_node = on_node

    def model_for(self, state: ChartState) -> BaseChatModel | None:
        return self.llm if self.llm is not None and options_of(state).use_llm else None

    # --- routing -----------------------------------------------------------------------------

    @staticmethod
    def route_start(state: ChartState) -> str:
        """A new step on a thread: review feedback revises the existing chart, anything else plans."""
        if state.get("feedback") and state.get("plan") is not None:
            return "revise"
        return "plan"

    @staticmethod
    def route_after_plan(state: ChartState) -> str:
        if state.get("outcome") == "failed":
            return "finish"
        if state.get("questions"):
            return "clarify"
        return "plan_review" if options_of(state).plan_review else "generate"

    @staticmethod
    def route_after_generate(state: ChartState) -> str:
        return "finish" if state.get("outcome") == "failed" else "validate"

    def route_after_validate(self, state: ChartState) -> str:
        findings = _findings(state)
        if not heal_targets(findings, self.model_for(state) is not None):
            return "finish"
        if options_of(state).max_heal_attempts == 0:  # healing is off: a human decides at once
            return "escalate" if _errors(findings) else "finish"
        return "heal"

    @staticmethod
    def route_after_heal(state: ChartState) -> str:
        """The heal loop has run to its end: what errors it left go to a human."""
        return "escalate" if _errors(_findings(state)) else "finish"

    # --- nodes -------------------------------------------------------------------------------

    def plan(self, state: ChartState) -> dict[str, Any]:
        request, sets, answers = state.get("request", ""), state.get("sets") or [], state.get("answers") or {}
        model = self.model_for(state)
        update: dict[str, Any] = {}
        try:
            if model is not None:
                from agents.plan.llm_planner import plan_from_draft

                draft, problem = self.draft_for(state, model)
                update["llm_draft"] = {"draft": draft.model_dump() if draft else None, "problem": problem}
                outcome = plan_from_draft(draft, problem, request, sets, answers, fallback=self.steps.plan)
            else:
                outcome = self.steps.plan(request, sets, answers)
        except PlanError as exc:
            pending = state.get("questions") or []
            if not pending:
                return {**update, "outcome": "failed", "error": str(exc), "questions": [], "plan": None}
            # an answer was unusable: ask the same questions again, saying why, without the bad answers
            asked = {q["key"] for q in pending}
            kept = {k: v for k, v in answers.items() if k not in asked}
            return {**update, "outcome": "needs_answers", "error": str(exc), "answers": kept}
        questions = [QuestionView.model_validate(q.model_dump()).model_dump() for q in outcome.questions]
        return {
            **update,
            "plan": outcome.plan.model_dump(mode="json") if outcome.plan else None,
            "questions": questions,
            "notes": list(outcome.notes),
            "not_done": [n.model_dump(mode="json") for n in outcome.not_done],
            "outcome": "needs_answers" if questions else None,
            "error": None,
        }

    @staticmethod
    def draft_for(state: ChartState, model: BaseChatModel) -> tuple[ChartDraft | None, str]:
        """The model reads the request once per thread; clarify rounds reuse its draft."""
        from agents.plan.llm_planner import ChartDraft, draft_request

        cached = state.get("llm_draft")
        if cached is not None:
            draft = cached.get("draft")
            return (ChartDraft.model_validate(draft) if draft else None), str(cached.get("problem") or "")
        return draft_request(model, state.get("request", ""))

    def clarify(self, state: ChartState) -> Command[Any]:
        request = ClarifyRequest(
            questions=[QuestionView.model_validate(q) for q in state.get("questions") or []],
            notes=state.get("notes") or [],
            not_done=not_done_of(state),
            error=state.get("error"),
        )
        value = interrupt(request.model_dump(mode="json"))
        if isinstance(value, str) and value.strip().lower() == CANCEL:
            return Command(goto="finish", update={"outcome": "cancelled"})
        if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
            return Command(
                goto="clarify",
                update={"error": f"answers must be a mapping of question key to answer, got {value!r}"},
            )
        answers = {**(state.get("answers") or {}), **{k: str(v) for k, v in value.items()}}
        return Command(goto="plan", update={"answers": answers, "error": None})

    def plan_review(self, state: ChartState) -> Command[Any]:
        request = PlanReviewRequest(
            plan=state.get("plan") or {},
            notes=state.get("notes") or [],
            not_done=not_done_of(state),
            applied=[line for line in state.get("report") or [] if line.startswith("applied: ")],
            unrecognised=[line for line in state.get("report") or [] if line.startswith("not understood: ")],
        )
        decision = PlanReviewDecision.parse(interrupt(request.model_dump(mode="json")))
        if decision.action == "cancel":
            return Command(goto="finish", update={"outcome": "cancelled"})
        report: list[str] = []
        plan = state.get("plan")
        if decision.edits.strip():
            edit = self.edit_plan(state, decision.edits)
            plan = edit.plan.model_dump(mode="json")
            report = [f"applied: {a}" for a in edit.applied] + [
                f"not understood: {u}" for u in edit.unrecognised
            ]
        goto = "generate" if decision.action == "approve" else "plan_review"
        return Command(goto=goto, update={"plan": plan, "report": report})

    def generate(self, state: ChartState) -> dict[str, Any]:
        try:
            files = self.steps.render(_plan_of(state))
        except (ValueError, ValidationError) as exc:
            return {"outcome": "failed", "error": f"the chart could not be generated from the plan: {exc}"}
        return {"files": files, "findings": [], "outcome": None, "error": None}

    def validate(self, state: ChartState) -> dict[str, Any]:
        plan = _plan_of(state)
        findings = self.steps.validate(state.get("files") or {}, plan.name, _kube_versions(state))
        return {"findings": _dump_findings(findings)}

    def heal(self, state: ChartState) -> dict[str, Any]:
        """One run of the heal loop on a copy of the chart, bounded by `max_heal_attempts`."""
        files = dict(state.get("files") or {})
        model = self.model_for(state)
        extra_fixer = None
        if model is not None:
            from agents.heal.llm_fixer import as_extra_fixer

            extra_fixer = as_extra_fixer(model)  # verified like any fixer's edit, inside the loop
        with tempfile.TemporaryDirectory(prefix="autopilot-heal-") as tmp:
            chart_dir = Path(tmp) / _plan_of(state).name
            write_chart(files, chart_dir)
            result = heal_chart(
                chart_dir,
                _kube_versions(state),
                # a human's "retry" gets one attempt even where automatic healing is off
                max_attempts=max(1, options_of(state).max_heal_attempts),
                extra_fixer=extra_fixer,
                targets=lambda report: heal_targets(report.findings, extra_fixer is not None),
            )
            healed = {**files, **read_chart_files(chart_dir)}  # subcharts are not read, nor edited
        earlier = heal_attempts_of(state)
        attempts = [a.model_copy(update={"number": len(earlier) + a.number}) for a in result.attempts]
        lines = [line for a in result.attempts for line in (*a.applied, *a.rejected)]
        return {
            "files": healed,
            "findings": _dump_findings(result.findings),
            "heal_attempts": [a.model_dump(mode="json") for a in [*earlier, *attempts]],
            "report": [*(state.get("report") or []), *lines],  # a step's report accumulates
        }

    def escalate(self, state: ChartState) -> Command[Any]:
        findings = _actionable(_findings(state))
        round_attempts = heal_attempts_of(state)[state.get("heal_round_start", 0) :]
        if round_attempts and not round_attempts[-1].progressed:
            reason = f"attempt {round_attempts[-1].number} fixed nothing more; {len(_errors(findings))} errors remain"
        elif round_attempts:
            reason = f"{len(round_attempts)} heal attempts used; {len(_errors(findings))} errors remain"
        else:
            reason = f"healing is off (max_heal_attempts=0); {len(_errors(findings))} errors remain"
        request = EscalateRequest(reason=reason, findings=_dump_findings(findings), attempts=round_attempts)
        value = interrupt(request.model_dump(mode="json"))
        answer = value.strip() if isinstance(value, str) else ""
        if answer.lower() == CANCEL:
            return Command(goto="finish", update={"outcome": "cancelled"})
        if answer.lower() == GIVE_UP:
            return Command(goto="finish", update={"outcome": "escalated"})
        if answer.lower() == RETRY:
            return Command(goto="heal", update={"heal_round_start": len(heal_attempts_of(state))})
        if not answer:
            return Command(
                goto="escalate", update={"report": [f"unrecognised reply {value!r}: say retry or give_up"]}
            )
        return Command(goto="revise", update={"feedback": answer})

    def revise(self, state: ChartState) -> Command[Any]:
        """Apply review feedback: file-specific text to the LLM fixer, the rest as plan edits."""
        feedback = (state.get("feedback") or "").strip()
        files = state.get("files") or {}
        reset = {"feedback": None, "heal_round_start": len(heal_attempts_of(state)), "outcome": None}
        model = self.model_for(state)
        named_files = [path for path in files if path in feedback]
        if model is not None and named_files:
            from agents.heal.llm_fixer import fix_with_llm

            fix = fix_with_llm(model, files, _actionable(_findings(state)), instructions=feedback)
            if fix.applied:
                return Command(goto="validate", update={**reset, "files": fix.files, "report": fix.applied})
        edit = self.edit_plan(state, feedback)
        report = [f"applied: {a}" for a in edit.applied] + [f"not understood: {u}" for u in edit.unrecognised]
        if not edit.applied:
            return Command(
                goto="finish", update={**reset, "report": report or [f"no change made for {feedback!r}"]}
            )
        return Command(
            goto="generate", update={**reset, "plan": edit.plan.model_dump(mode="json"), "report": report}
        )

    def edit_plan(self, state: ChartState, text: str) -> PlanEdit:
        from agents.plan.llm_planner import edit_plan, edit_plan_with_llm

        plan = _plan_of(state)
        model = self.model_for(state)
        return edit_plan_with_llm(model, plan, text) if model is not None else edit_plan(plan, text)

    @staticmethod
    def finish(state: ChartState) -> dict[str, Any]:
        if state.get("outcome") in {"cancelled", "failed", "escalated"}:
            return {"outcome": state.get("outcome")}
        return {"outcome": "escalated" if _errors(_findings(state)) else "done"}

    # --- assembly ----------------------------------------------------------------------------

    def observed(self, name: str, node: Callable[[ChartState], Any]) -> Callable[[ChartState], Any]:
        if self.on_node is None:
            return node
        hook = self.on_node

        def run(state: ChartState) -> Any:
            hook(name, state)
            return node(state)

        run.__name__ = name
        return run

    def builder(self) -> StateGraph[ChartState]:
        g: StateGraph[ChartState] = StateGraph(ChartState)
        nodes: dict[str, tuple[Callable[[ChartState], Any], tuple[str, ...]]] = {
            "plan": (self.plan, ()),
            "clarify": (self.clarify, ("plan", "clarify", "finish")),
            "plan_review": (self.plan_review, ("generate", "plan_review", "finish")),
            "generate": (self.generate, ()),
            "validate": (self.validate, ()),
            "heal": (self.heal, ()),
            "escalate": (self.escalate, ("heal", "revise", "escalate", "finish")),
            "revise": (self.revise, ("validate", "generate", "finish")),
            "finish": (self.finish, ()),
        }
        for name, (node, destinations) in nodes.items():
            g.add_node(name, self.observed(name, node), destinations=destinations or None)  # type: ignore[call-overload]
        g.add_conditional_edges(START, self.route_start, ["plan", "revise"])
        g.add_conditional_edges(
            "plan", self.route_after_plan, ["clarify", "plan_review", "generate", "finish"]
        )
        g.add_conditional_edges("generate", self.route_after_generate, ["validate", "finish"])
        g.add_conditional_edges("validate", self.route_after_validate, ["heal", "escalate", "finish"])
        g.add_conditional_edges("heal", self.route_after_heal, ["escalate", "finish"])
        g.add_edge("finish", END)
        return g


def build_graph(
    checkpointer: BaseCheckpointSaver[Any] | None,
    *,
    llm: BaseChatModel | None = None,
    steps: ChartSteps | None = None,
    on_node: NodeHook | None = None,
) -> CompiledStateGraph[ChartState, None, ChartState, ChartState]:
    """Compile the chart graph; without `llm` it runs on the rule-based planner and fixers alone."""
    return ChartGraph(steps or ChartSteps(), llm, on_node).builder().compile(checkpointer=checkpointer)


class RunResult(BaseModel):
    """Where a thread stands after a call: paused at an interrupt (kind + payload) or finished."""

    thread_id: str
    status: Literal["interrupted", "finished"]
    kind: InterruptKind | None = None
    payload: dict[str, Any] | None = None
    outcome: Outcome | None = None
    plan: dict[str, Any] | None = None
    files: dict[str, str] = Field(default_factory=dict)
    findings: list[Finding] = Field(default_factory=list)
    heal_attempts: list[HealAttempt] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    not_done: list[NotDone] = Field(default_factory=list)  # parts of the request the chart does not do
    report: list[str] = Field(default_factory=list)
    error: str | None = None

    @property
    def chart_plan(self) -> ChartPlan | None:
        return ChartPlan.model_validate(self.plan) if self.plan else None


class ThreadStateError(RuntimeError):
    """The thread is not in a state that allows the call; the message says what would."""


class ChartSession:
    """The façade the bot and CLI call: start, resume, revise and inspect threads by id."""

    def __init__(
        self,
        checkpointer: BaseCheckpointSaver[Any],
        *,
        llm: BaseChatModel | None = None,
        steps: ChartSteps | None = None,
        on_node: NodeHook | None = None,
    ) -> None:
        self.llm = llm  # also used outside the graph: the CI-driven heal on a PR branch
        self.graph = build_graph(checkpointer, llm=llm, steps=steps, on_node=on_node)

    @staticmethod
    def _config(thread_id: str) -> RunnableConfig:
        return {"configurable": {"thread_id": thread_id}}

    def start(
        self,
        thread_id: str,
        request: str,
        sets: Sequence[str] = (),
        options: GraphOptions | None = None,
        *,
        answers: Mapping[str, str] | None = None,
        kube_versions: Sequence[str] | None = None,
    ) -> RunResult:
        """Plan and build a chart from scratch on this thread (replacing whatever it held)."""
        fresh: ChartState = {
            "thread_id": thread_id,
            "request": request,
            "sets": list(sets),
            "answers": dict(answers or {}),
            "options": (options or GraphOptions()).model_dump(),
            "kube_versions": list(kube_versions or []),
            "plan": None,
            "llm_draft": None,
            "questions": [],
            "notes": [],
            "not_done": [],
            "files": {},
            "findings": [],
            "heal_attempts": [],
            "heal_round_start": 0,
            "feedback": None,
            "report": [],
            "outcome": None,
            "error": None,
        }
        self.graph.invoke(fresh, self._config(thread_id))
        return self._result(thread_id)

    def resume(self, thread_id: str, value: Any) -> RunResult:
        """Answer the thread's open interrupt (answers mapping, "approve", "retry", "give_up", text…)."""
        current = self.state(thread_id)
        if current is None or current.status != "interrupted":
            raise ThreadStateError(
                f"thread {thread_id!r} is not waiting for an answer"
                + (" (it has not started)" if current is None else f" (it finished: {current.outcome})")
                + "; start it, or send review feedback with revise()"
            )
        self.graph.invoke(Command(resume=value, update={"report": []}), self._config(thread_id))  # a new step
        return self._result(thread_id)

    def revise(self, thread_id: str, feedback: str) -> RunResult:
        """Apply review feedback: at a plan review or escalation it is the answer; after a finish, a new step."""
        current = self.state(thread_id)
        if current is None or current.plan is None:
            raise ThreadStateError(
                f"thread {thread_id!r} has no plan yet to revise: start it, or answer its open questions first"
            )
        if current.status == "interrupted" and current.kind in ("plan_review", "escalate"):
            return self.resume(thread_id, feedback)
        if current.status == "interrupted":
            raise ThreadStateError(
                f"thread {thread_id!r} is waiting for answers to its questions, not for a review"
            )
        self.graph.invoke({"feedback": feedback, "report": []}, self._config(thread_id))
        return self._result(thread_id)

    def cancel(self, thread_id: str) -> RunResult | None:
        """Close a thread waiting at an interrupt as `cancelled`; a finished thread is left as it is."""
        current = self.state(thread_id)
        if current is None or current.status == "finished":
            return current
        return self.resume(thread_id, CANCEL)

    def state(self, thread_id: str) -> RunResult | None:
        """Where the thread stands, or None when it never ran."""
        snapshot = self.graph.get_state(self._config(thread_id))
        if not snapshot.values:
            return None
        return self._result(thread_id)

    def _result(self, thread_id: str) -> RunResult:
        snapshot = self.graph.get_state(self._config(thread_id))
        values = cast(ChartState, snapshot.values)
        payload = snapshot.interrupts[0].value if snapshot.interrupts else None
        kind: InterruptKind | None = payload.get("kind") if isinstance(payload, dict) else None
        return RunResult(
            thread_id=thread_id,
            status="interrupted" if payload is not None else "finished",
            kind=kind,
            payload=payload if isinstance(payload, dict) else None,
            outcome=WAITING_OUTCOME[kind] if kind else values.get("outcome"),
            plan=values.get("plan"),
            files=values.get("files") or {},
            findings=_findings(values),
            heal_attempts=heal_attempts_of(values),
            notes=values.get("notes") or [],
            not_done=not_done_of(values),
            report=values.get("report") or [],
            error=values.get("error"),
        )
