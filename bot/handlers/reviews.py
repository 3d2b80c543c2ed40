"""`pull_request_review.submitted` on the bot's PR: approval finalises, changes requested revises."""

from __future__ import annotations

from typing import cast

from bot import messages
from bot.authz import approval_counts, authorise
from bot.events import PullRequestReviewEvent
from bot.handlers import chart_flow
from bot.handlers.context import EventContext
from bot.handlers.router import ROUTER


def _review_event(ctx: EventContext) -> PullRequestReviewEvent:
    return cast(PullRequestReviewEvent, ctx.event)


def _on_bot_pull(ctx: EventContext) -> bool:
    event = _review_event(ctx)
    run = ctx.bot.store.get_run(ctx.thread_id)
    reviewer = event.review.user
    return (
        run is not None
        and run.pr_number == event.pull_request.number
        and run.stage not in ("closed", "cancelled")
        and reviewer is not None
        and not reviewer.is_bot
        and event.review.state.lower() in ("approved", "changes_requested")
    )


@ROUTER.on("pull_request_review", "submitted", when=_on_bot_pull)
def on_review(ctx: EventContext) -> None:
    event = _review_event(ctx)
    number = event.pull_request.number
    reviewer = event.review.user.login if event.review.user else ""
    with chart_flow.reporting(ctx, "pr"):
        config = ctx.config()
    decision = authorise(ctx.client, ctx.owner, ctx.name, reviewer, config.allowed)
    if event.review.state.lower() == "approved":
        if not decision.allowed:
            reason = f"only {decision.requirement} can approve it"
            ctx.reply_once(messages.approval_not_counted(ctx.thread_id, reviewer, reason), number)
            return
        if not approval_counts(decision, ctx.requester()):
            reason = "the person who asked for the chart cannot approve it; another maintainer must"
            ctx.reply_once(messages.approval_not_counted(ctx.thread_id, reviewer, reason), number)
            return
        pull = ctx.client.get_pull(ctx.owner, ctx.name, number)
        chart_flow.finalise(ctx, number, pull.draft, pull.html_url)
        return
    if not decision.allowed:
        ctx.reply_once(messages.unauthorised(ctx.thread_id, reviewer, decision.requirement), number)
        return
    line_comments = [
        c.body.strip()
        for c in ctx.client.list_review_comments(ctx.owner, ctx.name, number)
        if c.review_id == event.review.id and c.body.strip()
    ]
    feedback = "\n".join(part for part in (event.review.body.strip(), *line_comments) if part)
    if feedback:
        chart_flow.revise(ctx, feedback)
