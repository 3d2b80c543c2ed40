"""`pull_request.closed` on the bot's PR: the conversation ends (merged or not)."""

from __future__ import annotations

from bot.handlers.context import EventContext
from bot.handlers.router import ROUTER


def _bot_pull(ctx: EventContext) -> bool:
    run = ctx.bot.store.get_run(ctx.thread_id)
    return run is not None and run.pr_number is not None and run.stage != "closed"


@ROUTER.on("pull_request", "closed", when=_bot_pull)
def on_closed(ctx: EventContext) -> None:
    ctx.save(stage="closed")
