"""The one place that runs git (via gitpython): clone, branch, write, commit, push, read.

The installation token reaches git only in memory: each network command gets an
`http.<origin>/.extraHeader` through `GIT_CONFIG_COUNT/KEY/VALUE` environment variables, so it
is never in a remote URL, `.git/config`, a log line or an exception message. Pushes are never
forced: when someone else pushed first, our commit is rebased onto theirs (or, on conflict,
re-applied on top of theirs for the paths we wrote).
"""

from __future__ import annotations

import base64
import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import git
from pydantic import BaseModel, ConfigDict, SecretStr

from agents.safe_paths import UnsafePathError, relative_parts
from bot.redact import redact, register_secret

log = logging.getLogger(__name__)

PROTECTED_DIRS = (".git", ".github")  # never written by the bot: workflows there run with repo secrets
PUSH_ATTEMPTS = 3


class GitError(Exception):
    """A git operation failed; the message is already redacted."""


class GitAuthError(GitError):
    """The remote refused our credentials (expired or wrong installation token)."""


class BranchGone(GitError):
    """The branch was deleted on the remote while we were working on it."""

    def __init__(self, branch: str) -> None:
        super().__init__(
            f"branch {branch!r} no longer exists on the remote (deleted during the run); "
            "start again with a fresh `/autopilot` command"
        )
        self.branch = branch


class PushRejected(GitError):
    """Our commit could not be integrated with concurrent pushes after several attempts."""


class UnsafePath(GitError, ValueError):
    """A file path would escape the chart directory, follow a symlink or touch .git/.github."""


class GitIdentity(BaseModel):
    """Who our commits are by; GitHub links `<id>+<slug>[bot]@users.noreply.github.com` to the App."""

    model_config = ConfigDict(frozen=True)

    name: str = "k8s-autopilot[bot]"
    email: str = "k8s-autopilot[bot]@users.noreply.github.com"

    @classmethod
    def of_bot_user(cls, login: str, user_id: int, api_url: str) -> GitIdentity:
        """The identity GitHub shows as the App: `<id>+<login>@users.noreply.<host>`."""
        host = urlsplit(api_url).hostname or "github.com"
        web_host = "github.com" if host in ("api.github.com", "github.com") else host
        return cls(name=login, email=f"{user_id}+{login}@users.noreply.{web_host}")


class CommitAuthor(BaseModel):
    sha: str
    name: str
    email: str
    message: str


def _origin(clone_url: str) -> str:
    parts = urlsplit(clone_url)
    return f"{parts.scheme}://{parts.netloc}/"


def _auth_env(clone_url: str, token: SecretStr) -> dict[str, str]:
    """Environment that hands git the token as an HTTP header, scoped to the clone URL's host."""
    basic = base64.b64encode(f"x-access-token:{token.get_secret_value()}".encode()).decode()
    return {
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_ASKPASS": "",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_COUNT": "2",
        "GIT_CONFIG_KEY_0": f"http.{_origin(clone_url)}.extraHeader",
        "GIT_CONFIG_VALUE_0": f"Authorization: Basic {basic}",
        "GIT_CONFIG_KEY_1": "credential.helper",
        "GIT_CONFIG_VALUE_1": "",
    }


def _is_auth_failure(stderr: str) -> bool:
    lowered = stderr.lower()
    markers = (
        "authentication failed",
        "could not read username",
        "returned error: 401",
        "returned error: 403",
    )
    return any(s in lowered for s in markers)


class GitWorkspace:
    """A clone of one repository, working as the bot."""

    def __init__(self, repo: git.Repo, clone_url: str, token: SecretStr, identity: GitIdentity) -> None:
        self.repo = repo
        self.root = Path(repo.working_dir)
        self.clone_url = clone_url
        self._token = token
        self.identity = identity
        register_secret(token.get_secret_value())

    # -- setup ------------------------------------------------------------------------------

    @classmethod
    def clone(
        cls, clone_url: str, token: SecretStr, dest: Path, *, identity: GitIdentity | None = None
    ) -> GitWorkspace:
        """Clone `clone_url` into `dest` (which must not exist or be empty)."""
        register_secret(token.get_secret_value())
        env = {**os.environ, **_auth_env(clone_url, token)}
        try:
            repo = git.Repo.clone_from(clone_url, dest, env=env, no_tags=True)
        except git.GitCommandError as exc:
            raise cls._error(exc, token, f"could not clone {clone_url} into {dest}") from None
        return cls(repo, clone_url, token, identity or GitIdentity())

    def set_token(self, token: SecretStr) -> None:
        """Use a fresh installation token for the next network commands."""
        register_secret(token.get_secret_value())
        self._token = token

    @contextmanager
    def _authenticated(self) -> Iterator[None]:
        with self.repo.git.custom_environment(**_auth_env(self.clone_url, self._token)):
            yield

    @staticmethod
    def _error(exc: git.GitCommandError, token: SecretStr, what: str) -> GitError:
        stderr = str(exc.stderr or "").strip()
        detail = redact(f"{what}: {stderr or exc}", [token.get_secret_value()])
        if _is_auth_failure(stderr):
            return GitAuthError(
                f"{detail}; the installation token may have expired: fetch a new one and retry"
            )
        return GitError(detail)

    def _run(self, what: str, *args: str, network: bool = False) -> str:
        try:
            if network:
                with self._authenticated():
                    return str(self.repo.git.execute(["git", *args]))
            return str(self.repo.git.execute(["git", *args]))
        except git.GitCommandError as exc:
            raise self._error(exc, self._token, what) from None

    # -- branches ---------------------------------------------------------------------------

    def fetch(self, branch: str) -> str:
        """Update `origin/<branch>` and return its sha; BranchGone if it was deleted."""
        try:
            with self._authenticated():
                self.repo.git.execute(
                    [
                        "git",
                        "fetch",
                        "--no-tags",
                        "origin",
                        f"+refs/heads/{branch}:refs/remotes/origin/{branch}",
                    ]
                )
        except git.GitCommandError as exc:
            stderr = str(exc.stderr or "")
            if "couldn't find remote ref" in stderr or "could not find remote ref" in stderr:
                raise BranchGone(branch) from None
            raise self._error(exc, self._token, f"could not fetch {branch!r}") from None
        return self._run("resolve fetched branch", "rev-parse", f"refs/remotes/origin/{branch}").strip()

    def remote_branch_exists(self, branch: str) -> bool:
        out = self._run("list remote branches", "ls-remote", "--heads", "origin", branch, network=True)
        return any(line.endswith(f"refs/heads/{branch}") for line in out.splitlines())

    def checkout_branch(self, branch: str, base: str) -> bool:
        """Check out `branch`, continuing the remote one if it exists, else starting from `base`; True if new."""
        if self.remote_branch_exists(branch):
            self.fetch(branch)
            self._run("check out branch", "checkout", "-q", "-B", branch, f"refs/remotes/origin/{branch}")
            return False
        self.fetch(base)
        self._run("create branch", "checkout", "-q", "-B", branch, f"refs/remotes/origin/{base}")
        return True

    def head_sha(self) -> str:
        return self.repo.head.commit.hexsha

    def log_authors(self, branch: str, base: str) -> list[CommitAuthor]:
        """Commits on `origin/<branch>` that are not on `origin/<base>`, newest first."""
        self.fetch(branch)
        self.fetch(base)
        out = self._run(
            "list commits",
            "log",
            "--format=%H%x1f%an%x1f%ae%x1f%s%x1e",
            f"refs/remotes/origin/{base}..refs/remotes/origin/{branch}",
        )
        authors = []
        for record in out.split("\x1e"):
            if record.strip():
                sha, name, email, subject = record.strip().split("\x1f", 3)
                authors.append(CommitAuthor(sha=sha, name=name, email=email, message=subject))
        return authors

    def human_commits(self, branch: str, base: str) -> list[CommitAuthor]:
        """Commits on `branch` someone other than the bot made: their edits must not be overwritten."""
        return [c for c in self.log_authors(branch, base) if c.email != self.identity.email]

    # -- files ------------------------------------------------------------------------------

    @staticmethod
    def _check_relative(label: str, value: str) -> None:
        """Refuse what could leave the repository or reach .git/ and .github/ (`.` is the root directory)."""
        if label == "directory" and value == ".":
            return
        try:
            relative_parts(value)
        except UnsafePathError as exc:
            raise UnsafePath(f"refusing {label} path {value!r}: {exc.reason}") from None

    def _safe_target(self, subdir: str, rel: str) -> tuple[Path, str]:
        """The absolute path and repo-relative path for `subdir/rel`, refusing anything unsafe."""
        self._check_relative("file", rel)
        relative = PurePosixPath(subdir) / rel  # both parts checked: neither reaches .git/ or .github/
        current = self.root
        for part in relative.parts:
            current = current / part
            if current.is_symlink():
                raise UnsafePath(
                    f"refusing to write {relative}: {current.relative_to(self.root)} is a symlink"
                )
        return current, relative.as_posix()

    def write_files(self, subdir: str, files: Mapping[str, str], *, prune: bool = False) -> list[str]:
        """Write `files` (paths relative to `subdir`) and stage them; with `prune`, remove tracked files not listed.

        Every path is checked before anything is written, so an unsafe one leaves the tree untouched.
        """
        subdir = subdir.rstrip("/") or "."
        self._check_relative("directory", subdir)
        targets = [self._safe_target(subdir, rel) for rel in files]
        written = []
        for (path, relative), text in zip(targets, files.values(), strict=True):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(relative)
        if written:
            self._run("stage files", "add", "--", *written)
        if prune:
            tracked = self._run("list files", "ls-files", "-z", "--", subdir).split("\0")
            stale = [
                p
                for p in tracked
                if p and p not in written and PurePosixPath(p).parts[0] not in PROTECTED_DIRS
            ]
            if stale:
                self._run("remove stale files", "rm", "-q", "--", *stale)
        return written

    def read_tree(self, subdir: str, ref: str | None = None) -> dict[str, str]:
        """Text of every tracked file under `subdir`, keyed by path relative to it (at `ref`, or the work tree)."""
        subdir = subdir.rstrip("/") or "."
        self._check_relative("directory", subdir)
        prefix = "" if subdir == "." else subdir + "/"
        if ref is None:
            names = self._run("list files", "ls-files", "-z", "--", subdir).split("\0")
            return {
                n[len(prefix) :]: (self.root / n).read_text(encoding="utf-8", errors="replace")
                for n in names
                if n and (self.root / n).is_file()
            }
        names = self._run("list files", "ls-tree", "-r", "-z", "--name-only", ref, "--", subdir).split("\0")
        return {n[len(prefix) :]: self._show(ref, n) for n in names if n}

    def _show(self, ref: str, path: str) -> str:
        try:
            blob = self.repo.commit(ref).tree / path
        except (KeyError, ValueError, git.BadName) as exc:
            raise GitError(f"cannot read {path!r} at {ref!r}: {exc}") from None
        return bytes(blob.data_stream.read()).decode("utf-8", errors="replace")

    # -- commit and push --------------------------------------------------------------------

    def _identity_env(self) -> dict[str, str]:
        return {
            "GIT_AUTHOR_NAME": self.identity.name,
            "GIT_AUTHOR_EMAIL": self.identity.email,
            "GIT_COMMITTER_NAME": self.identity.name,
            "GIT_COMMITTER_EMAIL": self.identity.email,
        }

    def commit(self, message: str) -> str | None:
        """Commit what is staged as the bot; None when nothing changed."""
        if not self._run("check staged changes", "diff", "--cached", "--name-only").strip():
            return None
        with self.repo.git.custom_environment(**self._identity_env()):
            self._run("commit", "commit", "-q", "--no-verify", "-m", message)
        return self.head_sha()

    def push(self, branch: str) -> str:
        """Push `branch` without force; if someone pushed first, put our commit on top of theirs and retry."""
        for attempt in range(1, PUSH_ATTEMPTS + 1):
            try:
                with self._authenticated():
                    self.repo.git.execute(["git", "push", "-q", "origin", f"HEAD:refs/heads/{branch}"])
                return self.head_sha()
            except git.GitCommandError as exc:
                stderr = str(exc.stderr or "")
                if not any(s in stderr for s in ("non-fast-forward", "fetch first")):
                    raise self._error(exc, self._token, f"could not push {branch!r}") from None
                log.info("push of %s rejected (attempt %d): integrating concurrent commits", branch, attempt)
                self._integrate(branch)
        raise PushRejected(
            f"could not push {branch!r} after {PUSH_ATTEMPTS} attempts: others keep pushing to it; try again later"
        )

    def _integrate(self, branch: str) -> None:
        """Put our commits on top of `origin/<branch>`: rebase, or re-apply our paths if that conflicts."""
        theirs = f"refs/remotes/origin/{branch}"
        self.fetch(branch)
        ours = self.head_sha()
        base = self._run("find merge base", "merge-base", ours, theirs).strip()
        message = self._run("read message", "log", "-1", "--format=%B", ours).strip()
        try:
            with self.repo.git.custom_environment(**self._identity_env()):
                self._run("rebase", "rebase", "-q", theirs)
            return
        except GitError:
            self._run("abort rebase", "rebase", "--abort")
        changed = self._run("list our changes", "diff", "--name-status", "-z", base, ours).split("\0")
        self._run("reset onto theirs", "reset", "-q", "--hard", theirs)
        pairs = list(zip(changed[0::2], changed[1::2], strict=False))
        kept = [path for status, path in pairs if status and not status.startswith("D")]
        gone = [path for status, path in pairs if status.startswith("D")]
        if kept:
            self._run("re-apply our files", "checkout", ours, "--", *kept)
        if gone:
            self._run("re-apply deletions", "rm", "-q", "--ignore-unmatch", "--", *gone)
        self.commit(message)


def changed_paths(workspace: Path, base_sha: str) -> list[str] | None:
    """Files that differ between `base_sha` and the checkout's HEAD; None when git cannot tell.

    On a pull_request event the checkout is GitHub's merge commit, so base..HEAD is exactly the
    pull request's change. A shallow checkout lacks the base: it is fetched once (actions/checkout
    leaves its credentials in place for that).
    """
    try:
        repo = git.Repo(workspace)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None
    with repo:
        try:
            repo.commit(base_sha)
        except (ValueError, git.BadName, git.GitCommandError):
            try:
                repo.git.fetch("--no-tags", "--depth=1", "origin", base_sha)
            except git.GitCommandError:
                return None
        try:
            out = repo.git.diff("--name-only", "-z", "--no-renames", base_sha, "HEAD")
        except git.GitCommandError:
            return None
    return [p for p in out.split("\0") if p]
