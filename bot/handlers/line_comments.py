"""`pull_request_review_comment.created` on a chart file of the bot's PR: the line comment revises the chart.

A single line comment ("use 3 replicas here" on `values.yaml`) is review feedback like a
changes-requested review, and the answer goes into the comment's own thread. Line comments that
belong to a changes-requested or approving review are left to `reviews.on_review`, which reads
them together with the review, so one piece of feedback never makes two commits.
"""

from __future__ import annotations

from typing import cast

from bot import messages
from bot.authz import authorise
from bot.events import PullRequestReviewCommentEvent
from bot.handlers import chart_flow
from bot.handlers.context import EventContext
from bot.handlers.router import ROUTER

REVIEWS_THAT_DECIDE = frozenset({"APPROVED", "CHANGES_REQUESTED"})


def _line_comment_event(ctx: EventContext) -> PullRequestReviewCommentEvent:
    return cast(PullRequestReviewCommentEvent, ctx.event)


def _by_a_person_on_bot_pull(ctx: EventContext) -> bool:
    event = _line_comment_event(ctx)
    run = ctx.bot.store.get_run(ctx.thread_id)
    author = event.comment.user
    return (
        run is not None
        and run.pr_number == event.pull_request.number
        and run.branch is not None
        and run.stage not in ("closed", "cancelled")
        and author is not None
        and not author.is_bot
        and bool(event.comment.body.strip())
    )


def _part_of_deciding_review(ctx: EventContext, number: int, review_id: int | None) -> bool:
    if review_id is None:
        return False
    reviews = ctx.client.list_reviews(ctx.owner, ctx.name, number)
    return any(r.id == review_id and r.state.upper() in REVIEWS_THAT_DECIDE for r in reviews)


def _reply_in_thread(ctx: EventContext, number: int, thread_start: int, body: str) -> None:
    """Post `body` in the line comment's thread unless it is already there (a retried job)."""
    for existing in ctx.client.list_review_comments(ctx.owner, ctx.name, number):
        if existing.in_reply_to == thread_start and existing.body == body:
            return
    ctx.client.reply_to_review_comment(ctx.owner, ctx.name, number, thread_start, body)


@ROUTER.on("pull_request_review_comment", "created", when=_by_a_person_on_bot_pull)
def on_line_comment(ctx: EventContext) -> None:
    event = _line_comment_event(ctx)
    comment, number = event.comment, event.pull_request.number
    with chart_flow.reporting(ctx, "pr"):
        config = ctx.config()
    branch = ctx.run().branch
    if branch is None:
        return
    chart_path = chart_flow.thread_chart_dir(ctx, config, branch)
    if not comment.path.startswith(f"{chart_path}/"):
        return  # a comment on another file of the PR is a conversation between people
    if _part_of_deciding_review(ctx, number, comment.pull_request_review_id):
        return
    author = comment.user.login if comment.user else ""
    thread_start = comment.in_reply_to_id or comment.id  # GitHub takes replies on the first comment only
    decision = authorise(ctx.client, ctx.owner, ctx.name, author, config.allowed)
    if not decision.allowed:
        _reply_in_thread(
            ctx, number, thread_start, messages.unauthorised(ctx.thread_id, author, decision.requirement)
        )
        return
    _reply_in_thread(ctx, number, thread_start, chart_flow.revision(ctx, comment.body))
