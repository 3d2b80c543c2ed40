"""The one door to the GitHub API (githubkit 0.16.1): typed calls, retries, counters.

Everything else in `bot/` talks to GitHub through `GitHubClient`, which returns small pydantic
models of the fields we use. Retries are ours, not githubkit's: 5xx, 429, timeouts and
secondary rate limits are retried with backoff, honouring `Retry-After` up to a cap; a wait
longer than the cap fails fast with `GitHubRateLimited` so a job can be re-queued instead of
blocking a worker for an hour. `sleep` is injectable so tests never wait.
"""

from __future__ import annotations

import base64
import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, TypeVar, cast

import httpx
from githubkit import AppAuthStrategy, GitHub, TokenAuthStrategy
from githubkit.auth.base import BaseAuthStrategy
from githubkit.cache import MemCacheStrategy
from githubkit.exception import (
    GitHubException,
    GraphQLFailed,
    RateLimitExceeded,
    RequestError,
    RequestFailed,
    RequestTimeout,
)
from githubkit.response import Response
from githubkit_schemas.latest.models import ContentFile
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from bot.redact import redact, register_secret

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.github.com"
ANNOTATIONS_PER_REQUEST = 50  # GitHub rejects more per check-run create/update
PER_PAGE = 100
TOKEN_REFRESH_MARGIN = timedelta(minutes=5)
CLOCK_SKEW = timedelta(minutes=5)  # how far GitHub's clock may be behind ours
POSTED_COMMENT_LOOKS = 2  # re-lists, one request timeout apart, for a comment whose POST timed out

T = TypeVar("T")
ReactionContent = Literal["+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"]
Permission = Literal["admin", "maintain", "write", "triage", "read", "none"]
CheckStatus = Literal["queued", "in_progress", "completed"]
CheckConclusion = Literal[
    "success", "failure", "neutral", "cancelled", "skipped", "timed_out", "action_required"
]
AnnotationLevel = Literal["notice", "warning", "failure"]


# ---- errors -----------------------------------------------------------------------------------


class GitHubError(Exception):
    """A GitHub call failed; `route` names the call, `status` is the HTTP status (None: no answer)."""

    def __init__(self, route: str, message: str, status: int | None = None) -> None:
        super().__init__(redact(f"GitHub {route} failed: {message}"))
        self.route = route
        self.status = status


class GitHubNotFound(GitHubError):
    """404: the object is gone (deleted comment, branch, PR) or the token cannot see it."""


class GitHubAuthError(GitHubError):
    """401/403 that is not a rate limit: bad credentials or a missing App permission."""


class GitHubValidationFailed(GitHubError):
    """422: GitHub refused the request body (e.g. a PR for this branch already exists)."""


class GitHubRateLimited(GitHubError):
    """Rate limited for longer than we are willing to wait; retry after `retry_after` seconds."""

    def __init__(self, route: str, message: str, status: int | None, retry_after: float) -> None:
        super().__init__(route, message, status)
        self.retry_after = retry_after


class GitHubUnavailable(GitHubError):
    """5xx, timeouts or connection errors persisted through every retry."""


class GitHubUnconfirmed(GitHubUnavailable):
    """A non-idempotent request timed out: GitHub may or may not have applied it, so it was not resent."""


# ---- settings and observation -----------------------------------------------------------------


class RetryPolicy(BaseModel):
    """How hard to try: `attempts` in total, exponential backoff from `backoff`, waits capped at `max_wait`."""

    model_config = ConfigDict(frozen=True)

    attempts: int = Field(default=4, ge=1)
    backoff: float = Field(default=1.0, ge=0)
    max_wait: float = Field(default=60.0, ge=0)


CallObserver = Callable[[str, str], None]
"""Called after every API attempt with (route, outcome): outcome is "ok" or an error label such as "500"."""


class ApiCounters:
    """Plain counters of API calls and errors by route, for the server's /metrics."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()

    def record(self, route: str, outcome: str) -> None:
        self.calls[route] += 1
        if outcome != "ok":
            self.errors[f"{route} {outcome}"] += 1


# ---- models of what we use --------------------------------------------------------------------


class Repo(BaseModel):
    owner: str
    name: str
    full_name: str
    default_branch: str
    clone_url: str
    fork: bool
    private: bool


class Comment(BaseModel):
    id: int
    body: str
    user: str
    html_url: str


class PullRequest(BaseModel):
    number: int
    node_id: str
    title: str
    body: str | None
    state: str
    draft: bool
    merged: bool
    head_ref: str
    head_sha: str
    base_ref: str
    html_url: str
    user: str


class Review(BaseModel):
    id: int
    user: str
    state: str  # APPROVED | CHANGES_REQUESTED | COMMENTED | DISMISSED | PENDING
    body: str
    commit_id: str | None


class ReviewComment(BaseModel):
    id: int
    review_id: int | None
    path: str
    line: int | None
    body: str
    user: str
    in_reply_to: int | None = None  # the thread's first comment, for a reply


class Annotation(BaseModel):
    """A check-run annotation, as we post it and as GitHub lists it back."""

    path: str
    start_line: int = Field(ge=1)
    end_line: int = Field(ge=1)
    annotation_level: AnnotationLevel
    message: str
    title: str | None = None
    raw_details: str | None = None


class CheckRun(BaseModel):
    id: int
    name: str
    head_sha: str
    status: str
    conclusion: str | None
    html_url: str | None


class Branch(BaseModel):
    name: str
    sha: str
    author_email: str | None


class User(BaseModel):
    login: str
    id: int
    is_bot: bool


class RateLimit(BaseModel):
    limit: int
    remaining: int
    reset: datetime


class InstallationToken(BaseModel):
    token: SecretStr
    expires_at: datetime


# ---- the client -------------------------------------------------------------------------------


def _login(user: Any) -> str:
    return str(getattr(user, "login", "") or "")


def _pull(p: Any) -> PullRequest:
    return PullRequest(
        number=p.number,
        node_id=p.node_id,
        title=p.title,
        body=p.body,
        state=p.state,
        draft=bool(p.draft),
        merged=p.merged_at is not None,
        head_ref=p.head.ref,
        head_sha=p.head.sha,
        base_ref=p.base.ref,
        html_url=p.html_url,
        user=_login(p.user),
    )


def _check_run(r: Any) -> CheckRun:
    return CheckRun(
        id=r.id,
        name=r.name,
        head_sha=r.head_sha,
        status=r.status,
        conclusion=r.conclusion,
        html_url=r.html_url,
    )


def _comment(c: Any) -> Comment:
    return Comment(id=c.id, body=c.body or "", user=_login(c.user), html_url=c.html_url)


def _review_comment(c: Any) -> ReviewComment:
    return ReviewComment(
        id=c.id,
        review_id=c.pull_request_review_id,
        path=c.path,
        line=c.line or None,
        body=c.body,
        user=_login(c.user),
        in_reply_to=c.in_reply_to_id or None,
    )


def _batches(items: Sequence[Annotation]) -> Iterator[list[Annotation]]:
    for start in range(0, len(items), ANNOTATIONS_PER_REQUEST):
        yield list(items[start : start + ANNOTATIONS_PER_REQUEST])


class _PooledTransport(httpx.BaseTransport):
    """Keeps one connection pool across githubkit's per-request httpx clients.

    githubkit builds (and closes) an httpx client per call unless used as a context manager,
    which is per-thread; sharing this transport keeps connections alive and skips rebuilding
    an SSL context each call (≈ 10 ms instead of ≈ 100 ms per call, measured on the fake).
    """

    def __init__(self) -> None:
        self._inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._inner.handle_request(request)

    def close(self) -> None:
        """Ignored: githubkit closes its client after every call; `shutdown` really closes."""

    def shutdown(self) -> None:
        self._inner.close()


def _new_github(auth: Any, base_url: str, timeout: float) -> tuple[GitHub[Any], _PooledTransport]:
    # Per client: no HTTP cache, a private token cache (the default one is process-wide and
    # ignores base_url), and no githubkit retries (a `retry-after: 0` would sleep 60 s).
    transport = _PooledTransport()
    github = GitHub(
        auth,
        base_url=base_url,
        timeout=httpx.Timeout(timeout),
        http_cache=False,
        cache_strategy=MemCacheStrategy(),
        auto_retry=False,
        transport=transport,
    )
    return github, transport


Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class InstallationTokens:
    """One token per installation, shared by every client and clone of the process, minted again
    only when it is within TOKEN_REFRESH_MARGIN of expiring.

    githubkit's `AppInstallationAuthStrategy` caches the token too, but in the client's own cache
    strategy: a client made per job minted a token for its API calls and git got another, so one
    conversation (a dozen jobs) minted a dozen tokens. Here every job of an installation uses one.
    """

    def __init__(self, mint: Callable[[int], InstallationToken], clock: Clock = _utc_now) -> None:
        self._mint = mint
        self._clock = clock
        self._tokens: dict[int, InstallationToken] = {}
        self._lock = threading.Lock()

    def get(self, installation_id: int) -> InstallationToken:
        with self._lock:  # one mint at a time: two jobs starting together must not mint twice
            token = self._tokens.get(installation_id)
            if token is None or token.expires_at - TOKEN_REFRESH_MARGIN <= self._clock():
                token = self._mint(installation_id)
                self._tokens[installation_id] = token
            return token

    def refused(self, installation_id: int, token: InstallationToken) -> InstallationToken:
        """GitHub refused `token` (revoked, or expired early): drop it and return a fresh one."""
        with self._lock:
            if self._tokens.get(installation_id) is token:
                del self._tokens[installation_id]
        return self.get(installation_id)


class _InstallationTokenAuth(httpx.Auth):
    """Sends the installation's shared token; a 401 is retried once with a freshly minted one."""

    def __init__(self, tokens: InstallationTokens, installation_id: int) -> None:
        self.tokens = tokens
        self.installation_id = installation_id

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self.tokens.get(self.installation_id)
        request.headers["Authorization"] = f"token {token.token.get_secret_value()}"
        response = yield request
        if response.status_code == 401:
            fresh = self.tokens.refused(self.installation_id, token)
            request.headers["Authorization"] = f"token {fresh.token.get_secret_value()}"
            yield request


class _InstallationTokenStrategy(BaseAuthStrategy):
    def __init__(self, tokens: InstallationTokens, installation_id: int) -> None:
        self.tokens = tokens
        self.installation_id = installation_id

    def get_auth_flow(self, github: Any) -> httpx.Auth:
        return _InstallationTokenAuth(self.tokens, self.installation_id)


class GitHubApp:
    """The App itself (JWT auth): finds installations, mints (and shares) their tokens, makes clients."""

    def __init__(
        self,
        app_id: int,
        private_key: SecretStr | str,
        *,
        base_url: str = DEFAULT_API_URL,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        observer: CallObserver | None = None,
        clock: Clock = _utc_now,
    ) -> None:
        self.app_id = app_id
        self._key = private_key if isinstance(private_key, SecretStr) else SecretStr(private_key)
        register_secret(self._key.get_secret_value())
        self.base_url = base_url
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.observer = observer
        self._jwt_github, self._transport = _new_github(
            AppAuthStrategy(app_id, self._key.get_secret_value()), base_url, timeout
        )
        self._caller = _Caller(self.retry, sleep, observer)
        self.tokens = InstallationTokens(self.create_installation_token, clock)
        self._slug: str | None = None

    def slug(self) -> str:
        """The App's URL name (`GET /app`); its bot account is `<slug>[bot]`. Asked once."""
        if self._slug is None:
            gh = self._jwt_github
            app = self._caller.call("apps.get_authenticated", lambda: gh.rest.apps.get_authenticated())
            data = app.parsed_data
            slug = data.slug if data is not None and isinstance(data.slug, str) else ""
            if not slug:
                raise GitHubError("apps.get_authenticated", "GitHub did not say the App's slug")
            self._slug = slug
        return self._slug

    def installation_id_for(self, owner: str, repo: str) -> int:
        """The installation of this App on `owner/repo`; GitHubNotFound when the App is not installed there."""
        gh = self._jwt_github
        resp = self._caller.call(
            "apps.get_repo_installation", lambda: gh.rest.apps.get_repo_installation(owner, repo)
        )
        return int(resp.parsed_data.id)

    def create_installation_token(self, installation_id: int) -> InstallationToken:
        gh = self._jwt_github
        resp = self._caller.call(
            "apps.create_installation_access_token",
            lambda: gh.rest.apps.create_installation_access_token(installation_id),
        )
        data = resp.parsed_data
        register_secret(data.token)
        expires = datetime.strptime(data.expires_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        return InstallationToken(token=SecretStr(data.token), expires_at=expires)

    def close(self) -> None:
        self._transport.shutdown()

    def client_for(self, installation_id: int) -> GitHubClient:
        """A client acting as installation `installation_id`."""
        auth = _InstallationTokenStrategy(self.tokens, installation_id)
        github, transport = _new_github(auth, self.base_url, self.timeout)
        return GitHubClient(
            github,
            transport=transport,
            token_source=lambda: self.tokens.get(installation_id),
            retry=self.retry,
            sleep=self.sleep,
            observer=self.observer,
        )


class _Caller:
    """Runs one API call with our retry policy and reports every attempt."""

    def __init__(
        self, retry: RetryPolicy, sleep: Callable[[float], None], observer: CallObserver | None
    ) -> None:
        self.retry = retry
        self.sleep = sleep
        self.observer = observer
        self.counters = ApiCounters()

    def _report(self, route: str, outcome: str) -> None:
        self.counters.record(route, outcome)
        if self.observer:
            self.observer(route, outcome)

    def call(self, route: str, send: Callable[[], T], *, idempotent: bool = True) -> T:
        """`send()` with retries; a non-idempotent request that timed out raises `GitHubUnconfirmed`
        instead of being resent (GitHub may have applied it: the caller must look before resending)."""
        for attempt in range(1, self.retry.attempts + 1):
            try:
                resp = send()
            except GitHubException as exc:
                if isinstance(exc, RequestError) and isinstance(exc.exc, GitHubError):
                    # minting the installation token failed (with its own retries): that is the error
                    self._report(route, str(exc.exc.status) if exc.exc.status else type(exc.exc).__name__)
                    raise exc.exc from None
                error, wait = self._classify(route, exc, attempt)
                self._report(route, str(error.status) if error.status else type(exc).__name__)
                if not idempotent and _timed_out(exc):
                    raise GitHubUnconfirmed(
                        route, "timed out waiting for GitHub, which may still have applied the request"
                    ) from None
                if wait is None or attempt == self.retry.attempts:
                    raise error from None
                log.warning(
                    "GitHub %s: %s; retry %d/%d in %.1fs",
                    route,
                    error,
                    attempt,
                    self.retry.attempts - 1,
                    wait,
                )
                self.sleep(wait)
                continue
            self._report(route, "ok")
            return resp
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def _backoff(self, attempt: int) -> float:
        return min(self.retry.backoff * 2 ** (attempt - 1), self.retry.max_wait)

    def _classify(self, route: str, exc: GitHubException, attempt: int) -> tuple[GitHubError, float | None]:
        """The error to raise, and how long to wait before retrying (None: do not retry)."""
        if type(exc) is RequestError and isinstance(exc.exc, GitHubException):
            # a failure inside the auth flow (the installation-token request) arrives wrapped
            return self._classify(route, exc.exc, attempt)
        if isinstance(exc, RateLimitExceeded):
            wait = exc.retry_after.total_seconds()
            status = exc.response.status_code
            if wait > self.retry.max_wait:
                return GitHubRateLimited(
                    route,
                    f"rate limited for {wait:.0f}s (more than our {self.retry.max_wait:.0f}s cap); "
                    "re-queue the job after that",
                    status,
                    wait,
                ), None
            return GitHubRateLimited(route, f"rate limited; retry after {wait:.0f}s", status, wait), wait
        if isinstance(exc, RequestFailed):
            status = exc.response.status_code
            message = _error_message(exc)
            if status == 429:
                return GitHubRateLimited(route, message, status, self._backoff(attempt)), self._backoff(
                    attempt
                )
            if status >= 500:
                return GitHubUnavailable(route, f"HTTP {status}: {message}", status), self._backoff(attempt)
            if status == 404:
                return GitHubNotFound(
                    route, f"not found (deleted, or the App cannot see it): {message}", status
                ), None
            if status in (401, 403):
                return GitHubAuthError(
                    route, f"HTTP {status}: {message}; check the App's permissions and installation", status
                ), None
            if status == 422:
                return GitHubValidationFailed(route, f"GitHub refused the request: {message}", status), None
            return GitHubError(route, f"HTTP {status}: {message}", status), None
        if isinstance(exc, RequestTimeout):
            return GitHubUnavailable(route, "timed out waiting for GitHub"), self._backoff(attempt)
        if isinstance(exc, RequestError):
            return GitHubUnavailable(route, f"could not reach GitHub: {exc.exc!r}"), self._backoff(attempt)
        if isinstance(exc, GraphQLFailed):
            messages = "; ".join(e.message for e in exc.response.errors or [])
            return GitHubError(route, f"GraphQL refused the request: {messages}"), None
        return GitHubError(route, repr(exc)), None


def _timed_out(exc: GitHubException) -> bool:
    if type(exc) is RequestError and isinstance(exc.exc, GitHubException):
        return _timed_out(exc.exc)
    return isinstance(exc, RequestTimeout)


def _error_message(exc: RequestFailed) -> str:
    try:
        body = exc.response.json()
    except ValueError:
        return exc.response.text[:300]
    if isinstance(body, dict):
        message = str(body.get("message", ""))
        details = [_describe_error_item(e) for e in body.get("errors") or []]
        return "; ".join([message, *details]) if details else message
    return str(body)[:300]


def _describe_error_item(item: Any) -> str:
    """One entry of a 422's `errors`: its message, or e.g. "PullRequest.head invalid"."""
    if not isinstance(item, dict):
        return str(item)
    if item.get("message"):
        return str(item["message"])
    where = ".".join(str(item[k]) for k in ("resource", "field") if item.get(k))
    return f"{where} {item.get('code', '')}".strip()


class GitHubClient:
    """Typed GitHub calls for one installation (App mode) or one token (Action mode)."""

    def __init__(
        self,
        github: GitHub[Any],
        *,
        transport: _PooledTransport | None = None,
        token_source: Callable[[], InstallationToken],
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        observer: CallObserver | None = None,
    ) -> None:
        self._github = github  # keep a reference: githubkit fails on a collected client
        self._transport = transport
        self._token_source = token_source
        self._token: InstallationToken | None = None
        self._caller = _Caller(retry or RetryPolicy(), sleep, observer)
        self._login = ""  # who our comments are by, learned from the first one we post

    @classmethod
    def from_app(
        cls,
        *,
        app_id: int,
        private_key: SecretStr | str,
        installation_id: int,
        base_url: str = DEFAULT_API_URL,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        observer: CallObserver | None = None,
    ) -> GitHubClient:
        """A client for installation `installation_id` of App `app_id`."""
        app = GitHubApp(
            app_id,
            private_key,
            base_url=base_url,
            timeout=timeout,
            retry=retry,
            sleep=sleep,
            observer=observer,
        )
        return app.client_for(installation_id)

    @classmethod
    def from_token(
        cls,
        token: SecretStr | str,
        *,
        base_url: str | None = None,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        observer: CallObserver | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> GitHubClient:
        """A client for a plain token (Action mode's GITHUB_TOKEN); base from GITHUB_API_URL when not given."""
        secret = token if isinstance(token, SecretStr) else SecretStr(token)
        if not secret.get_secret_value():
            raise ValueError("the GitHub token is empty: set GITHUB_TOKEN (Action mode) or pass a token")
        register_secret(secret.get_secret_value())
        env = os.environ if environ is None else environ
        url = base_url or env.get("GITHUB_API_URL") or DEFAULT_API_URL
        github, transport = _new_github(TokenAuthStrategy(secret.get_secret_value()), url, timeout)
        far = datetime.now(UTC) + timedelta(days=3650)
        return cls(
            github,
            transport=transport,
            token_source=lambda: InstallationToken(token=secret, expires_at=far),
            retry=retry,
            sleep=sleep,
            observer=observer,
        )

    def close(self) -> None:
        """Close pooled connections; the client must not be used afterwards."""
        if self._transport:
            self._transport.shutdown()

    def __enter__(self) -> GitHubClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None, **options: Any) -> GitHubClient:
        """Action mode: `GITHUB_TOKEN` and `GITHUB_API_URL` as the runner sets them."""
        env = os.environ if environ is None else environ
        token = env.get("GITHUB_TOKEN", "")
        if not token:
            raise ValueError(
                "GITHUB_TOKEN is not set: pass `github-token: ${{ github.token }}` to the action "
                "(with contents, pull-requests, issues and checks write permissions)"
            )
        return cls.from_token(token, environ=env, **options)

    @property
    def counters(self) -> ApiCounters:
        return self._caller.counters

    def _call(self, route: str, send: Callable[[], T]) -> T:
        return self._caller.call(route, send)

    def _pages(self, route: str, fetch: Callable[[int], Response[list[T]]]) -> list[T]:
        items: list[T] = []
        page = 1
        while True:
            batch = self._call(route, lambda page=page: fetch(page)).parsed_data  # type: ignore[misc]
            items.extend(batch)
            if len(batch) < PER_PAGE:
                return items
            page += 1

    # -- tokens -----------------------------------------------------------------------------

    def installation_token(self) -> SecretStr:
        """A token for git over HTTPS, refreshed five minutes before it expires."""
        if self._token is None or self._token.expires_at - TOKEN_REFRESH_MARGIN <= datetime.now(UTC):
            self._token = self._token_source()
        return self._token.token

    # -- users ------------------------------------------------------------------------------

    def get_user(self, login: str) -> User:
        gh = self._github
        u = self._call("users.get_by_username", lambda: gh.rest.users.get_by_username(login)).parsed_data
        return User(login=u.login, id=u.id, is_bot=u.type == "Bot")

    # -- repository -------------------------------------------------------------------------

    def get_repo(self, owner: str, repo: str) -> Repo:
        gh = self._github
        r = self._call("repos.get", lambda: gh.rest.repos.get(owner, repo)).parsed_data
        return Repo(
            owner=r.owner.login,
            name=r.name,
            full_name=r.full_name,
            default_branch=r.default_branch,
            clone_url=r.clone_url,
            fork=r.fork,
            private=r.private,
        )

    def get_permission(self, owner: str, repo: str, user: str) -> Permission:
        """`user`'s role on the repo (admin, maintain, write, triage, read or none)."""
        gh = self._github
        data = self._call(
            "repos.get_collaborator_permission_level",
            lambda: gh.rest.repos.get_collaborator_permission_level(owner, repo, user),
        ).parsed_data
        role = (
            data.role_name
            if data.role_name in ("admin", "maintain", "write", "triage", "read")
            else data.permission
        )
        return cast(Permission, role if role in ("admin", "maintain", "write", "triage", "read") else "none")

    def get_file(self, owner: str, repo: str, path: str, ref: str) -> str | None:
        """The text of `path` at `ref`, or None when there is no such file."""
        gh = self._github
        try:
            data = self._call(
                "repos.get_content", lambda: gh.rest.repos.get_content(owner, repo, path, ref=ref)
            ).parsed_data
        except GitHubNotFound:
            return None
        if not isinstance(data, ContentFile):
            raise GitHubError("repos.get_content", f"{path!r} at {ref!r} in {owner}/{repo} is not a file")
        return base64.b64decode(data.content).decode()

    def get_branch(self, owner: str, repo: str, branch: str) -> Branch | None:
        """The branch head, or None when the branch does not exist."""
        gh = self._github
        try:
            b = self._call(
                "repos.get_branch", lambda: gh.rest.repos.get_branch(owner, repo, branch)
            ).parsed_data
        except GitHubNotFound:
            return None
        author = b.commit.commit.author
        return Branch(name=b.name, sha=b.commit.sha, author_email=author.email if author else None)

    def delete_branch(self, owner: str, repo: str, branch: str) -> bool:
        """Delete `branch`; False when it was already gone."""
        gh = self._github
        try:
            self._call("git.delete_ref", lambda: gh.rest.git.delete_ref(owner, repo, f"heads/{branch}"))
        except (GitHubNotFound, GitHubValidationFailed):
            return False
        return True

    def is_team_member(self, org: str, team_slug: str, user: str) -> bool:
        """Whether `user` is an active member of `org/team_slug` (needs the App's members:read permission)."""
        gh = self._github
        try:
            membership = self._call(
                "teams.get_membership_for_user_in_org",
                lambda: gh.rest.teams.get_membership_for_user_in_org(org, team_slug, user),
            ).parsed_data
        except GitHubNotFound:
            return False
        return membership.state == "active"

    def rate_limit(self) -> RateLimit:
        gh = self._github
        core = self._call("rate_limit.get", lambda: gh.rest.rate_limit.get()).parsed_data.resources.core
        return RateLimit(
            limit=core.limit, remaining=core.remaining, reset=datetime.fromtimestamp(core.reset, UTC)
        )

    # -- comments and reactions -------------------------------------------------------------

    def add_reaction(self, owner: str, repo: str, comment_id: int, content: ReactionContent) -> None:
        gh = self._github
        self._call(
            "reactions.create_for_issue_comment",
            lambda: gh.rest.reactions.create_for_issue_comment(owner, repo, comment_id, content=content),
        )

    def add_issue_reaction(self, owner: str, repo: str, number: int, content: ReactionContent) -> None:
        gh = self._github
        self._call(
            "reactions.create_for_issue",
            lambda: gh.rest.reactions.create_for_issue(owner, repo, number, content=content),
        )

    def create_comment(self, owner: str, repo: str, number: int, body: str) -> Comment:
        """Post a comment once: a POST that timed out may still have been applied by GitHub, so
        before posting again look for it, or a slow GitHub gets the reply twice."""
        gh = self._github
        route = "issues.create_comment"
        unconfirmed: GitHubUnconfirmed | None = None
        for _ in range(self._caller.retry.attempts):
            started = datetime.now(UTC)
            try:
                created = self._caller.call(
                    route,
                    lambda: gh.rest.issues.create_comment(owner, repo, number, body=body),
                    idempotent=False,
                )
            except GitHubUnconfirmed as exc:
                unconfirmed = exc
                posted = self._find_posted_comment(owner, repo, number, body, started)
                if posted is not None:
                    return posted
                continue
            return self._own_comment(created.parsed_data)
        assert unconfirmed is not None  # the loop returns or records why it did not
        raise unconfirmed

    def _find_posted_comment(
        self, owner: str, repo: str, number: int, body: str, started: datetime
    ) -> Comment | None:
        """Our comment with `body` posted since `started`, if the timed-out POST did land.

        The POST may still be in flight: look after one request timeout, then once more. These are
        real waits, not the injected retry sleep: the server needs real time to finish the request.
        """
        since = started - CLOCK_SKEW
        gh = self._github
        for _ in range(POSTED_COMMENT_LOOKS):
            time.sleep(self._request_timeout())
            recent: list[Any] = self._pages(
                "issues.list_comments",
                lambda page: gh.rest.issues.list_comments(
                    owner, repo, number, since=since, per_page=PER_PAGE, page=page
                ),
            )
            for raw in reversed(recent):
                c = _comment(raw)
                created_at = getattr(raw, "created_at", None)
                if c.body.strip() != body.strip() or (self._login and c.user != self._login):
                    continue
                if isinstance(created_at, datetime) and created_at < since:
                    continue
                log.warning(
                    "GitHub issues.create_comment timed out but the comment was posted: %s", c.html_url
                )
                return c
        return None

    def _request_timeout(self) -> float:
        timeout = self._github.config.timeout
        return float(timeout.read or timeout.connect or 10.0) if isinstance(timeout, httpx.Timeout) else 10.0

    def _own_comment(self, data: Any) -> Comment:
        comment = _comment(data)
        self._login = comment.user or self._login
        return comment

    def get_comment(self, owner: str, repo: str, comment_id: int) -> Comment:
        gh = self._github
        return _comment(
            self._call(
                "issues.get_comment", lambda: gh.rest.issues.get_comment(owner, repo, comment_id)
            ).parsed_data
        )

    def update_comment(self, owner: str, repo: str, comment_id: int, body: str) -> Comment:
        gh = self._github
        c = self._call(
            "issues.update_comment", lambda: gh.rest.issues.update_comment(owner, repo, comment_id, body=body)
        )
        return _comment(c.parsed_data)

    def upsert_comment(
        self, owner: str, repo: str, number: int, comment_id: int | None, body: str
    ) -> Comment:
        """Update our status comment; if someone deleted it (or there is none yet), post a new one."""
        if comment_id is not None:
            try:
                return self.update_comment(owner, repo, comment_id, body)
            except GitHubNotFound:
                log.info(
                    "status comment %d on %s/%s#%d is gone; posting a new one",
                    comment_id,
                    owner,
                    repo,
                    number,
                )
        return self.create_comment(owner, repo, number, body)

    def list_comments(self, owner: str, repo: str, number: int) -> list[Comment]:
        gh = self._github
        items: list[Any] = self._pages(
            "issues.list_comments",
            lambda page: gh.rest.issues.list_comments(owner, repo, number, per_page=PER_PAGE, page=page),
        )
        return [_comment(c) for c in items]

    def delete_comment(self, owner: str, repo: str, comment_id: int) -> bool:
        """Delete a comment; False when it was already gone."""
        gh = self._github
        try:
            self._call(
                "issues.delete_comment", lambda: gh.rest.issues.delete_comment(owner, repo, comment_id)
            )
        except GitHubNotFound:
            return False
        return True

    # -- pull requests ----------------------------------------------------------------------

    def create_pull(
        self, owner: str, repo: str, *, title: str, head: str, base: str, body: str, draft: bool = False
    ) -> PullRequest:
        gh = self._github
        resp = self._call(
            "pulls.create",
            lambda: gh.rest.pulls.create(
                owner, repo, title=title, head=head, base=base, body=body, draft=draft
            ),
        )
        return _pull(resp.parsed_data)

    def get_pull(self, owner: str, repo: str, number: int) -> PullRequest:
        gh = self._github
        return _pull(self._call("pulls.get", lambda: gh.rest.pulls.get(owner, repo, number)).parsed_data)

    def find_pull(
        self, owner: str, repo: str, head: str, state: Literal["open", "closed", "all"] = "open"
    ) -> PullRequest | None:
        """The newest PR from branch `head` of this repo (in `state`), or None."""
        gh = self._github
        items = self._call(
            "pulls.list",
            lambda: gh.rest.pulls.list(owner, repo, head=f"{owner}:{head}", state=state, per_page=PER_PAGE),
        ).parsed_data
        return _pull(items[0]) if items else None

    def update_pull(
        self,
        owner: str,
        repo: str,
        number: int,
        *,
        title: str | None = None,
        body: str | None = None,
        state: Literal["open", "closed"] | None = None,
    ) -> PullRequest:
        fields: dict[str, Any] = {
            k: v for k, v in {"title": title, "body": body, "state": state}.items() if v is not None
        }
        gh = self._github
        resp = self._call(
            "pulls.update", lambda: gh.rest.pulls.update(owner, repo, number, data=cast(Any, fields))
        )
        return _pull(resp.parsed_data)

    def mark_ready_for_review(self, owner: str, repo: str, number: int) -> None:
        """Turn a draft PR into a ready one (GraphQL only: REST cannot)."""
        node_id = self.get_pull(owner, repo, number).node_id
        gh = self._github
        query = (
            "mutation($id: ID!) { markPullRequestReadyForReview(input: {pullRequestId: $id}) "
            "{ pullRequest { isDraft } } }"
        )
        self._call(
            "graphql.markPullRequestReadyForReview", lambda: gh.graphql.request(query, {"id": node_id})
        )

    def list_reviews(self, owner: str, repo: str, number: int) -> list[Review]:
        gh = self._github
        items: list[Any] = self._pages(
            "pulls.list_reviews",
            lambda page: gh.rest.pulls.list_reviews(owner, repo, number, per_page=PER_PAGE, page=page),
        )
        return [
            Review(id=r.id, user=_login(r.user), state=r.state, body=r.body or "", commit_id=r.commit_id)
            for r in items
        ]

    def list_review_comments(self, owner: str, repo: str, number: int) -> list[ReviewComment]:
        gh = self._github
        items: list[Any] = self._pages(
            "pulls.list_review_comments",
            lambda page: gh.rest.pulls.list_review_comments(
                owner, repo, number, per_page=PER_PAGE, page=page
            ),
        )
        return [_review_comment(c) for c in items]

    def reply_to_review_comment(
        self, owner: str, repo: str, number: int, comment_id: int, body: str
    ) -> ReviewComment:
        """Answer in a line comment's thread (`comment_id` must be the thread's first comment)."""
        gh = self._github
        created = self._caller.call(
            "pulls.create_reply_for_review_comment",
            lambda: gh.rest.pulls.create_reply_for_review_comment(owner, repo, number, comment_id, body=body),
            idempotent=False,  # a timed-out POST may have been applied: the job's retry looks first
        )
        return _review_comment(created.parsed_data)

    # -- check runs -------------------------------------------------------------------------

    def create_check_run(
        self,
        owner: str,
        repo: str,
        *,
        name: str,
        head_sha: str,
        status: CheckStatus = "in_progress",
        conclusion: CheckConclusion | None = None,
        title: str,
        summary: str,
        text: str | None = None,
        annotations: Sequence[Annotation] = (),
        details_url: str | None = None,
    ) -> CheckRun:
        """Create a check run; annotations beyond GitHub's 50 per request follow in updates."""
        batches = list(_batches(annotations)) or [[]]
        payload: dict[str, Any] = {"name": name, "head_sha": head_sha, "status": status}
        if conclusion:
            payload["conclusion"] = conclusion
        if details_url:
            payload["details_url"] = details_url
        payload["output"] = _output(title, summary, text, batches[0])
        gh = self._github
        run = _check_run(
            self._call(
                "checks.create", lambda: gh.rest.checks.create(owner, repo, data=cast(Any, payload))
            ).parsed_data
        )
        for batch in batches[1:]:
            run = self._update_check(owner, repo, run.id, {"output": _output(title, summary, text, batch)})
        return run

    def update_check_run(
        self,
        owner: str,
        repo: str,
        check_run_id: int,
        *,
        title: str,
        summary: str,
        status: CheckStatus | None = None,
        conclusion: CheckConclusion | None = None,
        text: str | None = None,
        annotations: Sequence[Annotation] = (),
    ) -> CheckRun:
        """Update a check run; annotations are appended in batches of 50, the status set last."""
        batches = list(_batches(annotations)) or [[]]
        for batch in batches[:-1]:
            self._update_check(owner, repo, check_run_id, {"output": _output(title, summary, text, batch)})
        final: dict[str, Any] = {"output": _output(title, summary, text, batches[-1])}
        if status:
            final["status"] = status
        if conclusion:
            final["conclusion"] = conclusion
        return self._update_check(owner, repo, check_run_id, final)

    def _update_check(self, owner: str, repo: str, check_run_id: int, payload: dict[str, Any]) -> CheckRun:
        gh = self._github
        resp = self._call(
            "checks.update", lambda: gh.rest.checks.update(owner, repo, check_run_id, data=cast(Any, payload))
        )
        return _check_run(resp.parsed_data)

    def get_check_run(self, owner: str, repo: str, check_run_id: int) -> CheckRun:
        gh = self._github
        return _check_run(
            self._call("checks.get", lambda: gh.rest.checks.get(owner, repo, check_run_id)).parsed_data
        )

    def list_check_runs(self, owner: str, repo: str, ref: str, name: str | None = None) -> list[CheckRun]:
        """Check runs on commit `ref` (sha or branch), optionally only those called `name`."""
        gh = self._github
        kwargs: dict[str, Any] = {"per_page": PER_PAGE}
        if name:
            kwargs["check_name"] = name
        data = self._call(
            "checks.list_for_ref", lambda: gh.rest.checks.list_for_ref(owner, repo, ref, **kwargs)
        ).parsed_data
        return [_check_run(r) for r in data.check_runs]

    def list_check_run_annotations(self, owner: str, repo: str, check_run_id: int) -> list[Annotation]:
        gh = self._github
        items: list[Any] = self._pages(
            "checks.list_annotations",
            lambda page: gh.rest.checks.list_annotations(
                owner, repo, check_run_id, per_page=PER_PAGE, page=page
            ),
        )
        return [
            Annotation(
                path=a.path,
                start_line=a.start_line,
                end_line=a.end_line,
                annotation_level=cast(AnnotationLevel, a.annotation_level or "notice"),
                message=a.message or "",
                title=a.title,
                raw_details=a.raw_details,
            )
            for a in items
        ]


def _output(title: str, summary: str, text: str | None, annotations: list[Annotation]) -> dict[str, Any]:
    output: dict[str, Any] = {"title": title, "summary": summary}
    if text is not None:
        output["text"] = text
    if annotations:
        output["annotations"] = [a.model_dump(exclude_none=True) for a in annotations]
    return output


# ---- reading what CI said (Checks and Actions APIs) ------------------------------------------

MAX_JOB_LOG_BYTES = 5 * 1024 * 1024  # a job log past this is cut from the front: errors come last


class CheckRunOutput(BaseModel):
    """What another App's check run printed: its output text and annotations."""

    id: int
    name: str
    conclusion: str | None
    title: str | None = None
    summary: str | None = None
    text: str | None = None
    annotations: list[Annotation] = Field(default_factory=list)


class WorkflowJob(BaseModel):
    """One job of a workflow run, and the names of its failed steps."""

    id: int
    name: str
    conclusion: str | None
    failed_steps: list[str] = Field(default_factory=list)


def read_check_run_output(client: GitHubClient, owner: str, repo: str, check_run_id: int) -> CheckRunOutput:
    """A check run's output and annotations (Checks API; `checks: read`)."""
    gh = client._github
    run = client._call("checks.get", lambda: gh.rest.checks.get(owner, repo, check_run_id)).parsed_data
    output = run.output
    return CheckRunOutput(
        id=run.id,
        name=run.name,
        conclusion=run.conclusion,
        title=output.title if output else None,
        summary=output.summary if output else None,
        text=output.text if output else None,
        annotations=client.list_check_run_annotations(owner, repo, check_run_id)
        if output and output.annotations_count
        else [],
    )


def list_failed_jobs(client: GitHubClient, owner: str, repo: str, run_id: int) -> list[WorkflowJob]:
    """The failed (or timed-out) jobs of the latest attempt of workflow run `run_id` (`actions: read`)."""
    gh = client._github
    jobs: list[Any] = []
    page = 1
    while True:
        data = client._call(
            "actions.list_jobs_for_workflow_run",
            lambda page=page: gh.rest.actions.list_jobs_for_workflow_run(  # type: ignore[misc]
                owner, repo, run_id, filter_="latest", per_page=PER_PAGE, page=page
            ),
        ).parsed_data
        jobs.extend(data.jobs)
        if len(data.jobs) < PER_PAGE:
            break
        page += 1
    return [
        WorkflowJob(
            id=job.id,
            name=job.name,
            conclusion=job.conclusion,
            failed_steps=[s.name for s in (job.steps or []) if s.conclusion in ("failure", "timed_out")],
        )
        for job in jobs
        if job.conclusion in ("failure", "timed_out")
    ]


def download_job_log(client: GitHubClient, owner: str, repo: str, job_id: int) -> str:
    """The plain-text log of one job; GitHub answers 302 to a signed URL, which githubkit follows."""
    gh = client._github
    response = client._call(
        "actions.download_job_logs_for_workflow_run",
        lambda: gh.rest.actions.download_job_logs_for_workflow_run(owner, repo, job_id),
    )
    data = response.content[-MAX_JOB_LOG_BYTES:]
    return data.decode("utf-8", errors="replace")
