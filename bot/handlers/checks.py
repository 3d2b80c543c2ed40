"""Failed CI on the bot's branch (`check_run`, `check_suite`, `workflow_run` completed): self-heal."""

from __future__ import annotations

from bot.events import CheckRunEvent, CheckSuiteEvent, WorkflowRunEvent
from bot.handlers import chart_flow
from bot.handlers.context import EventContext
from bot.handlers.router import ROUTER
from bot.publish import CHECK_NAME

FAILED = frozenset({"failure", "timed_out"})


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


@ROUTER.on("check_run", "completed", when=_failed_on_our_branch)
@ROUTER.on("check_suite", "completed", when=_failed_on_our_branch)
@ROUTER.on("workflow_run", "completed", when=_failed_on_our_branch)
def on_failed_ci(ctx: EventContext) -> None:
    _, what, _ = _conclusion_and_name(ctx)
    chart_flow.heal_branch(ctx, trigger=f"{what} failed")
