"""A local fake GitHub: the REST routes the bot uses, GraphQL's ready-for-review, and git over HTTP.

Runs a `ThreadingHTTPServer` on 127.0.0.1 (ephemeral port) in a background thread, starts in
a few milliseconds and answers with the real REST shapes (see `github_shapes`), so githubkit's
models fail loudly if either side is wrong. Auth is enforced like GitHub: RS256 App JWTs on
`/app/…`, installation or plain tokens on repo routes (401 without, 404 for repos the token
cannot see). Every REST request must be an operation in GitHub's REST description with query
parameters and a body it accepts (`github_openapi`): anything else is answered with an error
naming the operation and the violation, and recorded, so leaving the `with` block fails the test.
Tests seed and inspect state directly and inject faults per route.

    with FakeGitHub() as gh:
        gh.register_app(1, public_pem); gh.add_installation(7, "octo", app_id=1)
        gh.add_repo("octo", "charts", installation_id=7)
        client = GitHubClient.from_app(app_id=1, private_key=pem, installation_id=7, base_url=gh.base_url)
"""

from __future__ import annotations

import base64
import json
import re
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import jwt

from tests.fakes import github_shapes as shapes
from tests.fakes.git_http import BareRepos, run_http_backend
from tests.fakes.github_openapi import RestDescription, SpecViolation, rest_description
from tests.fakes.github_state import (
    ACTIONS_LOGIN,
    BOT_LOGIN,
    CallRecord,
    FakeApp,
    FakeCheckRun,
    FakeComment,
    FakeInstallation,
    FakePull,
    FakeRepo,
    FakeReview,
    FakeReviewComment,
    FakeToken,
    FakeWorkflowJob,
    Fault,
    Permission,
    token_of,
    user_id_of,
)

Json = dict[str, Any]
MAX_ANNOTATIONS_PER_REQUEST = 50  # GitHub's limit per create/update of a check run
API_ROOT = "/api/v3"
# Served by the fake but not part of the REST API, so not held to its description:
NOT_REST_API = (
    "/git/",  # git smart-HTTP, served by `git http-backend` from the bare repositories
    "/_job-logs/",  # the signed blob URL `GET …/actions/jobs/{job_id}/logs` redirects to
    "/api/graphql",  # GraphQL has its own schema; the bot sends one mutation (ready for review)
)


class HttpError(Exception):
    """Raised by a route to answer with a GitHub-style error body."""

    def __init__(
        self, status: int, message: str, headers: dict[str, str] | None = None, **extra: Any
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body: Json = {"message": message, "documentation_url": "https://docs.github.com/rest", **extra}
        self.headers = headers or {}


@dataclass
class Request:
    method: str
    path: str  # below /api/v3 (or /api/graphql)
    query: dict[str, str]
    body: Any
    identity: FakeToken | None
    params: dict[str, str]


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] | None = None


Handler = Callable[[Request], Reply]


class FakeGitHub:
    """In-memory GitHub behind a real HTTP server; see the module docstring."""

    def __init__(self, root: Path | None = None) -> None:
        self._tmp = None if root else tempfile.TemporaryDirectory(prefix="fake-github-")
        self.root = root or Path(self._tmp.name)  # type: ignore[union-attr]
        self.git = BareRepos(self.root / "git")
        self.lock = threading.RLock()
        self.apps: dict[int, FakeApp] = {}
        self.installations: dict[int, FakeInstallation] = {}
        self.tokens: dict[str, FakeToken] = {}
        self.repos: dict[str, FakeRepo] = {}
        self.comments: dict[int, FakeComment] = {}
        self.pulls: dict[tuple[str, int], FakePull] = {}
        self.reviews: list[FakeReview] = []
        self.review_comments: list[FakeReviewComment] = []
        self.check_runs: dict[int, FakeCheckRun] = {}
        self.workflow_jobs: dict[int, FakeWorkflowJob] = {}
        self.issue_reactions: dict[tuple[str, int], list[tuple[str, str]]] = {}
        self.team_members: dict[tuple[str, str], dict[str, str]] = {}  # (org, team slug) → user → state
        self.calls: list[CallRecord] = []
        self.spec_violations: list[str] = []  # requests GitHub's REST description does not allow
        self.faults: list[tuple[str | None, re.Pattern[str], Fault]] = []
        self.rate_remaining = 4999
        self._ids = 1000
        self._issue_numbers: dict[str, int] = {}
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._routes = self._build_routes()

    # ---- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakeGitHub:
        # parsed here, once per process, so no request waits for it inside a client's timeout
        self.rest: RestDescription = rest_description()
        fake = self

        class _Handler(RequestHandler):
            github = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server:
            self._server.shutdown()
            self._server.server_close()
        if self._tmp:
            self._tmp.cleanup()

    def __enter__(self) -> FakeGitHub:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        self.stop()
        if exc_type is None and self.spec_violations:
            raise AssertionError(
                "requests that GitHub's REST description does not allow reached the fake GitHub:\n  "
                + "\n  ".join(self.spec_violations)
            )

    @property
    def origin(self) -> str:
        assert self._server, "FakeGitHub is not started: use `with FakeGitHub() as gh:`"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def base_url(self) -> str:
        """REST base, GitHub Enterprise style: `http://127.0.0.1:PORT/api/v3`."""
        return f"{self.origin}/api/v3"

    @property
    def web_url(self) -> str:
        return self.origin

    def clone_url(self, owner: str, name: str) -> str:
        return f"{self.origin}/git/{owner}/{name}.git"

    # ---- seeding ---------------------------------------------------------------------------

    def next_id(self) -> int:
        with self.lock:
            self._ids += 1
            return self._ids

    def register_app(self, app_id: int, public_key_pem: str) -> None:
        self.apps[app_id] = FakeApp(app_id, public_key_pem)

    def add_installation(self, installation_id: int, account: str, *, app_id: int) -> None:
        self.installations[installation_id] = FakeInstallation(installation_id, app_id, account)

    def add_repo(
        self,
        owner: str,
        name: str,
        *,
        installation_id: int | None = None,
        default_branch: str = "main",
        fork: bool = False,
        private: bool = False,
        files: dict[str, str] | None = None,
        permissions: dict[str, Permission] | None = None,
    ) -> FakeRepo:
        """Create `owner/name` with a bare git repo seeded with `files` on `default_branch`."""
        repo = FakeRepo(
            owner,
            name,
            self.next_id(),
            installation_id,
            default_branch,
            fork,
            private,
            dict(permissions or {}),
        )
        repo.permissions.setdefault(owner, "admin")
        self.git.create(owner, name, default_branch=default_branch, files=files)
        self.repos[repo.full_name] = repo
        return repo

    def set_permission(self, owner: str, name: str, user: str, permission: Permission) -> None:
        self.repos[f"{owner}/{name}"].permissions[user] = permission

    def add_team_member(self, org: str, team: str, user: str, *, state: str = "active") -> None:
        """Put `user` in team `org/team` (`state` "pending" for an unanswered invitation)."""
        self.team_members.setdefault((org, team), {})[user] = state

    def issue_installation_token(self, installation_id: int) -> str:
        """A valid token for `installation_id`, as if the App had asked for one."""
        token = FakeToken(token_of("ghs_"), BOT_LOGIN, installation_id=installation_id)
        self.tokens[token.token] = token
        return token.token

    def add_plain_token(
        self, token: str, *, repos: set[str] | None = None, actor: str = ACTIONS_LOGIN
    ) -> None:
        """Accept `token` like an Action's GITHUB_TOKEN (for `repos`, or all when None)."""
        self.tokens[token] = FakeToken(token, actor, repos=frozenset(repos) if repos is not None else None)

    def new_issue_number(self, full_name: str) -> int:
        with self.lock:
            self._issue_numbers[full_name] = self._issue_numbers.get(full_name, 0) + 1
            return self._issue_numbers[full_name]

    def add_comment(
        self, owner: str, name: str, issue_number: int, body: str, *, user: str = "octo"
    ) -> FakeComment:
        """A comment a human wrote on an issue or PR."""
        now = shapes.now_iso()
        comment = FakeComment(self.next_id(), f"{owner}/{name}", issue_number, body, user, now, now)
        self.comments[comment.id] = comment
        return comment

    def add_review(
        self,
        owner: str,
        name: str,
        pull_number: int,
        *,
        user: str = "octo",
        state: str = "CHANGES_REQUESTED",
        body: str = "",
        line_comments: list[tuple[str, int, str]] | None = None,
    ) -> FakeReview:
        """A submitted review on a PR, with `(path, line, body)` line comments."""
        full = f"{owner}/{name}"
        pull = self.pulls[(full, pull_number)]
        review = FakeReview(
            self.next_id(),
            full,
            pull_number,
            self.user_json(user),
            body,
            state,
            pull.head_sha,
            shapes.now_iso(),
        )
        self.reviews.append(review)
        for path, line, text in line_comments or []:
            self.review_comments.append(
                FakeReviewComment(
                    self.next_id(),
                    full,
                    pull_number,
                    review.id,
                    path,
                    line,
                    text,
                    self.user_json(user),
                    pull.head_sha,
                )
            )
        return review

    def push_commit(
        self,
        owner: str,
        name: str,
        branch: str,
        files: dict[str, str],
        *,
        message: str = "Human edit",
        author: tuple[str, str] = ("Octo Human", "octo@example.com"),
    ) -> str:
        """Simulate someone else pushing to `branch` (creating it if needed)."""
        return self.git.commit_files(owner, name, branch, files, message=message, author=author)

    # ---- faults and inspection -------------------------------------------------------------

    def inject(self, fault: Fault, *, path: str, method: str | None = None) -> None:
        """The next `fault.times` requests whose path matches regex `path` get `fault`."""
        with self.lock:
            self.faults.append((method, re.compile(path), fault))

    def delete_branch(self, owner: str, name: str, branch: str) -> None:
        self.git.delete_branch(owner, name, branch)

    def close_pull(self, owner: str, name: str, number: int) -> None:
        pull = self.pulls[(f"{owner}/{name}", number)]
        pull.state, pull.closed_at = "closed", shapes.now_iso()

    def delete_comment(self, comment_id: int) -> None:
        self.comments.pop(comment_id, None)

    def add_check_run(
        self,
        owner: str,
        name: str,
        *,
        check_name: str,
        head_sha: str,
        conclusion: str = "failure",
        title: str | None = None,
        summary: str | None = None,
        text: str | None = None,
        annotations: list[dict[str, Any]] | None = None,
    ) -> FakeCheckRun:
        """A completed check run another App (a CI service) reported on `head_sha`."""
        run = FakeCheckRun(self.next_id(), f"{owner}/{name}", check_name, head_sha, status="completed")
        run.conclusion, run.completed_at = conclusion, shapes.now_iso()
        run.title, run.summary, run.text = title, summary, text
        run.annotations = list(annotations or [])
        self.check_runs[run.id] = run
        return run

    def add_workflow_job(
        self,
        owner: str,
        name: str,
        *,
        run_id: int,
        job_name: str,
        head_sha: str,
        log: str,
        conclusion: str = "failure",
        steps: list[tuple[str, str]] | None = None,
        job_id: int | None = None,
    ) -> FakeWorkflowJob:
        """A job of workflow run `run_id` whose log `GET …/actions/jobs/{id}/logs` redirects to.

        `job_id`: for GitHub Actions a job and its check run share one id; pass the check run's.
        """
        job = FakeWorkflowJob(
            job_id or self.next_id(),
            f"{owner}/{name}",
            run_id,
            job_name,
            head_sha,
            conclusion,
            log,
            list(steps or []),
        )
        self.workflow_jobs[job.id] = job
        return job

    def comments_on(self, owner: str, name: str, issue_number: int) -> list[FakeComment]:
        full = f"{owner}/{name}"
        return [c for c in self.comments.values() if c.repo == full and c.issue_number == issue_number]

    def take_spec_violations(self) -> list[str]:
        """The violations recorded so far, forgotten: for tests that provoke them on purpose."""
        with self.lock:
            taken, self.spec_violations = self.spec_violations, []
        return taken

    def operation_for(self, method: str, path: str, query: str, body: bytes) -> str | None:
        """The documented operation a request is, or None for a route outside the REST API
        (`NOT_REST_API`); raises `SpecViolation`, and records it, when the description refuses it."""
        if path.startswith(NOT_REST_API):
            return None
        try:
            if not path.startswith(API_ROOT + "/"):
                raise SpecViolation(404, f"{method} {path} is outside the REST API root {API_ROOT}")
            try:
                parsed = json.loads(body) if body else None
            except json.JSONDecodeError as err:
                raise SpecViolation(400, f"{method} {path}: the request body is not JSON ({err})") from err
            params = parse_qs(query, keep_blank_values=True)
            return self.rest.check(method, path[len(API_ROOT) :], parsed, params).name
        except SpecViolation as violation:
            with self.lock:
                self.spec_violations.append(violation.message)
            raise

    def calls_to(self, path_regex: str, method: str | None = None) -> list[CallRecord]:
        pattern = re.compile(path_regex)
        return [c for c in self.calls if pattern.search(c.path) and (method is None or c.method == method)]

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for i, (want_method, pattern, fault) in enumerate(self.faults):
                if (want_method is None or want_method == method) and pattern.search(path):
                    fault.times -= 1
                    if fault.times <= 0:
                        del self.faults[i]
                    return fault
        return None

    # ---- auth ------------------------------------------------------------------------------

    def _identity(self, authorization: str) -> FakeToken | None:
        scheme, _, credential = authorization.partition(" ")
        if not credential:
            return None
        if scheme.lower() == "basic":
            user, _, credential = base64.b64decode(credential).decode().partition(":")
        token = self.tokens.get(credential.strip())
        if token is None or token.expired():
            raise HttpError(401, "Bad credentials")
        return token

    def _verify_jwt(self, authorization: str) -> FakeApp:
        scheme, _, credential = authorization.partition(" ")
        if scheme.lower() != "bearer" or not credential:
            raise HttpError(401, "A JSON web token could not be decoded")
        try:
            issuer = jwt.decode(credential, options={"verify_signature": False}).get("iss")
            app = self.apps[int(str(issuer))]
            jwt.decode(
                credential,
                app.public_key_pem,
                algorithms=["RS256"],
                options={"require": ["iat", "exp", "iss"]},
            )
        except (jwt.PyJWTError, KeyError, TypeError, ValueError) as exc:
            raise HttpError(401, f"'Issuer' claim ('iss') or signature is invalid: {exc}") from exc
        return app

    def _repo_for(self, request: Request) -> FakeRepo:
        identity = request.identity
        if identity is None:
            raise HttpError(401, "Requires authentication")
        full = f"{request.params['owner']}/{request.params['repo']}"
        repo = self.repos.get(full)
        visible = repo is not None and (
            (identity.installation_id is not None and identity.installation_id == repo.installation_id)
            or (identity.installation_id is None and (identity.repos is None or full in identity.repos))
        )
        if not visible or repo is None:
            raise HttpError(404, "Not Found")
        return repo

    def git_token_allows(self, authorization: str, owner: str, name: str) -> bool:
        """Whether a git request's Basic credentials grant access to `owner/name`."""
        try:
            identity = self._identity(authorization)
        except (HttpError, ValueError, UnicodeDecodeError):
            return False
        if identity is None:
            return False
        request = Request("GET", "", {}, None, identity, {"owner": owner, "repo": name})
        try:
            self._repo_for(request)
        except HttpError:
            return False
        return True

    # ---- body builders ---------------------------------------------------------------------

    def user_json(self, login: str) -> Json:
        kind = "Bot" if login.endswith("[bot]") else ("Organization" if login.endswith("-org") else "User")
        return shapes.user_body(login, user_id_of(login), self.base_url, self.web_url, kind=kind)

    def repo_json(self, repo: FakeRepo) -> Json:
        return shapes.repo_body(
            owner=self.user_json(repo.owner),
            name=repo.name,
            repo_id=repo.repo_id,
            default_branch=repo.default_branch,
            fork=repo.fork,
            private=repo.private,
            clone_url=self.clone_url(repo.owner, repo.name),
            api_url=self.base_url,
            web_url=self.web_url,
        )

    def comment_json(self, comment: FakeComment) -> Json:
        return shapes.issue_comment_body(
            comment_id=comment.id,
            issue_number=comment.issue_number,
            body=comment.body,
            user=self.user_json(comment.user),
            created_at=comment.created_at,
            updated_at=comment.updated_at,
            full_name=comment.repo,
            api_url=self.base_url,
            web_url=self.web_url,
        )

    def pull_json(self, repo: FakeRepo, pull: FakePull) -> Json:
        live = self.git.branch_sha(repo.owner, repo.name, pull.head)
        if live and pull.state == "open":
            pull.head_sha = live
        return shapes.pull_body(
            pull=pull,
            repo=self.repo_json(repo),
            user=self.user_json(pull.user),
            api_url=self.base_url,
            web_url=self.web_url,
        )

    def check_run_json(self, run: FakeCheckRun) -> Json:
        return shapes.check_run_body(run=run, full_name=run.repo, api_url=self.base_url, web_url=self.web_url)

    # ---- routes ----------------------------------------------------------------------------

    def _build_routes(self) -> list[tuple[str, re.Pattern[str], Handler]]:
        repo = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"
        table: list[tuple[str, str, Handler]] = [
            ("POST", r"/app/installations/(?P<installation_id>\d+)/access_tokens", self._create_token),
            ("GET", r"/app", self._get_app),
            ("GET", r"/users/(?P<user>[^/]+)", self._get_user),
            ("GET", r"/rate_limit", self._rate_limit),
            (
                "GET",
                r"/orgs/(?P<org>[^/]+)/teams/(?P<team>[^/]+)/memberships/(?P<user>[^/]+)",
                self._team_membership,
            ),
            ("POST", r"/graphql", self._graphql),
            ("GET", repo + r"/installation", self._repo_installation),
            ("GET", repo + r"/collaborators/(?P<user>[^/]+)/permission", self._permission),
            ("GET", repo + r"/contents/(?P<path>.+)", self._contents),
            ("POST", repo + r"/issues/comments/(?P<id>\d+)/reactions", self._react_comment),
            ("POST", repo + r"/issues/(?P<number>\d+)/reactions", self._react_issue),
            ("GET", repo + r"/issues/comments/(?P<id>\d+)", self._get_comment),
            ("PATCH", repo + r"/issues/comments/(?P<id>\d+)", self._update_comment),
            ("DELETE", repo + r"/issues/comments/(?P<id>\d+)", self._delete_comment),
            ("GET", repo + r"/issues/(?P<number>\d+)/comments", self._list_comments),
            ("POST", repo + r"/issues/(?P<number>\d+)/comments", self._create_comment),
            ("GET", repo + r"/pulls/(?P<number>\d+)/reviews", self._list_reviews),
            ("GET", repo + r"/pulls/(?P<number>\d+)/comments", self._list_review_comments),
            (
                "POST",
                repo + r"/pulls/(?P<number>\d+)/comments/(?P<id>\d+)/replies",
                self._reply_to_review_comment,
            ),
            ("GET", repo + r"/pulls/(?P<number>\d+)", self._get_pull),
            ("PATCH", repo + r"/pulls/(?P<number>\d+)", self._update_pull),
            ("GET", repo + r"/pulls", self._list_pulls),
            ("POST", repo + r"/pulls", self._create_pull),
            ("POST", repo + r"/check-runs", self._create_check_run),
            ("GET", repo + r"/check-runs/(?P<id>\d+)/annotations", self._list_annotations),
            ("GET", repo + r"/check-runs/(?P<id>\d+)", self._get_check_run),
            ("PATCH", repo + r"/check-runs/(?P<id>\d+)", self._update_check_run),
            ("GET", repo + r"/commits/(?P<ref>.+)/check-runs", self._list_check_runs_for_ref),
            ("GET", repo + r"/actions/runs/(?P<run_id>\d+)/jobs", self._list_workflow_jobs),
            ("GET", repo + r"/actions/jobs/(?P<id>\d+)/logs", self._job_logs_redirect),
            ("GET", repo + r"/branches/(?P<branch>.+)", self._get_branch),
            ("GET", repo + r"/git/ref/heads/(?P<branch>.+)", self._get_ref),
            ("DELETE", repo + r"/git/refs/heads/(?P<branch>.+)", self._delete_ref),
            ("GET", repo, self._get_repo),
        ]
        return [(method, re.compile(f"^{pattern}$"), handler) for method, pattern, handler in table]

    def dispatch(self, method: str, path: str, query: dict[str, str], body: Any, authorization: str) -> Reply:
        """Route one API request (path below the API root) to its handler."""
        allowed_methods = set()
        for want, pattern, handler in self._routes:
            match = pattern.match(path)
            if not match:
                continue
            allowed_methods.add(want)
            if want != method:
                continue
            params = {k: unquote(v) for k, v in match.groupdict().items()}
            if path == "/app" or path.startswith("/app/") or path.endswith("/installation"):
                # GitHub answers these only to the App itself (JWT), never to an installation token
                app = self._verify_jwt(authorization)
                identity: FakeToken | None = FakeToken("", f"app:{app.app_id}", repos=None)
            else:
                identity = self._identity(authorization)
                if identity is None:
                    raise HttpError(401, "Requires authentication")
            with self.lock:
                return handler(Request(method, path, query, body, identity, params))
        if allowed_methods:
            raise HttpError(405, f"Method {method} not allowed on {path}")
        raise HttpError(404, "Not Found")

    def _get_app(self, request: Request) -> Reply:
        assert request.identity is not None
        app = self.apps[int(request.identity.actor.removeprefix("app:"))]
        return Reply(
            200,
            shapes.app_body(app_id=app.app_id, slug=app.slug, api_url=self.base_url, web_url=self.web_url),
        )

    def _get_user(self, request: Request) -> Reply:
        """`GET /users/{username}`: people exist; a `[bot]` account only for a registered App or Actions."""
        login = request.params["user"]
        bots = {f"{app.slug}[bot]" for app in self.apps.values()} | {ACTIONS_LOGIN}
        if login.endswith("[bot]") and login not in bots:
            raise HttpError(404, "Not Found")
        return Reply(200, shapes.public_user_body(self.user_json(login)))

    def _create_token(self, request: Request) -> Reply:
        installation = self.installations.get(int(request.params["installation_id"]))
        if installation is None:
            raise HttpError(404, "Not Found")
        token = self.issue_installation_token(installation.installation_id)
        expires = self.tokens[token].expires_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        return Reply(
            201,
            {
                "token": token,
                "expires_at": expires,
                "permissions": {"contents": "write"},
                "repository_selection": "all",
            },
        )

    def _team_membership(self, request: Request) -> Reply:
        org, team, user = request.params["org"], request.params["team"], request.params["user"]
        identity = request.identity
        assert identity is not None
        installation = self.installations.get(identity.installation_id or -1)
        if identity.installation_id is not None and (installation is None or installation.account != org):
            raise HttpError(404, "Not Found")
        state = self.team_members.get((org, team), {}).get(user)
        if state is None:
            raise HttpError(404, "Not Found")
        url = f"{self.base_url}/organizations/1/team/1/memberships/{user}"
        return Reply(200, {"url": url, "role": "member", "state": state})

    def _rate_limit(self, request: Request) -> Reply:
        return Reply(200, shapes.rate_limit_body(self.rate_remaining))

    def _graphql(self, request: Request) -> Reply:
        query = str((request.body or {}).get("query", ""))
        variables = (request.body or {}).get("variables") or {}
        if "markPullRequestReadyForReview" not in query:
            return Reply(
                200, {"errors": [{"message": "the fake GitHub only supports markPullRequestReadyForReview"}]}
            )
        node_id = variables.get("pullRequestId") or variables.get("id")
        pull = next((p for p in self.pulls.values() if p.node_id == node_id), None)
        if pull is None:
            return Reply(
                200,
                {
                    "data": None,
                    "errors": [
                        {
                            "type": "NOT_FOUND",
                            "message": f"Could not resolve to a node with the global id of '{node_id}'",
                        }
                    ],
                },
            )
        pull.draft = False
        return Reply(
            200,
            {
                "data": {
                    "markPullRequestReadyForReview": {
                        "pullRequest": {"isDraft": False, "number": pull.number}
                    }
                }
            },
        )

    def _get_repo(self, request: Request) -> Reply:
        return Reply(200, self.repo_json(self._repo_for(request)))

    def _repo_installation(self, request: Request) -> Reply:
        repo = self.repos.get(f"{request.params['owner']}/{request.params['repo']}")
        app_id = int(request.identity.actor.removeprefix("app:")) if request.identity else -1
        if (
            repo is None
            or repo.installation_id is None
            or self.installations[repo.installation_id].app_id != app_id
        ):
            raise HttpError(404, "Not Found")
        inst = self.installations[repo.installation_id]
        return Reply(
            200,
            shapes.installation_body(
                installation_id=inst.installation_id,
                app_id=inst.app_id,
                account=self.user_json(inst.account),
                api_url=self.base_url,
                web_url=self.web_url,
            ),
        )

    def _permission(self, request: Request) -> Reply:
        repo = self._repo_for(request)
        user = request.params["user"]
        permission = repo.permissions.get(user, "read" if not repo.private else "none")
        return Reply(200, shapes.permission_body(permission=permission, user=self.user_json(user)))

    def _contents(self, request: Request) -> Reply:
        repo = self._repo_for(request)
        ref = request.query.get("ref") or repo.default_branch
        path = request.params["path"]
        data = self.git.read_file(repo.owner, repo.name, ref, path)
        if data is None:
            raise HttpError(404, "Not Found")
        encoded = base64.encodebytes(data).decode()
        return Reply(
            200,
            shapes.content_file_body(
                path=path,
                content_b64=encoded,
                size=len(data),
                sha=self.git.blob_sha(repo.owner, repo.name, ref, path),
                ref=ref,
                full_name=repo.full_name,
                api_url=self.base_url,
                web_url=self.web_url,
            ),
        )

    def _comment_in(self, repo: FakeRepo, request: Request) -> FakeComment:
        comment = self.comments.get(int(request.params["id"]))
        if comment is None or comment.repo != repo.full_name:
            raise HttpError(404, "Not Found")
        return comment

    def _react(self, reactions: list[tuple[str, str]], request: Request) -> Reply:
        assert request.identity is not None
        content = (request.body or {}).get("content")
        if content not in ("+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"):
            raise HttpError(
                422,
                "Validation Failed",
                errors=[{"resource": "Reaction", "field": "content", "code": "invalid"}],
            )
        entry = (request.identity.actor, content)
        status = 200 if entry in reactions else 201
        if status == 201:
            reactions.append(entry)
        return Reply(
            status,
            shapes.reaction_body(
                reaction_id=self.next_id(), content=content, user=self.user_json(request.identity.actor)
            ),
        )

    def _react_comment(self, request: Request) -> Reply:
        comment = self._comment_in(self._repo_for(request), request)
        return self._react(comment.reactions, request)

    def _react_issue(self, request: Request) -> Reply:
        repo = self._repo_for(request)
        key = (repo.full_name, int(request.params["number"]))
        return self._react(self.issue_reactions.setdefault(key, []), request)

    def _get_comment(self, request: Request) -> Reply:
        return Reply(200, self.comment_json(self._comment_in(self._repo_for(request), request)))

    def _update_comment(self, request: Request) -> Reply:
        comment = self._comment_in(self._repo_for(request), request)
        body = (request.body or {}).get("body")
        if not isinstance(body, str):
            raise HttpError(
                422,
                "Validation Failed",
                errors=[{"resource": "IssueComment", "field": "body", "code": "missing_field"}],
            )
        comment.body, comment.updated_at = body, shapes.now_iso()
        return Reply(200, self.comment_json(comment))

    def _delete_comment(self, request: Request) -> Reply:
        comment = self._comment_in(self._repo_for(request), request)
        del self.comments[comment.id]
        return Reply(204)

    def _list_comments(self, request: Request) -> Reply:
        repo = self._repo_for(request)
        items = self.comments_on(repo.owner, repo.name, int(request.params["number"]))
        return Reply(200, [self.comment_json(c) for c in self._page(items, request)])

    def _create_comment(self, request: Request) -> Reply:
        repo = self._repo_for(request)
        assert request.identity is not None
        body = (request.body or {}).get("body")
        if not isinstance(body, str) or not body:
            raise HttpError(
                422,
                "Validation Failed",
                errors=[{"resource": "IssueComment", "field": "body", "code": "missing_field"}],
            )
        comment = self.add_comment(
            repo.owner, repo.name, int(request.params["number"]), body, user=request.identity.actor
        )
        return Reply(
            201,
            self.comment_json(comment),
            {"location": f"{self.base_url}/repos/{repo.full_name}/issues/comments/{comment.id}"},
        )

    @staticmethod
    def _page(items: list[Any], request: Request) -> list[Any]:
        per_page = int(request.query.get("per_page", "30"))
        page = int(request.query.get("page", "1"))
        return items[(page - 1) * per_page : page * per_page]

    def _pull_in(self, repo: FakeRepo, request: Request) -> FakePull:
        pull = self.pulls.get((repo.full_name, int(request.params["number"])))
        if pull is None:
            raise HttpError(404, "Not Found")
        return pull

    def _get_pull(self, request: Request) -> Reply:
        repo = self._repo_for(request)
        return Reply(200, self.pull_json(repo, self._pull_in(repo, request)))

    def _list_pulls(self, request: Request) -> Reply:
        repo = self._repo_for(request)
        state = request.query.get("state", "open")
        head = request.query.get("head")
        items = [
            p
            for (full, _), p in sorted(self.pulls.items(), key=lambda kv: -kv[0][1])
            if full == repo.full_name
            and (state == "all" or p.state == state)
            and (head is None or head == f"{repo.owner}:{p.head}")
            and (request.query.get("base") in (None, p.base))
        ]
        return Reply(200, [self.pull_json(repo, p) for p in self._page(items, request)])

    def _create_pull(self, request: Request) -> Reply:
        repo = self._repo_for(request)
        assert request.identity is not None
        body = request.body or {}
        head, base, title = body.get("head"), body.get("base"), body.get("title")
        if not (isinstance(head, str) and isinstance(base, str) and isinstance(title, str)):
            raise HttpError(
                422, "Validation Failed", errors=[{"resource": "PullRequest", "code": "missing_field"}]
            )
        head_branch = head.split(":", 1)[-1]
        head_sha = self.git.branch_sha(repo.owner, repo.name, head_branch)
        base_sha = self.git.branch_sha(repo.owner, repo.name, base)
        if head_sha is None or base_sha is None:
            missing = "head" if head_sha is None else "base"
            raise HttpError(
                422,
                "Validation Failed",
                errors=[{"resource": "PullRequest", "field": missing, "code": "invalid"}],
            )
        if any(
            p.head == head_branch and p.state == "open" and full == repo.full_name
            for (full, _), p in self.pulls.items()
        ):
            raise HttpError(
                422,
                "Validation Failed",
                errors=[
                    {
                        "resource": "PullRequest",
                        "code": "custom",
                        "message": f"A pull request already exists for {repo.owner}:{head_branch}.",
                    }
                ],
            )
        now = shapes.now_iso()
        number = self.new_issue_number(repo.full_name)
        pull_id = self.next_id()
        pull = FakePull(
            pull_id,
            f"PR_{pull_id}",
            repo.full_name,
            number,
            title,
            body.get("body"),
            head_branch,
            base,
            head_sha,
            base_sha,
            request.identity.actor,
            bool(body.get("draft", False)),
            now,
            now,
            maintainer_can_modify=bool(body.get("maintainer_can_modify", False)),
        )
        self.pulls[(repo.full_name, number)] = pull
        return Reply(201, self.pull_json(repo, pull))

    def _update_pull(self, request: Request) -> Reply:
        repo = self._repo_for(request)
        pull = self._pull_in(repo, request)
        body = request.body or {}
        if "title" in body:
            pull.title = body["title"]
        if "body" in body:
            pull.body = body["body"]
        if "base" in body:
            pull.base = body["base"]
        if body.get("state") in ("open", "closed"):
            pull.state = body["state"]
            pull.closed_at = shapes.now_iso() if pull.state == "closed" else None
        pull.updated_at = shapes.now_iso()
        return Reply(200, self.pull_json(repo, pull))

    def _list_reviews(self, request: Request) -> Reply:
        repo = self._repo_for(request)
        pull = self._pull_in(repo, request)
        items = [r for r in self.reviews if r.repo == repo.full_name and r.pull_number == pull.number]
        return Reply(
            200,
            [
                shapes.review_body(
                    review=r, full_name=repo.full_name, api_url=self.base_url, web_url=self.web_url
                )
                for r in self._page(items, request)
            ],
        )

    def _list_review_comments(self, request: Request) -> Reply:
        repo = self._repo_for(request)
        pull = self._pull_in(repo, request)
        items = [c for c in self.review_comments if c.repo == repo.full_name and c.pull_number == pull.number]
        return Reply(
            200,
            [
                shapes.review_comment_body(
                    comment=c, full_name=repo.full_name, api_url=self.base_url, web_url=self.web_url
                )
                for c in self._page(items, request)
            ],
        )

    def _reply_to_review_comment(self, request: Request) -> Reply:
        """A reply joins the thread of a top-level line comment, in a COMMENTED review of its own."""
        repo = self._repo_for(request)
        pull = self._pull_in(repo, request)
        comment_id = int(request.params["id"])
        parent = next(
            (
                c
                for c in self.review_comments
                if c.id == comment_id and c.repo == repo.full_name and c.pull_number == pull.number
            ),
            None,
        )
        if parent is None:
            raise HttpError(404, "Not Found")
        if parent.in_reply_to_id is not None:  # GitHub: "Replies to replies are not supported"
            raise HttpError(422, "Validation Failed")
        assert request.identity is not None
        body = (request.body or {}).get("body")
        if not isinstance(body, str) or not body:
            raise HttpError(
                422,
                "Validation Failed",
                errors=[{"resource": "PullRequestReviewComment", "field": "body", "code": "missing_field"}],
            )
        user = self.user_json(request.identity.actor)
        review = FakeReview(
            self.next_id(),
            repo.full_name,
            pull.number,
            user,
            "",
            "COMMENTED",
            pull.head_sha,
            shapes.now_iso(),
        )
        self.reviews.append(review)
        reply = FakeReviewComment(
            self.next_id(),
            repo.full_name,
            pull.number,
            review.id,
            parent.path,
            parent.line,
            body,
            user,
            pull.head_sha,
            in_reply_to_id=parent.id,
        )
        self.review_comments.append(reply)
        return Reply(
            201,
            shapes.review_comment_body(
                comment=reply, full_name=repo.full_name, api_url=self.base_url, web_url=self.web_url
            ),
        )

    def _apply_check_fields(self, run: FakeCheckRun, body: Json) -> None:
        output = body.get("output") or {}
        annotations = output.get("annotations") or []
        if len(annotations) > MAX_ANNOTATIONS_PER_REQUEST:
            raise HttpError(
                422,
                f"Only {MAX_ANNOTATIONS_PER_REQUEST} annotations are allowed per request, got {len(annotations)}",
            )
        for annotation in annotations:
            if not {"path", "start_line", "end_line", "annotation_level", "message"} <= annotation.keys():
                raise HttpError(
                    422, "Invalid request.", errors=[f"annotation is missing required keys: {annotation}"]
                )
        for key in (
            "status",
            "conclusion",
            "started_at",
            "completed_at",
            "external_id",
            "details_url",
            "name",
        ):
            if key in body:
                setattr(run, key, body[key])
        if body.get("conclusion") and "status" not in body:
            run.status = "completed"
        if run.status == "completed" and run.completed_at is None:
            run.completed_at = shapes.now_iso()
        if run.status == "completed" and run.conclusion is None:
            raise HttpError(
                422, "Invalid request.", errors=["conclusion is required when status is completed"]
            )
        for key in ("title", "summary", "text"):
            if key in output:
                setattr(run, key, output[key])
        run.annotations.extend(annotations)

    def _create_check_run(self, request: Request) -> Reply:
        repo = self._repo_for(request)
        body = request.body or {}
        if not isinstance(body.get("name"), str) or not isinstance(body.get("head_sha"), str):
            raise HttpError(422, "Invalid request.", errors=["name and head_sha are required"])
        run = FakeCheckRun(self.next_id(), repo.full_name, body["name"], body["head_sha"])
        self._apply_check_fields(run, body)
        self.check_runs[run.id] = run
        return Reply(201, self.check_run_json(run))

    def _run_in(self, repo: FakeRepo, request: Request) -> FakeCheckRun:
        run = self.check_runs.get(int(request.params["id"]))
        if run is None or run.repo != repo.full_name:
            raise HttpError(404, "Not Found")
        return run

    def _get_check_run(self, request: Request) -> Reply:
        repo = self._repo_for(request)
        return Reply(200, self.check_run_json(self._run_in(repo, request)))

    def _update_check_run(self, request: Request) -> Reply:
        repo = self._repo_for(request)
        run = self._run_in(repo, request)
        self._apply_check_fields(run, request.body or {})
        return Reply(200, self.check_run_json(run))

    def _list_annotations(self, request: Request) -> Reply:
        repo = self._repo_for(request)
        run = self._run_in(repo, request)
        bodies = [
            shapes.annotation_body(a, full_name=repo.full_name, sha=run.head_sha, web_url=self.web_url)
            for a in run.annotations
        ]
        return Reply(200, self._page(bodies, request))

    def _list_workflow_jobs(self, request: Request) -> Reply:
        repo = self._repo_for(request)
        run_id = int(request.params["run_id"])
        jobs = [j for j in self.workflow_jobs.values() if j.repo == repo.full_name and j.run_id == run_id]
        bodies = [
            shapes.workflow_job_body(
                job=j, full_name=repo.full_name, api_url=self.base_url, web_url=self.web_url
            )
            for j in self._page(jobs, request)
        ]
        return Reply(200, {"total_count": len(jobs), "jobs": bodies})

    def _job_logs_redirect(self, request: Request) -> Reply:
        """Like GitHub: 302 to a short-lived signed URL on another path that needs no token."""
        repo = self._repo_for(request)
        job = self.workflow_jobs.get(int(request.params["id"]))
        if job is None or job.repo != repo.full_name:
            raise HttpError(404, "Not Found")
        return Reply(302, None, {"Location": f"{self.origin}/_job-logs/{job.id}?sig={job.log_key}"})

    def job_log_download(self, job_id: int, query: str) -> bytes | None:
        """The log behind a signed URL, or None when the signature is wrong."""
        job = self.workflow_jobs.get(job_id)
        sig = parse_qs(query).get("sig", [""])[-1]
        return job.log.encode() if job is not None and sig == job.log_key else None

    def _list_check_runs_for_ref(self, request: Request) -> Reply:
        repo = self._repo_for(request)
        sha = self.git.resolve(repo.owner, repo.name, request.params["ref"]) or request.params["ref"]
        name = request.query.get("check_name")
        runs = [
            r
            for r in self.check_runs.values()
            if r.repo == repo.full_name and r.head_sha == sha and (name is None or r.name == name)
        ]
        return Reply(
            200,
            {
                "total_count": len(runs),
                "check_runs": [self.check_run_json(r) for r in self._page(runs, request)],
            },
        )

    def _get_branch(self, request: Request) -> Reply:
        repo = self._repo_for(request)
        branch = request.params["branch"]
        sha = self.git.branch_sha(repo.owner, repo.name, branch)
        if sha is None:
            raise HttpError(404, "Branch not found")
        info = self.git.commit_info(repo.owner, repo.name, sha)
        commit = shapes.commit_body(
            sha=sha,
            message=info.message,
            author_name=info.author_name,
            author_email=info.author_email,
            full_name=repo.full_name,
            api_url=self.base_url,
            web_url=self.web_url,
            parents=info.parents,
        )
        return Reply(
            200,
            shapes.branch_body(
                name=branch,
                commit=commit,
                full_name=repo.full_name,
                api_url=self.base_url,
                web_url=self.web_url,
            ),
        )

    def _get_ref(self, request: Request) -> Reply:
        repo = self._repo_for(request)
        branch = request.params["branch"]
        sha = self.git.branch_sha(repo.owner, repo.name, branch)
        if sha is None:
            raise HttpError(404, "Not Found")
        return Reply(
            200,
            shapes.git_ref_body(
                ref=f"refs/heads/{branch}", sha=sha, full_name=repo.full_name, api_url=self.base_url
            ),
        )

    def _delete_ref(self, request: Request) -> Reply:
        repo = self._repo_for(request)
        if not self.git.delete_branch(repo.owner, repo.name, request.params["branch"]):
            raise HttpError(422, "Reference does not exist")
        return Reply(204)


class RequestHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 front: faults, the call log, REST/GraphQL JSON and git smart-HTTP."""

    github: FakeGitHub
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # headers and body go out in two writes: without NODELAY, Nagle + delayed ACK add 40 ms each
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet test output
        return

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _send(self, status: int, body: bytes, headers: list[tuple[str, str]]) -> None:
        # the status is on record before the client can read the answer (and a test the call log)
        record: CallRecord | None = getattr(self, "_record", None)
        if record is not None:
            record.status = status
        self.send_response(status)
        for key, value in headers:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _send_json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        gh = self.github
        merged = {
            "Content-Type": "application/json; charset=utf-8",
            "x-ratelimit-limit": "5000",
            "x-ratelimit-remaining": str(gh.rate_remaining),
            "x-ratelimit-reset": str(int(datetime.now(UTC).timestamp()) + 3600),
            "x-github-request-id": f"FAKE:{gh.next_id()}",
            **(headers or {}),
        }
        payload = b"" if status == 204 or body is None else json.dumps(body).encode()
        self._send(status, payload, list(merged.items()))

    def _handle(self) -> None:
        gh = self.github
        split = urlsplit(self.path)
        path, query = split.path, split.query
        body = self._read_body()
        authorization = self.headers.get("Authorization", "")
        record = CallRecord(self.command, path, query, _token_in(authorization))
        self._record = record
        with gh.lock:
            gh.calls.append(record)
        try:
            self._answer(record, path, query, body, authorization)
        finally:
            record.finished = time.perf_counter()

    def _answer(self, record: CallRecord, path: str, query: str, body: bytes, authorization: str) -> None:
        gh = self.github
        try:
            record.operation = gh.operation_for(self.command, path, query, body)
        except SpecViolation as violation:
            record.status = violation.status
            self._send_json(
                violation.status,
                {"message": violation.message, "documentation_url": "https://docs.github.com/rest"},
            )
            return
        fault = gh._take_fault(self.command, path)
        if fault and fault.delay:
            gh._stopping.wait(fault.delay)
        if fault and fault.status:
            record.status = fault.status
            self._send_json(fault.status, fault.body or {"message": "Injected fault"}, fault.headers)
            return
        if path.startswith("/git/"):
            record.status = self._git(path, query, body, authorization)
            return
        if path.startswith("/_job-logs/"):
            record.status = self._job_log(path, query)
            return
        if path.startswith(API_ROOT + "/"):
            api_path = path[len(API_ROOT) :]
        elif path == "/api/graphql":
            api_path = "/graphql"
        else:
            record.status = 404
            self._send_json(404, {"message": "Not Found"})
            return
        try:
            parsed = json.loads(body) if body else None
            params = {k: v[-1] for k, v in parse_qs(query).items()}
            reply = gh.dispatch(self.command, api_path, params, parsed, authorization)
        except HttpError as err:
            record.status = err.status
            self._send_json(err.status, err.body, err.headers)
            return
        except json.JSONDecodeError as err:
            record.status = 400
            self._send_json(400, {"message": f"Problems parsing JSON: {err}"})
            return
        record.status = reply.status
        self._send_json(reply.status, reply.body, reply.headers)

    def _job_log(self, path: str, query: str) -> int:
        job_id = path.removeprefix("/_job-logs/")
        data = self.github.job_log_download(int(job_id), query) if job_id.isdigit() else None
        if data is None:  # the blob store answers a bad signature with an XML error, not JSON
            self._send(
                403,
                b"<Error><Code>AuthenticationFailed</Code></Error>",
                [("Content-Type", "application/xml")],
            )
            return 403
        self._send(200, data, [("Content-Type", "text/plain")])
        return 200

    def _git(self, path: str, query: str, body: bytes, authorization: str) -> int:
        match = re.match(r"^/git/(?P<owner>[^/]+)/(?P<repo>[^/]+)\.git(?P<rest>/.*)$", path)
        gh = self.github
        if not match:
            self._send(404, b"Repository not found\n", [("Content-Type", "text/plain")])
            return 404
        owner, name, rest = match["owner"], match["repo"], match["rest"]
        if not gh.git_token_allows(authorization, owner, name):
            self._send(
                401,
                b"Authentication failed\n",
                [("Content-Type", "text/plain"), ("WWW-Authenticate", 'Basic realm="GitHub"')],
            )
            return 401
        result = run_http_backend(
            gh.git.root,
            method=self.command,
            path_info=f"/{owner}/{name}.git{rest}",
            query=query,
            content_type=self.headers.get("Content-Type", ""),
            content_encoding=self.headers.get("Content-Encoding", ""),
            body=body,
            remote_user="x-access-token",
        )
        self._send(result.status, result.body, result.headers)
        return result.status


def _token_in(authorization: str) -> str | None:
    scheme, _, credential = authorization.partition(" ")
    if not credential:
        return None
    if scheme.lower() == "basic":
        try:
            return base64.b64decode(credential).decode().partition(":")[2]
        except (ValueError, UnicodeDecodeError):
            return None
    return credential
