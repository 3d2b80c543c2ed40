"""Local bare repositories and git's smart-HTTP protocol for them, via `git http-backend`.

The fake GitHub serves these under `/git/{owner}/{repo}.git`, so the bot clones and pushes
over real HTTP with real Basic auth, and the fake's branch endpoints read what was pushed.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_TERMINAL_PROMPT": "0",
}
SEED_AUTHOR = ("Octo Human", "octo@example.com")


class GitCommandError(RuntimeError):
    """A git command of the fake failed: the message carries git's stderr."""


def run_git(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, stdin: bytes = b""
) -> str:
    """Run git for the fake (never for the bot) and return stdout; raise with stderr on failure."""
    full_env = {**os.environ, **GIT_ENV, **(env or {})}
    proc = subprocess.run(
        ["git", *args], cwd=cwd, env=full_env, input=stdin, capture_output=True, check=False
    )
    if proc.returncode != 0:
        raise GitCommandError(f"git {' '.join(args)} failed: {proc.stderr.decode(errors='replace').strip()}")
    return proc.stdout.decode()


@dataclass(frozen=True)
class CommitInfo:
    """What the fake's branch endpoint reports about a commit."""

    sha: str
    message: str
    author_name: str
    author_email: str
    parents: list[str]


class BareRepos:
    """Bare repositories under one root directory, laid out as `{owner}/{repo}.git`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, owner: str, name: str) -> Path:
        return self.root / owner / f"{name}.git"

    def create(
        self, owner: str, name: str, *, default_branch: str = "main", files: dict[str, str] | None = None
    ) -> Path:
        """Create a bare repository whose `default_branch` holds one commit with `files`."""
        bare = self.path(owner, name)
        bare.parent.mkdir(parents=True, exist_ok=True)
        run_git("init", "-q", "--bare", f"--initial-branch={default_branch}", str(bare))
        run_git("config", "http.receivepack", "true", cwd=bare)
        seed = files if files is not None else {"README.md": f"# {name}\n"}
        self.commit_files(owner, name, default_branch, seed, message="Initial commit")
        return bare

    def commit_files(
        self,
        owner: str,
        name: str,
        branch: str,
        files: dict[str, str],
        *,
        message: str,
        author: tuple[str, str] = SEED_AUTHOR,
    ) -> str:
        """Commit `files` on top of `branch` (created if absent), as a human pushing would; return the sha."""
        bare = self.path(owner, name)
        parent = self.branch_sha(owner, name, branch)
        with tempfile.TemporaryDirectory(prefix="fake-git-") as tmp:
            work = Path(tmp) / "work"
            work.mkdir()
            env = {
                "GIT_DIR": str(bare),
                "GIT_WORK_TREE": str(work),
                "GIT_INDEX_FILE": str(Path(tmp) / "index"),
                "GIT_AUTHOR_NAME": author[0],
                "GIT_AUTHOR_EMAIL": author[1],
                "GIT_COMMITTER_NAME": author[0],
                "GIT_COMMITTER_EMAIL": author[1],
            }
            if parent:
                run_git("read-tree", parent, env=env)
            for rel, text in files.items():
                target = work / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text)
                run_git("update-index", "--add", rel, cwd=work, env=env)
            tree = run_git("write-tree", env=env).strip()
            parent_args = ["-p", parent] if parent else []
            sha = run_git("commit-tree", tree, *parent_args, "-m", message, env=env).strip()
            run_git("update-ref", f"refs/heads/{branch}", sha, env=env)
        return sha

    def branch_sha(self, owner: str, name: str, branch: str) -> str | None:
        """The sha `branch` points at, or None when the branch does not exist."""
        try:
            out = run_git(
                "rev-parse", "--verify", "-q", f"refs/heads/{branch}^{{commit}}", cwd=self.path(owner, name)
            )
        except GitCommandError:
            return None
        return out.strip() or None

    def resolve(self, owner: str, name: str, ref: str) -> str | None:
        """The commit sha for a branch name, tag or sha, or None."""
        try:
            return run_git(
                "rev-parse", "--verify", "-q", f"{ref}^{{commit}}", cwd=self.path(owner, name)
            ).strip()
        except GitCommandError:
            return None

    def branches(self, owner: str, name: str) -> list[str]:
        out = run_git("for-each-ref", "--format=%(refname:short)", "refs/heads", cwd=self.path(owner, name))
        return out.split()

    def delete_branch(self, owner: str, name: str, branch: str) -> bool:
        """Delete `branch`; False when it did not exist."""
        if self.branch_sha(owner, name, branch) is None:
            return False
        run_git("update-ref", "-d", f"refs/heads/{branch}", cwd=self.path(owner, name))
        return True

    def read_file(self, owner: str, name: str, ref: str, path: str) -> bytes | None:
        """The blob at `ref:path`, or None when the ref or the file is missing."""
        bare = self.path(owner, name)
        proc = subprocess.run(
            ["git", "cat-file", "blob", f"{ref}:{path}"],
            cwd=bare,
            env={**os.environ, **GIT_ENV},
            capture_output=True,
            check=False,
        )
        return proc.stdout if proc.returncode == 0 else None

    def blob_sha(self, owner: str, name: str, ref: str, path: str) -> str:
        return run_git("rev-parse", f"{ref}:{path}", cwd=self.path(owner, name)).strip()

    def commit_info(self, owner: str, name: str, sha: str) -> CommitInfo:
        out = run_git("log", "-1", "--format=%H%x00%an%x00%ae%x00%P%x00%B", sha, cwd=self.path(owner, name))
        full, author_name, author_email, parents, message = out.split("\0", 4)
        return CommitInfo(full, message.strip(), author_name, author_email, parents.split())

    def log_authors(self, owner: str, name: str, branch: str) -> list[str]:
        """Author e-mails of every commit on `branch`, newest first."""
        return run_git("log", "--format=%ae", f"refs/heads/{branch}", cwd=self.path(owner, name)).split()


@dataclass(frozen=True)
class CgiResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def run_http_backend(
    root: Path,
    *,
    method: str,
    path_info: str,
    query: str,
    content_type: str,
    content_encoding: str,
    body: bytes,
    remote_user: str,
) -> CgiResponse:
    """Answer one smart-HTTP request by running `git http-backend` as a CGI program."""
    env = {
        **os.environ,
        **GIT_ENV,
        "GIT_PROJECT_ROOT": str(root),
        "GIT_HTTP_EXPORT_ALL": "1",
        "REQUEST_METHOD": method,
        "PATH_INFO": path_info,
        "QUERY_STRING": query,
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
        "REMOTE_USER": remote_user,
        "REMOTE_ADDR": "127.0.0.1",
        "GATEWAY_INTERFACE": "CGI/1.1",
    }
    if content_encoding:
        env["HTTP_CONTENT_ENCODING"] = content_encoding
    proc = subprocess.run(["git", "http-backend"], env=env, input=body, capture_output=True, check=False)
    head, _, payload = proc.stdout.partition(b"\r\n\r\n")
    if not _:
        head, _, payload = proc.stdout.partition(b"\n\n")
    status = 200
    headers: list[tuple[str, str]] = []
    for line in head.decode("latin-1").splitlines():
        if not line.strip():
            continue
        key, _, value = line.partition(":")
        if key.lower() == "status":
            status = int(value.strip().split()[0])
        else:
            headers.append((key.strip(), value.strip()))
    if proc.returncode != 0 and not headers:
        return CgiResponse(500, [("Content-Type", "text/plain")], proc.stderr)
    return CgiResponse(status, headers, payload)
