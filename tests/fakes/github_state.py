"""What the fake GitHub remembers: apps, installations, tokens, repos and their issues' objects.

Plain dataclasses that tests seed and inspect directly; the HTTP layer (`github_server`)
turns them into REST bodies with `github_shapes`.
"""

from __future__ import annotations

import secrets
import string
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

Permission = Literal["admin", "maintain", "write", "triage", "read", "none"]
BOT_LOGIN = "k8s-autopilot[bot]"
ACTIONS_LOGIN = "github-actions[bot]"
APP_SLUG = BOT_LOGIN.removesuffix("[bot]")


def user_id_of(login: str) -> int:
    """A stable user id per login (the same in every process, so spawned bots agree with the test)."""
    return zlib.crc32(login.encode()) % 100_000_000 + 1


# How GitHub links a commit to the App's bot user: `<bot user id>+<login>@users.noreply.<host>`; the
# fake answers on 127.0.0.1 like a GitHub Enterprise Server there (github.com's is `…noreply.github.com`).
BOT_EMAIL = f"{user_id_of(BOT_LOGIN)}+{BOT_LOGIN}@users.noreply.127.0.0.1"


def token_of(prefix: str) -> str:
    """A token shaped like GitHub's: `ghs_` (installation) or `ghp_` + 36 alphanumerics."""
    alphabet = string.ascii_letters + string.digits
    return prefix + "".join(secrets.choice(alphabet) for _ in range(36))


@dataclass
class FakeApp:
    app_id: int
    public_key_pem: str
    slug: str = APP_SLUG


@dataclass
class FakeInstallation:
    installation_id: int
    app_id: int
    account: str


@dataclass
class FakeToken:
    """An installation token (scoped to its installation's repos) or a plain Action token."""

    token: str
    actor: str
    installation_id: int | None = None  # None: a plain token (GITHUB_TOKEN in Action mode)
    repos: frozenset[str] | None = None  # plain token: which `owner/name` it may touch (None: all)
    expires_at: datetime = field(default_factory=lambda: datetime.now(UTC) + timedelta(hours=1))

    def expired(self) -> bool:
        return datetime.now(UTC) >= self.expires_at


@dataclass
class FakeRepo:
    owner: str
    name: str
    repo_id: int
    installation_id: int | None
    default_branch: str = "main"
    fork: bool = False
    private: bool = False
    permissions: dict[str, Permission] = field(default_factory=dict)

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass
class FakeComment:
    id: int
    repo: str
    issue_number: int
    body: str
    user: str
    created_at: str
    updated_at: str
    reactions: list[tuple[str, str]] = field(default_factory=list)  # (user, content)


@dataclass
class FakePull:
    id: int
    node_id: str
    repo: str
    number: int
    title: str
    body: str | None
    head: str
    base: str
    head_sha: str
    base_sha: str
    user: str
    draft: bool
    created_at: str
    updated_at: str
    state: Literal["open", "closed"] = "open"
    merged: bool = False
    closed_at: str | None = None
    maintainer_can_modify: bool = False


@dataclass
class FakeReview:
    id: int
    repo: str
    pull_number: int
    user: dict[str, Any]
    body: str
    state: str  # APPROVED | CHANGES_REQUESTED | COMMENTED
    commit_id: str
    submitted_at: str


@dataclass
class FakeReviewComment:
    id: int
    repo: str
    pull_number: int
    review_id: int
    path: str
    line: int
    body: str
    user: dict[str, Any]
    commit_id: str
    in_reply_to_id: int | None = None


@dataclass
class FakeCheckRun:
    id: int
    repo: str
    name: str
    head_sha: str
    status: str = "queued"
    conclusion: str | None = None
    started_at: str | None = None
    completed_at: str | None = None
    external_id: str | None = None
    details_url: str | None = None
    title: str | None = None
    summary: str | None = None
    text: str | None = None
    annotations: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class CallRecord:
    """One request the fake answered, for assertions on what the bot did (and with which token)."""

    method: str
    path: str
    query: str
    token: str | None
    status: int = 0
    operation: str | None = None  # the REST operation it matched: `issues/create-comment (POST …)`
    started: float = field(default_factory=time.perf_counter)  # for bench/latency.py's stages
    finished: float = 0.0


@dataclass
class Fault:
    """What the next matching requests get instead of their normal answer."""

    status: int = 500
    times: int = 1
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None
    delay: float = 0.0  # seconds to wait first; with status 0 the normal answer follows

    @classmethod
    def server_error(cls, status: int = 500, times: int = 1) -> Fault:
        return cls(status=status, times=times, body={"message": "Server Error"})

    @classmethod
    def secondary_rate_limit(cls, retry_after: int = 3, status: int = 403, times: int = 1) -> Fault:
        return cls(
            status=status,
            times=times,
            headers={"retry-after": str(retry_after)},
            body={
                "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
            },
        )

    @classmethod
    def primary_rate_limit(cls, reset_in: int = 30, times: int = 1) -> Fault:
        reset = int(datetime.now(UTC).timestamp()) + reset_in
        return cls(
            status=403,
            times=times,
            headers={
                "x-ratelimit-remaining": "0",
                "x-ratelimit-limit": "5000",
                "x-ratelimit-reset": str(reset),
            },
            body={"message": "API rate limit exceeded for installation."},
        )

    @classmethod
    def slow(cls, seconds: float, times: int = 1) -> Fault:
        return cls(status=0, times=times, delay=seconds)


@dataclass
class FakeWorkflowJob:
    """One job of a workflow run, with its log as the runner wrote it (served behind a redirect)."""

    id: int
    repo: str
    run_id: int
    name: str
    head_sha: str
    conclusion: str | None
    log: str
    steps: list[tuple[str, str]] = field(default_factory=list)  # (step name, conclusion)
    log_key: str = field(default_factory=lambda: secrets.token_hex(16))  # the signed download URL's secret
