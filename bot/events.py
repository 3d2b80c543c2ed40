"""The few webhook fields the bot acts on, as lenient pydantic models.

GitHub adds fields all the time and older payloads lack newer ones, so every model ignores
unknown keys and only requires what a handler cannot work without. `parse_event` maps the
`X-GitHub-Event` name to its model; events we do not handle give None.
"""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.threads import ThreadId


class EventPayloadError(ValueError):
    """A delivery for an event we handle has a body we cannot use (not JSON, or a required field missing)."""


def thread_id(owner: str, repo: str, number: int) -> str:
    """The one id of a conversation: `owner/repo#number` (checkpoint thread, lock and run record)."""
    return str(ThreadId.of(owner, repo, number))


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Account(_Lenient):
    login: str
    id: int | None = None
    type: str = "User"  # "User", "Organization" or "Bot"

    @property
    def is_bot(self) -> bool:
        return self.type == "Bot" or self.login.endswith("[bot]")


_REPO_PART = re.compile(r"^[A-Za-z0-9._-]{1,100}$")


class Repository(_Lenient):
    name: str
    full_name: str
    owner: Account
    fork: bool = False
    default_branch: str | None = None
    private: bool = False

    @field_validator("name")
    @classmethod
    def _plain_name(cls, value: str) -> str:
        # the name goes into API paths and the thread id: refuse what GitHub never sends ("..", "a/b")
        if not _REPO_PART.match(value) or value in (".", ".."):
            raise ValueError(f"{value!r} is not a GitHub repository name")
        return value

    @field_validator("owner")
    @classmethod
    def _plain_owner(cls, value: Account) -> Account:
        if not _REPO_PART.match(value.login) or value.login in (".", ".."):
            raise ValueError(f"{value.login!r} is not a GitHub account name")
        return value

    def thread_id(self, number: int) -> str:
        return thread_id(self.owner.login, self.name, number)


class RepositoryRef(_Lenient):
    """A repository as nested in heads and installation lists (often only id and name)."""

    id: int | None = None
    name: str | None = None
    full_name: str | None = None


class InstallationRef(_Lenient):
    id: int


class GitRef(_Lenient):
    ref: str
    sha: str
    repo: RepositoryRef | None = None  # None when a fork was deleted


class PullRequestNumber(_Lenient):
    number: int


class PullRequest(_Lenient):
    number: int
    state: str
    title: str = ""
    html_url: str = ""
    draft: bool = False
    merged: bool | None = None
    user: Account | None = None
    head: GitRef
    base: GitRef


class Issue(_Lenient):
    number: int
    title: str = ""
    state: str = "open"
    user: Account | None = None
    pull_request: dict[str, Any] | None = None  # present when the "issue" is a pull request

    @property
    def is_pull_request(self) -> bool:
        return self.pull_request is not None


def _none_to_empty(value: Any) -> Any:
    return "" if value is None else value


class IssueComment(_Lenient):
    id: int
    body: str = ""
    user: Account | None = None
    author_association: str = "NONE"
    html_url: str = ""

    _body = field_validator("body", mode="before")(_none_to_empty)


class Review(_Lenient):
    id: int
    body: str = ""  # GitHub sends null for a review without text
    state: str
    user: Account | None = None
    commit_id: str | None = None

    _body = field_validator("body", mode="before")(_none_to_empty)


class ReviewComment(_Lenient):
    id: int
    body: str = ""
    user: Account | None = None
    path: str = ""
    line: int | None = None
    commit_id: str | None = None
    in_reply_to_id: int | None = None
    pull_request_review_id: int | None = None

    _body = field_validator("body", mode="before")(_none_to_empty)


class AppRef(_Lenient):
    id: int | None = None
    slug: str | None = None


class CheckRun(_Lenient):
    id: int
    name: str
    head_sha: str
    status: str
    conclusion: str | None = None
    html_url: str | None = None
    app: AppRef | None = None
    pull_requests: list[PullRequestNumber] = Field(default_factory=list)


class CheckSuite(_Lenient):
    id: int
    head_sha: str
    head_branch: str | None = None
    status: str | None = None
    conclusion: str | None = None
    app: AppRef | None = None
    pull_requests: list[PullRequestNumber] = Field(default_factory=list)


class WorkflowRun(_Lenient):
    id: int
    name: str | None = None
    head_sha: str
    head_branch: str | None = None
    status: str | None = None
    conclusion: str | None = None
    event: str = ""
    html_url: str = ""
    pull_requests: list[PullRequestNumber] = Field(default_factory=list)


class RepositoryEvent(_Lenient):
    """Fields every repository-scoped event carries."""

    name: ClassVar[str] = ""
    action: str = ""
    repository: Repository
    installation: InstallationRef | None = None
    sender: Account | None = None

    @property
    def thread_ids(self) -> list[str]:
        """The conversations this event belongs to (several for a check on several PRs, none for a push)."""
        return [self.repository.thread_id(n) for n in self._numbers()]

    def _numbers(self) -> list[int]:
        return []


class IssueCommentEvent(RepositoryEvent):
    name: ClassVar[str] = "issue_comment"
    issue: Issue
    comment: IssueComment

    def _numbers(self) -> list[int]:
        return [self.issue.number]


class PullRequestReviewEvent(RepositoryEvent):
    name: ClassVar[str] = "pull_request_review"
    review: Review
    pull_request: PullRequest

    def _numbers(self) -> list[int]:
        return [self.pull_request.number]


class PullRequestReviewCommentEvent(RepositoryEvent):
    name: ClassVar[str] = "pull_request_review_comment"
    comment: ReviewComment
    pull_request: PullRequest

    def _numbers(self) -> list[int]:
        return [self.pull_request.number]


class PullRequestEvent(RepositoryEvent):
    name: ClassVar[str] = "pull_request"
    number: int
    pull_request: PullRequest

    def _numbers(self) -> list[int]:
        return [self.number]


class CheckRunEvent(RepositoryEvent):
    name: ClassVar[str] = "check_run"
    check_run: CheckRun

    def _numbers(self) -> list[int]:
        return [pr.number for pr in self.check_run.pull_requests]


class CheckSuiteEvent(RepositoryEvent):
    name: ClassVar[str] = "check_suite"
    check_suite: CheckSuite

    def _numbers(self) -> list[int]:
        return [pr.number for pr in self.check_suite.pull_requests]


class WorkflowRunEvent(RepositoryEvent):
    name: ClassVar[str] = "workflow_run"
    workflow_run: WorkflowRun

    def _numbers(self) -> list[int]:
        return [pr.number for pr in self.workflow_run.pull_requests]


class InstallationEvent(_Lenient):
    """The App was installed, removed, suspended…; not tied to one repository."""

    name: ClassVar[str] = "installation"
    action: str = ""
    installation: InstallationRef
    repositories: list[RepositoryRef] = Field(default_factory=list)
    sender: Account | None = None

    _repositories = field_validator("repositories", mode="before")(lambda v: [] if v is None else v)


WebhookEvent = (
    IssueCommentEvent
    | PullRequestReviewEvent
    | PullRequestReviewCommentEvent
    | PullRequestEvent
    | CheckRunEvent
    | CheckSuiteEvent
    | WorkflowRunEvent
    | InstallationEvent
)

EVENT_MODELS: dict[str, type[WebhookEvent]] = {
    model.name: model
    for model in (
        IssueCommentEvent,
        PullRequestReviewEvent,
        PullRequestReviewCommentEvent,
        PullRequestEvent,
        CheckRunEvent,
        CheckSuiteEvent,
        WorkflowRunEvent,
        InstallationEvent,
    )
}
HANDLED_EVENTS = frozenset(EVENT_MODELS)


_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _without_surrogates(value: Any) -> Any:
    """`value` with lone UTF-16 surrogates replaced by U+FFFD.

    JSON may escape them (`"\\ud800"`) though no UTF-8 text can hold them; left in, every later
    write (a comment quoting the text, a log line, the store) fails with UnicodeEncodeError.
    """
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_without_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {_without_surrogates(key): _without_surrogates(item) for key, item in value.items()}
    return value


def parse_event(event: str, payload: bytes | str | dict[str, Any]) -> WebhookEvent | None:
    """Parse one delivery's body for its `X-GitHub-Event`; None when the bot does not handle that event."""
    model = EVENT_MODELS.get(event)
    if model is None:
        return None
    if isinstance(payload, bytes | str):
        try:
            data = json.loads(payload)
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise EventPayloadError(f"{event} payload is not JSON: {err}") from None
        raw = payload.encode("utf-8", "surrogatepass") if isinstance(payload, str) else payload
        if _SURROGATE_ESCAPE.search(raw) or (isinstance(payload, str) and _SURROGATE.search(payload)):
            data = _without_surrogates(data)
    else:
        data = _without_surrogates(payload)
    if not isinstance(data, dict):
        raise EventPayloadError(f"{event} payload must be a JSON object, got {type(data).__name__}")
    try:
        return model.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise EventPayloadError(f"{event} payload field `{where}`: {first['msg']}") from None
