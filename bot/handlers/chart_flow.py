"""The conversation's steps, shared by every event family: start, answer, publish, revise, heal, finish.

Each step drives `ChartSession` (the graph knows nothing about GitHub) and then shows the
result on GitHub through `bot.publish` and the thread's one status comment. Errors a user
can act on (bad config, unusable answers, git refusals) become a comment and a failed stage;
GitHub outages propagate so the job is retried.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from agents.graph import RunResult, ThreadStateError
from agents.heal.chart_files import read_chart_files
from agents.heal.loop import Validator, heal_chart
from agents.heal.model import HealResult
from agents.plan import plan_request
from agents.plan.errors import PlanError
from agents.plan.facts import NotDone
from agents.state import GraphOptions
from agents.validate import validate_chart
from agents.validate.finding import Finding, Severity
from agents.validate.object_counts import count_objects
from bot import messages
from bot.config import REPO_CONFIG_PATH, RepoConfig, RepoConfigError
from bot.git import GitError
from bot.handlers.answers import AnswerError, answers_from_text
from bot.handlers.context import EventContext
from bot.handlers.router import StepFailed
from bot.metrics import process_metrics
from bot.pr_diagram import diagram
from bot.publish import (
    CommitOutcome,
    branch_for,
    chart_dir,
    commit_chart,
    ensure_pull,
    post_check,
    validation_lines,
    workspace,
)
from bot.redact import redact

log = logging.getLogger("autopilot.flow")

ALL_STAGES = tuple(messages.STAGE_KEYS)


@contextmanager
def reporting(ctx: EventContext, stage: str) -> Iterator[None]:
    """Turn a failure the user can act on into a comment and a failed stage (never a token)."""
    try:
        yield
    except RepoConfigError as err:
        ctx.reply_once(messages.config_error(ctx.thread_id, REPO_CONFIG_PATH, str(err)))
        raise StepFailed(str(err)) from None
    except (GitError, ThreadStateError, PlanError, AnswerError) as err:
        problem = redact(str(err))
        log.warning("thread %s failed at %s: %s", ctx.thread_id, stage, problem)
        ctx.status(done=_done_before(stage), failed=stage if stage in ALL_STAGES else None)
        ctx.reply(messages.run_failed(ctx.thread_id, stage, problem))
        raise StepFailed(problem) from None


def _done_before(stage: str) -> tuple[str, ...]:
    return ALL_STAGES[: ALL_STAGES.index(stage)] if stage in ALL_STAGES else ()


def graph_options(config: RepoConfig) -> GraphOptions:
    return GraphOptions(
        max_heal_attempts=config.max_heal_attempts, plan_review=config.plan_review, use_llm=config.llm
    )


def _sets(settings: dict[str, str]) -> list[str]:
    return [f"{key}={value}" for key, value in settings.items()]


def _request_of(ctx: EventContext) -> str:
    snapshot = ctx.bot.session.graph.get_state({"configurable": {"thread_id": ctx.thread_id}})
    return str((snapshot.values or {}).get("request") or "")


def _errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == Severity.ERROR]


def _actionable(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity in (Severity.ERROR, Severity.WARNING)]


def _problems(findings: list[Finding]) -> list[tuple[str, str, str]]:
    return [(f.rule_id, f.location, f.message) for f in _actionable(findings)]


def _not_done(items: list[NotDone]) -> list[messages.NotDoneItem]:
    return [(item.words, item.reason) for item in items]


def _short(sha: str | None) -> str | None:
    return sha[:12] if sha else None


# --- start, answer, plan ---------------------------------------------------------------------------


def start_chart(ctx: EventContext, request: str, settings: dict[str, str], requester: str) -> None:
    """`/autopilot chart …`: plan (maybe ask), generate, validate, heal, then publish the PR."""
    config = ctx.config()
    ctx.save(stage="planning")
    ctx.status(done=(), current="plan", requester=requester)
    with reporting(ctx, "plan"):
        result = ctx.bot.session.start(
            ctx.thread_id,
            request,
            _sets(settings),
            graph_options(config),
            kube_versions=config.kube_versions or None,
        )
    show_result(ctx, result)


def show_plan(ctx: EventContext, request: str, settings: dict[str, str]) -> None:
    """`/autopilot plan …`: the plan or its questions as a reply; nothing is written."""
    with reporting(ctx, "plan"):
        outcome = plan_request(request, _sets(settings))
    not_done = _not_done(outcome.not_done)
    if outcome.plan is not None:
        ctx.reply_once(messages.plan_reply(ctx.thread_id, outcome.plan, outcome.notes, not_done))
    else:
        ctx.reply_once(
            messages.question_comment(
                ctx.thread_id, [_question_text(q.model_dump()) for q in outcome.questions], not_done
            )
        )


def _question_text(question: dict[str, Any]) -> str:
    text = str(question["prompt"])
    if question.get("choices"):
        text += " (e.g. " + ", ".join(f"`{c}`" for c in question["choices"]) + ")"
    if question.get("hint"):
        text += f" — {question['hint']}"
    if question.get("default"):
        text += f" (default: `{question['default']}`)"
    return f"{text} [`{question['key']}`]"


def answer(ctx: EventContext, text: str) -> None:
    """The requester's answer (`/autopilot answer …` or a plain reply) resumes the paused thread."""
    session = ctx.bot.session
    current = session.state(ctx.thread_id)
    if current is None:
        ctx.reply(messages.no_run(ctx.thread_id, "answer"))
        return
    with reporting(ctx, "plan"):
        if current.status == "interrupted" and current.kind == "clarify":
            questions = (current.payload or {}).get("questions") or []
            result = session.resume(ctx.thread_id, answers_from_text(questions, text))
        elif current.status == "interrupted":
            result = session.resume(ctx.thread_id, text)
        elif ctx.run().stage == "questions":
            result = current  # a retried job: the graph already moved on, only GitHub is behind
        else:
            ctx.reply(messages.not_waiting_for_answer(ctx.thread_id))
            return
    show_result(ctx, result)


def show_result(ctx: EventContext, result: RunResult) -> CommitOutcome | None:
    """Show where the graph stopped: a question, a plan to review, a failure, or a chart to publish."""
    payload = result.payload or {}
    not_done = _not_done(result.not_done)
    if result.status == "interrupted" and result.kind == "clarify":
        questions = [_question_text(q) for q in payload.get("questions") or []]
        if payload.get("error"):
            questions[0] = f"{questions[0]} (your last answer was not usable: {payload['error']})"
        ctx.reply_once(messages.question_comment(ctx.thread_id, questions))
        ctx.save(stage="questions")
        waiting = messages.with_not_done(
            "Waiting for answers to the questions below.", not_done, "the questions comment"
        )
        ctx.status(done=(), current="plan", note=waiting)
        return None
    if result.status == "interrupted" and result.kind == "plan_review":
        plan = result.chart_plan
        if plan is not None:
            ctx.reply_once(messages.plan_reply(ctx.thread_id, plan, result.notes, not_done))
        ctx.save(stage="plan_review")
        waiting = messages.with_not_done("Waiting for the plan to be approved.", not_done, "the plan reply")
        ctx.status(done=("plan",), current="generate", note=waiting)
        return None
    if result.status == "finished" and result.outcome == "failed":
        ctx.save(stage="failed")
        ctx.status(done=(), failed="plan")
        ctx.reply(messages.run_failed(ctx.thread_id, "plan", redact(result.error or "the plan failed")))
        return None
    if result.status == "finished" and result.outcome == "cancelled":
        ctx.save(stage="cancelled")
        return None
    return publish(ctx, result)


# --- publish ---------------------------------------------------------------------------------------


def publish(ctx: EventContext, result: RunResult, message: str | None = None) -> CommitOutcome:
    """Branch, commit, push, PR and check run for the thread's chart; idempotent on retry."""
    plan = result.chart_plan
    if plan is None:
        raise ThreadStateError(f"thread {ctx.thread_id} has files but no plan to publish")
    config, repo = ctx.config(), ctx.repo()
    path, branch = chart_dir(config, plan.name), branch_for(config, plan.name)
    healed = ("heal",) if result.heal_attempts else ()
    if result.heal_attempts:
        process_metrics().heal_attempts.labels(
            result="healed" if not _errors(result.findings) else "not_healed"
        ).inc(len(result.heal_attempts))
    ctx.status(done=("plan", "generate", "validate", *healed), current="pr")
    with (
        reporting(ctx, "pr"),
        workspace(ctx.client, repo, ctx.bot.workdir, ctx.bot.commit_identity(ctx.client)) as ws,
    ):
        outcome = commit_chart(
            ws,
            branch=branch,
            base=repo.default_branch,
            path=path,
            files=result.files,
            message=message or f"feat(chart): add {plan.name} chart",
        )
    if outcome.humans_on_top:
        ctx.bot.store.record_commit(ctx.thread_id, by_bot=False)
    if outcome.commit:
        ctx.bot.store.record_commit(ctx.thread_id, by_bot=True)
    run = ctx.run()
    body = messages.pr_body(
        ctx.thread_id,
        request=_request_of(ctx) or plan.description or plan.name,
        chart_path=path,
        plan=plan,
        validation=validation_lines(result.findings),
        heal_attempts=len(result.heal_attempts),
        issue_number=ctx.number if run.pr_number != ctx.number else None,
        not_done=_not_done(result.not_done),
    )
    pull, _ = ensure_pull(
        ctx.client, repo, branch=branch, title=f"Helm chart: {plan.name}", body=body, draft=config.draft_prs
    )
    check = post_check(
        ctx.client,
        repo,
        head_sha=outcome.head_sha,
        path=path,
        findings=result.findings,
        objects=count_objects(result.files, config.kube_versions or None),
    )
    ctx.save(stage="review", pr_number=pull.number, branch=branch)
    errors = _errors(result.findings)
    if errors:
        ctx.status(
            done=("plan", "generate", "validate"),
            failed="heal",
            note=messages.with_not_done(f"Pull request: {pull.html_url}", _not_done(result.not_done)),
        )
        ctx.reply_once(
            messages.escalation_comment(
                ctx.thread_id,
                _round_attempts(result),
                _problems(result.findings),
                allowed=config.max_heal_attempts,
            ),
            pull.number,
        )
    else:
        link = f" · check: {check.html_url}" if check.html_url else ""
        note = f"Pull request: {pull.html_url}{link}. Review it there."
        ctx.status(done=ALL_STAGES, note=messages.with_not_done(note, _not_done(result.not_done)))
    return outcome


def _round_attempts(result: RunResult) -> int:
    """Heal attempts of the round that escalated; the thread's list also holds earlier rounds'."""
    if result.status == "interrupted" and result.kind == "escalate":
        return len((result.payload or {}).get("attempts") or [])
    return len(result.heal_attempts)


# --- review, revise, finish ------------------------------------------------------------------------


def revise(ctx: EventContext, feedback: str) -> None:
    """Review feedback (a changes-requested review or `/autopilot revise`) becomes a new commit."""
    run = ctx.run()
    if run.pr_number is None:
        ctx.reply(messages.no_run(ctx.thread_id, "revise"))
        return
    ctx.reply_once(revision(ctx, feedback), run.pr_number)


def revision(ctx: EventContext, feedback: str) -> str:
    """Apply feedback to the thread's chart (a commit when it changed); the reply saying what changed."""
    before = ctx.bot.session.state(ctx.thread_id)
    with reporting(ctx, "generate"):
        result = ctx.bot.session.revise(ctx.thread_id, feedback)
    applied = [r.removeprefix("applied: ") for r in result.report if r.startswith("applied: ")]
    unrecognised = [
        r.removeprefix("not understood: ") for r in result.report if r.startswith("not understood: ")
    ]
    commit = None
    if result.status == "finished" and result.outcome in ("done", "escalated") and applied:
        commit = publish(ctx, result, message=f"chore(chart): revise ({'; '.join(applied)[:60]})").commit
    old_files = before.files if before else {}
    return messages.revision_reply(
        ctx.thread_id,
        applied=applied,
        unrecognised=unrecognised,
        commit=_short(commit),
        values_diff=messages.values_diff_section(
            old_files.get("values.yaml", ""), result.files.get("values.yaml", "")
        ),
        diagram_updated=_diagram_changed(before, result),
    )


def _diagram_changed(before: RunResult | None, after: RunResult) -> bool:
    """Whether the revision changed what the PR description's diagram draws."""
    old, new = (before.chart_plan if before else None), after.chart_plan
    return old is not None and new is not None and diagram(old) != diagram(new)


def finalise(ctx: EventContext, pr_number: int, draft: bool, pr_url: str) -> None:
    """An authorised approval: mark the PR ready, close the thread's status."""
    if draft:
        ctx.client.mark_ready_for_review(ctx.owner, ctx.name, pr_number)
    current = ctx.bot.session.state(ctx.thread_id)
    not_done = _not_done(current.not_done) if current else []
    ctx.status(
        done=ALL_STAGES, note=messages.with_not_done(f"Approved: {pr_url} is ready to merge.", not_done)
    )
    ctx.reply_once(messages.finalised_note(ctx.thread_id, pr_url))
    ctx.save(stage="closed")


def cancel(ctx: EventContext, user: str) -> None:
    current = ctx.bot.session.state(ctx.thread_id)
    if current is None or current.status == "finished":
        ctx.reply(messages.nothing_to_cancel(ctx.thread_id))
        return
    ctx.bot.session.cancel(ctx.thread_id)
    ctx.save(stage="cancelled")
    ctx.status(done=(), note=f"Cancelled by @{user}.")
    ctx.reply(messages.cancelled(ctx.thread_id, user))


def status_reply(ctx: EventContext, number: int) -> None:
    run = ctx.run()
    pr_url = None
    if run.pr_number is not None:
        pr_url = ctx.client.get_pull(ctx.owner, ctx.name, run.pr_number).html_url
    ctx.reply(
        messages.status_summary(ctx.thread_id, stage=run.stage, pr_url=pr_url, branch=run.branch), number
    )


# --- self-heal and validation on the branch ----------------------------------------------------------


def thread_chart_dir(ctx: EventContext, config: RepoConfig, branch: str) -> str:
    """Where the thread's chart lives in the repository (`charts/<name>`)."""
    return chart_dir(config, _chart_name(ctx, config, branch))


def _chart_name(ctx: EventContext, config: RepoConfig, branch: str) -> str:
    state = ctx.bot.session.state(ctx.thread_id)
    plan = state.chart_plan if state else None
    return plan.name if plan else branch.removeprefix(config.branch_prefix)


HealFn = Callable[[Path, Sequence[str] | None, int, Validator], HealResult]
"""How a chart directory is healed: (chart dir, kube versions, max attempts, validator) → result."""


def _heal_with_validator(
    target: Path, versions: Sequence[str] | None, max_attempts: int, validate: Validator
) -> HealResult:
    return heal_chart(target, versions, max_attempts=max_attempts, validate=validate)


def heal_branch(ctx: EventContext, trigger: str, heal: HealFn = _heal_with_validator) -> HealResult | None:
    """A failed CI check (or `/autopilot fix`): heal the chart on the branch and commit on top.

    `heal` is what runs on the checkout (the CI-driven heal passes its own); the result is returned
    so the caller can say more about it, None when nothing ran (no branch, or a loop limit hit).
    """
    run = ctx.run()
    if run.branch is None or run.pr_number is None:
        return None
    config, repo = ctx.config(), ctx.repo()
    path = chart_dir(config, _chart_name(ctx, config, run.branch))
    store = ctx.bot.store
    with (
        reporting(ctx, "heal"),
        workspace(ctx.client, repo, ctx.bot.workdir, ctx.bot.commit_identity(ctx.client)) as ws,
    ):
        ws.checkout_branch(run.branch, repo.default_branch)
        head = ws.head_sha()
        if (ws.repo.head.commit.author.email or "") != ws.identity.email:
            store.record_commit(ctx.thread_id, by_bot=False)  # build on the human's commit
        attempts = store.add_heal_attempt(ctx.thread_id, head)
        in_a_row = ctx.run().bot_commits_in_a_row
        versions = config.kube_versions or None
        target = ws.root / path
        if not target.is_dir():
            raise GitError(f"the branch {run.branch!r} has no chart at {path}; nothing to heal")
        too_many_bot_commits = in_a_row >= config.max_bot_commits_in_a_row
        if too_many_bot_commits or attempts > config.max_heal_attempts:
            # say so once per stop: a bot commit starts a fresh head, so the commit limit is first hit
            # on that head's first attempt; the attempt limit on the first attempt past it
            first_stop = attempts == (1 if too_many_bot_commits else config.max_heal_attempts + 1)
            if first_stop:
                left = validate_chart(target, versions, **config.validation_options()).findings
                ctx.reply_once(
                    messages.escalation_comment(
                        ctx.thread_id,
                        attempts - 1,
                        _problems(left),
                        allowed=config.max_heal_attempts,
                        bot_commits_in_a_row=in_a_row if too_many_bot_commits else None,
                    ),
                    run.pr_number,
                )
                ctx.status(
                    done=("plan", "generate", "validate"),
                    failed="heal",
                    note="Self-heal stopped; see the PR.",
                )
            return None
        options = config.validation_options()
        healed = heal(
            target,
            versions,
            config.max_heal_attempts,
            lambda chart: validate_chart(chart, versions, **options),
        )
        process_metrics().heal_attempts.labels(result="healed" if healed.healed else "not_healed").inc(
            len(healed.attempts)
        )
        push = should_push(healed)
        commit = None
        if push:
            ws.write_files(path, read_chart_files(target))
            changes = [line for attempt in healed.attempts for line in attempt.applied]
            summary = changes[0].split("] ", 1)[-1] if changes else "validation findings"
            commit = ws.commit(f"fix(chart): {summary[:60]}")
            if commit is not None:
                commit = ws.push(run.branch)
                store.record_commit(ctx.thread_id, by_bot=True)
        left = healed.remaining if push else healed.before
        objects = count_objects(ws.root / path, config.kube_versions or None)
        post_check(ctx.client, repo, head_sha=ws.head_sha(), path=path, findings=left, objects=objects)
    applied = [line for attempt in healed.attempts for line in attempt.applied] if push else []
    ctx.reply_once(
        messages.heal_reply(
            ctx.thread_id,
            trigger=trigger,
            applied=applied,
            commit=_short(commit),
            remaining=len(_errors(left)),
        ),
        run.pr_number,
    )
    if _errors(left):  # what is left for a person, with the change we did not dare push
        ctx.reply_once(
            messages.escalation_comment(
                ctx.thread_id,
                len(healed.attempts),
                _problems(left),
                allowed=config.max_heal_attempts,
                proposed_diff="" if push else healed.proposed_diff or healed.diff,
            ),
            run.pr_number,
        )
    return healed


def should_push(healed: HealResult) -> bool:
    """The heal decision: commit only a result with strictly fewer errors and no new one."""
    return bool(healed.diff) and healed.improved


def validate_branch(ctx: EventContext) -> None:
    """`/autopilot validate`: validate the chart on the PR branch, as a check run and a comment."""
    run = ctx.run()
    if run.branch is None or run.pr_number is None:
        ctx.reply(messages.no_run(ctx.thread_id, "validate"))
        return
    config, repo = ctx.config(), ctx.repo()
    path = chart_dir(config, _chart_name(ctx, config, run.branch))
    with (
        reporting(ctx, "validate"),
        workspace(ctx.client, repo, ctx.bot.workdir, ctx.bot.commit_identity(ctx.client)) as ws,
    ):
        ws.checkout_branch(run.branch, repo.default_branch)
        report = validate_chart(ws.root / path, config.kube_versions or None, **config.validation_options())
        objects = count_objects(ws.root / path, report.kube_versions)
        check = post_check(
            ctx.client, repo, head_sha=ws.head_sha(), path=path, findings=report.findings, objects=objects
        )
    ctx.reply(
        messages.validation_comment(
            ctx.thread_id,
            chart_path=path,
            errors=len(report.errors),
            warnings=sum(f.severity == Severity.WARNING for f in report.findings),
            check_url=check.html_url,
        ),
        run.pr_number,
    )
