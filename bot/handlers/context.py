"""What a handler works with: the event, its conversation, the GitHub client and the repo's config.

Lookups that cost an API call (repository, `.github/autopilot.yml`, the status comment) are
made once per job and cached here. Every write a handler makes is idempotent so a job
retried after a crash finds its earlier comment, branch and PR instead of making new ones.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot import messages
from bot.config import REPO_CONFIG_PATH, RepoConfig, load_repo_config
from bot.events import RepositoryEvent
from bot.github import Comment, GitHubClient, GitHubNotFound, Repo
from bot.metrics import process_metrics
from bot.store import Job, RunRecord
from bot.threads import ThreadId

if TYPE_CHECKING:
    from bot.runner import Bot


@dataclass
class EventContext:
    bot: Bot
    job: Job
    event: RepositoryEvent
    client: GitHubClient
    thread_id: str
    _repo: Repo | None = field(default=None, init=False)
    _config: RepoConfig | None = field(default=None, init=False)

    # --- where we are ---------------------------------------------------------------------

    @property
    def owner(self) -> str:
        return self.event.repository.owner.login

    @property
    def name(self) -> str:
        return self.event.repository.name

    @property
    def full_name(self) -> str:
        return self.event.repository.full_name

    @property
    def number(self) -> int:
        """The issue (or PR) where the conversation started: status comments live there."""
        return ThreadId.parse(self.thread_id).number

    def repo(self) -> Repo:
        """The repository as the API describes it (default branch, the clone URL git must use)."""
        if self._repo is None:
            self._repo = self.client.get_repo(self.owner, self.name)
        return self._repo

    def config(self) -> RepoConfig:
        """`.github/autopilot.yml` from the default branch; raises `RepoConfigError` when unusable."""
        if self._config is None:
            text = self.client.get_file(self.owner, self.name, REPO_CONFIG_PATH, self.repo().default_branch)
            self._config = load_repo_config(text)
        return self._config

    # --- the run record -------------------------------------------------------------------

    def run(self) -> RunRecord:
        return self.bot.store.get_run(self.thread_id) or RunRecord(thread_id=self.thread_id)

    def save(self, **changes: object) -> RunRecord:
        """Update fields of this thread's run record (re-read first: heal counters change elsewhere)."""
        stage = changes.get("stage")
        if isinstance(stage, str):
            process_metrics().runs.labels(stage=stage).inc()
        return self.bot.store.save_run(self.run().model_copy(update=changes))

    # --- comments -------------------------------------------------------------------------

    def reply(self, body: str, number: int | None = None) -> Comment:
        return self.client.create_comment(self.owner, self.name, number or self.number, body)

    def reply_once(self, body: str, number: int | None = None) -> Comment:
        """Post `body` unless the very same comment is already there (a retried job)."""
        target = number or self.number
        for existing in self.client.list_comments(self.owner, self.name, target):
            if existing.body == body:
                return existing
        return self.reply(body, target)

    def find_status_comment(self) -> Comment | None:
        """Our one status comment for this thread: by the id we saved, else by its hidden marker."""
        wanted = messages.marker("status", self.thread_id)
        saved = self.run().status_comment_id
        if saved is not None:
            try:
                comment = self.client.get_comment(self.owner, self.name, saved)
            except GitHubNotFound:  # deleted by someone: look for another, else post anew
                comment = None
            if comment is not None and wanted in comment.body:
                return comment
        for existing in self.client.list_comments(self.owner, self.name, self.number):
            if wanted in existing.body:
                return existing
        return None

    def requester(self) -> str | None:
        """Who asked for the chart (recorded in the status comment)."""
        comment = self.find_status_comment()
        return messages.find_requester(comment.body) if comment else None

    def status(
        self,
        *,
        done: Collection[str],
        current: str | None = None,
        note: str = "",
        failed: str | None = None,
        requester: str | None = None,
    ) -> Comment:
        """Edit the thread's status comment in place (creating it the first time)."""
        existing = self.find_status_comment()
        who = requester or (messages.find_requester(existing.body) if existing else None)
        body = messages.status_comment(self.thread_id, done=done, current=current, note=note, failed=failed)
        if who:
            body += "\n" + messages.requester_marker(who)
        comment = self.client.upsert_comment(
            self.owner, self.name, self.number, existing.id if existing else None, body
        )
        if self.run().status_comment_id != comment.id:
            self.save(status_comment_id=comment.id)
        return comment
