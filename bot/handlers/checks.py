"""Failed CI on the bot's branch (`check_run`, `check_suite`, `workflow_run` completed): self-heal.

What CI printed is read first (a check run's output and annotations; a workflow run's failed
job logs) and turned into findings by `agents.heal.ci_logs`. Chart findings drive the heal
(fixers first, then the model when one is configured); runtime failures and what nothing fixed
are explained in a comment quoting CI. When CI's output cannot be read, or says nothing a
parser understands, the heal runs on the bot's own validator as before.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from agents.heal.ci_logs import CiFinding, CiReport, failing_step_lines, findings_from_lines
from agents.heal.ci_logs.build import ci_finding
from agents.heal.ci_logs.heal import CiHealResult, heal_from_ci
from agents.heal.ci_logs.locate import localise
from agents.heal.loop import Validator
from agents.heal.model import HealResult
from agents.llm import ModelCallBudget, metered
from bot import messages
from bot.events import CheckRunEvent, CheckSuiteEvent, WorkflowRunEvent
from bot.github import (
    CheckRunOutput,
    GitHubError,
    download_job_log,
    list_failed_jobs,
    read_check_run_output,
)
from bot.handlers import chart_flow
from bot.handlers.context import EventContext
from bot.handlers.router import ROUTER
from bot.publish import CHECK_NAME, chart_dir
from bot.redact import redact

log = logging.getLogger("autopilot.checks")

FAILED = frozenset({"failure", "timed_out"})
MAX_JOBS = 3  # failed jobs whose logs are read per workflow run
MODEL_CALLS_PER_HEAL = 1
ACTIONS_APP_SLUG = "github-actions"  # its check runs share their id with the job: the log is readable
RUNNER_ANNOTATION_PATH = ".github"  # the runner's own "Process completed with exit code 1." notes


def _conclusion_and_name(ctx: EventContext) -> tuple[str | None, str, bool]:
    """(conclusion, what failed, whether it is our own check) for any of the three events."""
    event = ctx.event
    own_app = ctx.bot.settings.app_id
    if isinstance(event, CheckRunEvent):
        run = event.check_run
        ours = run.name == CHECK_NAME or (
            own_app is not None and run.app is not None and run.app.id == own_app
        )
        return run.conclusion, f"CI check `{run.name}`", ours
    if isinstance(event, CheckSuiteEvent):
        suite = event.check_suite
        ours = own_app is not None and suite.app is not None and suite.app.id == own_app
        return suite.conclusion, "a CI check suite", ours
    if isinstance(event, WorkflowRunEvent):
        return event.workflow_run.conclusion, f"CI workflow `{event.workflow_run.name or 'run'}`", False
    return None, "", True


def _failed_on_our_branch(ctx: EventContext) -> bool:
    conclusion, _, ours = _conclusion_and_name(ctx)
    run = ctx.bot.store.get_run(ctx.thread_id)
    return (
        conclusion in FAILED
        and not ours  # our own failing check is what we report, not a new failure to heal
        and run is not None
        and run.branch is not None
        and run.pr_number is not None
        and run.stage not in ("closed", "cancelled")
    )


# --- reading what CI said ----------------------------------------------------------------------------


def _check_output_lines(output: CheckRunOutput) -> list[str]:
    text = "\n".join(part for part in (output.title, output.summary, output.text) if part)
    return failing_step_lines(text)


def _annotation_findings(output: CheckRunOutput) -> list[CiFinding]:
    return [
        ci_finding(
            output.name,
            "ci/annotation",
            a.message,
            file=a.path,
            line=a.start_line,
            evidence=[f"{a.path}:{a.start_line}: {a.title + ': ' if a.title else ''}{a.message}"],
        )
        for a in output.annotations
        if a.annotation_level == "failure" and not a.path.startswith(RUNNER_ANNOTATION_PATH)
    ]


def _redacted(report: CiReport) -> CiReport:
    """The report with anything secret-shaped masked: CI logs may print tokens, and every line
    read here can end up in a comment, our check run, or the model's prompt."""

    def clean(ci: CiFinding) -> CiFinding:
        finding = ci.finding.model_copy(
            update={"message": redact(ci.finding.message), "hint": redact(ci.finding.hint)}
        )
        return ci.model_copy(update={"finding": finding, "evidence": tuple(redact(e) for e in ci.evidence)})

    return CiReport(
        source=report.source,
        lines=[redact(line) for line in report.lines],
        findings=[clean(ci) for ci in report.findings],
    )


def _job_report(ctx: EventContext, job_id: int, source: str) -> CiReport:
    lines = failing_step_lines(download_job_log(ctx.client, ctx.owner, ctx.name, job_id))
    return CiReport(source=source, lines=lines, findings=findings_from_lines(lines))


def read_ci(ctx: EventContext) -> list[CiReport]:
    """What the failed run printed, per check run or job; empty when GitHub would not tell us."""
    event, reports = ctx.event, []
    try:
        if isinstance(event, CheckRunEvent):
            output = read_check_run_output(ctx.client, ctx.owner, ctx.name, event.check_run.id)
            lines = _check_output_lines(output)
            found = findings_from_lines(lines)
            parsed = {(f.finding.file, f.finding.line) for f in found}
            found += [
                f for f in _annotation_findings(output) if (f.finding.file, f.finding.line) not in parsed
            ]
            reports.append(CiReport(source=f"CI check `{output.name}`", lines=lines, findings=found))
            app = event.check_run.app
            if app is not None and app.slug == ACTIONS_APP_SLUG:  # the tools' output is in the job log
                reports.append(_job_report(ctx, event.check_run.id, f"CI job `{output.name}`"))
        elif isinstance(event, CheckSuiteEvent):  # the suite's failed runs, other than ours
            runs = ctx.client.list_check_runs(ctx.owner, ctx.name, event.check_suite.head_sha)
            for run in [r for r in runs if r.conclusion in FAILED and r.name != CHECK_NAME][:MAX_JOBS]:
                output = read_check_run_output(ctx.client, ctx.owner, ctx.name, run.id)
                lines = _check_output_lines(output)
                found = findings_from_lines(lines) + _annotation_findings(output)
                reports.append(CiReport(source=f"CI check `{output.name}`", lines=lines, findings=found))
        elif isinstance(event, WorkflowRunEvent):
            workflow = event.workflow_run.name or "CI"
            for job in list_failed_jobs(ctx.client, ctx.owner, ctx.name, event.workflow_run.id)[:MAX_JOBS]:
                reports.append(_job_report(ctx, job.id, f"job `{job.name}` of workflow `{workflow}`"))
    except GitHubError as err:  # no `checks`/`actions` read access, or a log gone: heal as before
        log.warning("thread %s: could not read what CI printed: %s", ctx.thread_id, err)
        return []
    return [_redacted(report) for report in reports]


# --- acting on it ------------------------------------------------------------------------------------


def _problems(findings: Sequence[CiFinding]) -> list[messages.CiProblem]:
    return [
        messages.CiProblem(
            tool=ci.tool,
            message=ci.finding.message,
            location=ci.finding.location,
            hint=ci.finding.hint,
            lines=list(ci.evidence),  # redacted when read
        )
        for ci in findings
    ]


def _chart_path(ctx: EventContext) -> str:
    run, config = ctx.run(), ctx.config()
    return chart_dir(config, chart_flow._chart_name(ctx, config, run.branch or ""))


def heal_from_findings(ctx: EventContext, trigger: str, source: str, findings: Sequence[CiFinding]) -> None:
    """Route CI's findings about our chart: runtime ones to a comment, chart ones through the CI-driven heal."""
    runtime = [f for f in findings if f.kind == "runtime"]
    chart = [f for f in findings if f.kind == "chart"]
    pr_number = ctx.run().pr_number
    budget: ModelCallBudget | None = None
    if chart:
        model = ctx.bot.session.llm if ctx.config().llm else None
        budget = ModelCallBudget(MODEL_CALLS_PER_HEAL) if model is not None else None
        metered_model = metered(model, budget) if model is not None and budget is not None else None

        def heal(
            target: Path, versions: Sequence[str] | None, max_attempts: int, validate: Validator
        ) -> HealResult:
            return heal_from_ci(target, chart, versions, max_attempts, model=metered_model, validate=validate)

        result = chart_flow.heal_branch(ctx, trigger, heal=heal)
        unfixed = result.ci_left if isinstance(result, CiHealResult) else []
        if result is not None:
            _note_on_our_check(ctx, source, budget)
    else:
        unfixed = []
    if runtime or unfixed:
        ctx.reply_once(
            messages.ci_findings_comment(
                ctx.thread_id,
                source=source,
                runtime=_problems(runtime),
                unfixed=_problems(unfixed),
                model_calls=budget.calls if budget is not None else None,
            ),
            pr_number,
        )


def _note_on_our_check(ctx: EventContext, source: str, budget: ModelCallBudget | None) -> None:
    """Say on our check run (branch head) what CI report drove the heal and how many model calls it cost."""
    branch = ctx.run().branch
    if branch is None:
        return
    ours = ctx.client.list_check_runs(ctx.owner, ctx.name, branch, name=CHECK_NAME)
    if not ours:
        return
    output = read_check_run_output(ctx.client, ctx.owner, ctx.name, ours[0].id)
    note = messages.ci_heal_check_note(
        source=source,
        model_calls=budget.calls if budget is not None else None,
        model_call_limit=budget.limit if budget is not None else None,
    )
    if note in (output.summary or ""):
        return  # a retried job: said already
    ctx.client.update_check_run(
        ctx.owner,
        ctx.name,
        ours[0].id,
        title=output.title or "k8s-autopilot",
        summary=f"{output.summary or ''}\n\n{note}".strip(),
        text=output.text,
    )


@ROUTER.on("check_run", "completed", when=_failed_on_our_branch)
@ROUTER.on("check_suite", "completed", when=_failed_on_our_branch)
@ROUTER.on("workflow_run", "completed", when=_failed_on_our_branch)
def on_failed_ci(ctx: EventContext) -> None:
    _, what, _ = _conclusion_and_name(ctx)
    trigger = f"{what} failed"
    reports = [r for r in read_ci(ctx) if r.findings]
    findings = localise([f for r in reports for f in r.findings], _chart_path(ctx)) if reports else []
    if findings:
        source = reports[0].source if len(reports) == 1 else what
        heal_from_findings(ctx, trigger, source, findings)
    else:  # CI said nothing we understand about this chart: heal what our validator sees
        chart_flow.heal_branch(ctx, trigger)
