"""`issue_comment.created`: `/autopilot <verb>` commands, and plain answers to the bot's open question."""

from __future__ import annotations

from contextlib import suppress
from typing import cast

from bot import messages
from bot.authz import authorise
from bot.commands import (
    AnswerCommand,
    CancelCommand,
    ChartCommand,
    Command,
    FixCommand,
    Ignore,
    PlanCommand,
    Reply,
    ReviseCommand,
    Run,
    StatusCommand,
    ValidateCommand,
    parse_comment,
)
from bot.events import IssueCommentEvent
from bot.github import GitHubNotFound
from bot.handlers import chart_flow
from bot.handlers.context import EventContext
from bot.handlers.router import ROUTER, StepFailed


def _comment_event(ctx: EventContext) -> IssueCommentEvent:
    return cast(IssueCommentEvent, ctx.event)


def _author(ctx: EventContext) -> str:
    user = _comment_event(ctx).comment.user
    return user.login if user else ""


def _parsed(ctx: EventContext) -> Run | Reply | Ignore:
    comment = _comment_event(ctx).comment
    return parse_comment(
        comment.body,
        bot_login=ctx.bot.bot_login,
        author_login=_author(ctx),
        author_is_bot=bool(comment.user and comment.user.is_bot),
    )


def _is_plain_answer(ctx: EventContext) -> bool:
    """A comment without a command answers the open question only when the requester wrote it."""
    comment = _comment_event(ctx).comment
    if comment.user is None or comment.user.is_bot or not comment.body.strip():
        return False
    run = ctx.bot.store.get_run(ctx.thread_id)
    return run is not None and run.stage == "questions" and ctx.requester() == _author(ctx)


def _addressed(ctx: EventContext) -> bool:
    parsed = _parsed(ctx)
    return not isinstance(parsed, Ignore) or _is_plain_answer(ctx)


def _is_fork_pull(ctx: EventContext, number: int) -> tuple[bool, str]:
    """Whether PR `number`'s head is outside this repository (its branch here is absent or elsewhere)."""
    pull = ctx.client.get_pull(ctx.owner, ctx.name, number)
    branch = ctx.client.get_branch(ctx.owner, ctx.name, pull.head_ref)
    return branch is None or branch.sha != pull.head_sha, pull.head_ref


def _acknowledge(ctx: EventContext, comment_id: int) -> None:
    """React 👀 to the command; a courtesy, so a comment deleted before the job ran must not stop it."""
    with suppress(GitHubNotFound):  # deleted after delivery: the answer still goes to the thread
        ctx.client.add_reaction(ctx.owner, ctx.name, comment_id, "eyes")


@ROUTER.on("issue_comment", "created", when=_addressed)
def on_comment(ctx: EventContext) -> None:
    event = _comment_event(ctx)
    where = event.issue.number
    parsed = _parsed(ctx)
    if isinstance(parsed, Ignore):
        chart_flow.answer(ctx, event.comment.body)
        return
    if isinstance(parsed, Reply):
        ctx.reply(f"{messages.marker('reply', ctx.thread_id)}\n{parsed.text}", where)
        return
    command, author = parsed.command, _author(ctx)
    _acknowledge(ctx, event.comment.id)
    with chart_flow.reporting(ctx, "plan"):
        config = ctx.config()
    decision = authorise(ctx.client, ctx.owner, ctx.name, author, config.allowed)
    if not decision.allowed:
        ctx.reply(messages.unauthorised(ctx.thread_id, author, decision.requirement), where)
        return
    if event.issue.is_pull_request and ctx.run().pr_number != where:
        fork, head = _is_fork_pull(ctx, where)
        if fork:
            ctx.reply(messages.fork_pr_refusal(ctx.thread_id, head), where)
            return
    _run_command(ctx, command, author, where)


def _run_command(ctx: EventContext, command: Command, author: str, where: int) -> None:
    """Send each verb to its step (Atlantis-style: one map from verb to runner)."""
    if isinstance(command, ChartCommand):
        chart_flow.start_chart(ctx, command.request, dict(command.settings), author)
    elif isinstance(command, PlanCommand):
        chart_flow.show_plan(ctx, command.request, dict(command.settings))
    elif isinstance(command, AnswerCommand):
        chart_flow.answer(ctx, command.text)
    elif isinstance(command, ReviseCommand):
        chart_flow.revise(ctx, command.text)
    elif isinstance(command, FixCommand):
        if ctx.run().pr_number is None:
            ctx.reply(messages.no_run(ctx.thread_id, "fix"), where)
            return
        chart_flow.heal_branch(ctx, trigger=f"`/autopilot fix` by @{author}")
    elif isinstance(command, ValidateCommand):
        chart_flow.validate_branch(ctx)
    elif isinstance(command, StatusCommand):
        chart_flow.status_reply(ctx, where)
    elif isinstance(command, CancelCommand):
        chart_flow.cancel(ctx, author)
    else:  # parse_comment returns only the commands above
        raise StepFailed(f"no runner for {command!r}")
