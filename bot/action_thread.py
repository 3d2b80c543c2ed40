"""Respond mode's conversation on GitHub: the thread an event continues, and its state comment."""

from __future__ import annotations

from bot import messages
from bot.action_settings import ActionSettings
from bot.action_state import (
    ActionState,
    StoredComment,
    decode_state,
    find_state_comment,
    state_comment,
)
from bot.events import (
    IssueCommentEvent,
    PullRequestEvent,
    PullRequestReviewCommentEvent,
    PullRequestReviewEvent,
    RepositoryEvent,
    WorkflowRunEvent,
    thread_id,
)
from bot.github import GitHubClient
from bot.threads import ThreadId


def _thread_of_pull(settings: ActionSettings, client: GitHubClient, number: int, trusted: set[str]) -> str:
    """A PR the bot opened belongs to the issue that asked for it (its body's hidden marker)."""
    pull = client.get_pull(settings.owner, settings.repo, number)
    found = messages.find_marker(pull.body or "")
    if found and found[0] == "pr" and pull.user.lower() in trusted:
        marked = found[1]
        if ThreadId.parse(marked).full_name == settings.repository:
            return marked
    return thread_id(settings.owner, settings.repo, number)


def thread_for_event(
    settings: ActionSettings, event: RepositoryEvent, client: GitHubClient, trusted: set[str]
) -> str | None:
    """The conversation this event continues (None: it is about nothing the bot started)."""
    if isinstance(event, IssueCommentEvent):
        if event.issue.is_pull_request:
            return _thread_of_pull(settings, client, event.issue.number, trusted)
        return thread_id(settings.owner, settings.repo, event.issue.number)
    if isinstance(event, PullRequestReviewEvent | PullRequestReviewCommentEvent | PullRequestEvent):
        return _thread_of_pull(settings, client, event.pull_request.number, trusted)
    if isinstance(event, WorkflowRunEvent):
        numbers = [pr.number for pr in event.workflow_run.pull_requests]
        if not numbers and event.workflow_run.head_branch:
            pull = client.find_pull(settings.owner, settings.repo, event.workflow_run.head_branch)
            numbers = [pull.number] if pull else []
        return _thread_of_pull(settings, client, numbers[0], trusted) if numbers else None
    return None


def load_state(
    settings: ActionSettings, client: GitHubClient, thread: str, trusted: set[str]
) -> tuple[ActionState, StoredComment | None]:
    """The thread's stored state and the comment holding it (fresh state when there is none)."""
    number = ThreadId.parse(thread).number
    comments = [
        StoredComment(id=c.id, body=c.body, user=c.user)
        for c in client.list_comments(settings.owner, settings.repo, number)
    ]
    found = find_state_comment(comments, trusted)
    if found is None:
        return ActionState(thread_id=thread), None
    return decode_state(found.body, thread), found


def save_state(
    settings: ActionSettings, client: GitHubClient, state: ActionState, existing: StoredComment | None
) -> None:
    """Write `state` into the thread's state comment (a new one when there is none; no write when unchanged)."""
    number = ThreadId.parse(state.thread_id).number
    body = state_comment(state)
    if existing is not None and existing.body == body:
        return
    client.upsert_comment(settings.owner, settings.repo, number, existing.id if existing else None, body)
