"""Put a chart on GitHub: branch, commit, push, pull request, and the `autopilot/validate` check run.

Each step is idempotent so a job retried after a crash makes no duplicates: the branch is
continued when it exists (a human's commits stay underneath ours; never a force-push), a
commit is skipped when the tree did not change, the PR is found by its head branch, and the
check run on a commit is updated rather than created twice. Git always uses the
`clone_url` the API returns, with the installation token handed to it in memory only.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from pydantic import BaseModel

from agents.validate.finding import Finding, Severity
from agents.validate.object_counts import ObjectCounts
from bot import messages
from bot.config import REPO_CONFIG_PATH, RepoConfig
from bot.git import GitError, GitIdentity, GitWorkspace
from bot.github import (
    Annotation,
    AnnotationLevel,
    CheckConclusion,
    CheckRun,
    GitHubClient,
    GitHubValidationFailed,
    PullRequest,
    Repo,
)

CHECK_NAME = "autopilot/validate"
MAX_ANNOTATIONS = 200  # the check's summary counts everything; the rest would only add noise
LEVELS: dict[Severity, AnnotationLevel] = {
    Severity.ERROR: "failure",
    Severity.WARNING: "warning",
    Severity.INFO: "notice",
}
CHECK_FAMILIES: tuple[tuple[str, str], ...] = (
    ("helm", "helm lint and render"),
    ("schema", "Kubernetes schemas and API versions"),
    ("wiring", "wiring (selectors, ports, targets)"),
    ("security", "security (checkov and pod security)"),
)


def chart_dir(config: RepoConfig, chart: str) -> str:
    """Where the chart lives in the repository, e.g. `charts/shop`."""
    return f"{config.charts_dir}/{chart}"


def branch_for(config: RepoConfig, chart: str) -> str:
    return f"{config.branch_prefix}{chart}"


@contextmanager
def workspace(client: GitHubClient, repo: Repo, root: Path, identity: GitIdentity) -> Iterator[GitWorkspace]:
    """A fresh clone of `repo` under `root`, removed afterwards (tokens never touch the disk)."""
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="clone-", dir=root))
    try:
        yield GitWorkspace.clone(repo.clone_url, client.installation_token(), tmp / "repo", identity=identity)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class DefaultBranchTargetError(GitError):
    """The chart branch would be the default branch itself: the bot only ever proposes, by PR."""


class CommitOutcome(BaseModel):
    """Where the branch stands after `commit_chart`: its head, and our new commit if one was needed."""

    branch: str
    head_sha: str
    commit: str | None
    created_branch: bool
    humans_on_top: bool  # the branch head was someone else's commit before ours


def commit_chart(
    ws: GitWorkspace,
    *,
    branch: str,
    base: str,
    path: str,
    files: Mapping[str, str],
    message: str,
) -> CommitOutcome:
    """Write `files` under `path` on `branch` (continuing it if it exists), commit if changed, push."""
    if branch == base:
        raise DefaultBranchTargetError(
            f"the chart branch {branch!r} is the repository's default branch, and the bot never commits "
            f"onto it; change `branch_prefix` in {REPO_CONFIG_PATH} (e.g. `autopilot/`) or the chart name"
        )
    created = ws.checkout_branch(branch, base)
    head_author = "" if created else ws.repo.head.commit.author.email or ""
    ws.write_files(path, files, prune=True)
    sha = ws.commit(message)
    if sha is not None:
        sha = ws.push(branch)
    return CommitOutcome(
        branch=branch,
        head_sha=ws.head_sha(),
        commit=sha,
        created_branch=created,
        humans_on_top=not created and head_author != ws.identity.email,
    )


def ensure_pull(
    client: GitHubClient, repo: Repo, *, branch: str, title: str, body: str, draft: bool
) -> tuple[PullRequest, bool]:
    """The open PR from `branch` (its body refreshed), or a new one; True when it was created."""
    existing = client.find_pull(repo.owner, repo.name, branch)
    if existing is None:
        try:
            pull = client.create_pull(
                repo.owner,
                repo.name,
                title=title,
                head=branch,
                base=repo.default_branch,
                body=body,
                draft=draft,
            )
            return pull, True
        except GitHubValidationFailed:  # created meanwhile (a retried job): use that one
            existing = client.find_pull(repo.owner, repo.name, branch)
            if existing is None:
                raise
    if existing.body != body:
        existing = client.update_pull(repo.owner, repo.name, existing.number, body=body)
    return existing, False


def findings_to_annotations(findings: Sequence[Finding], path: str) -> list[Annotation]:
    """Findings as check annotations on repository-relative paths (chart-level ones on Chart.yaml)."""
    ordered = sorted(findings, key=lambda f: list(LEVELS).index(f.severity))
    return [
        Annotation(
            path=f"{path}/{f.file or 'Chart.yaml'}",
            start_line=f.line or 1,
            end_line=f.line or 1,
            annotation_level=LEVELS[f.severity],
            message=f.message + (f"\n\nHow to fix: {f.hint}" if f.hint else ""),
            title=f.rule_id,
        )
        for f in ordered[:MAX_ANNOTATIONS]
    ]


def _family(finding: Finding) -> str:
    rule = finding.rule_id.lower()
    if rule.startswith("helm"):
        return "helm"
    if rule.startswith("wiring"):
        return "wiring"
    if rule.startswith(("ckv", "security")):
        return "security"
    return "schema"


def validation_lines(findings: Sequence[Finding]) -> list[messages.ValidationLine]:
    """One PR-body row per check family: pass unless it reported an error."""
    lines = []
    for key, label in CHECK_FAMILIES:
        mine = [f for f in findings if _family(f) == key]
        errors = sum(f.severity == Severity.ERROR for f in mine)
        warnings = sum(f.severity == Severity.WARNING for f in mine)
        detail = f"{errors} error(s), {warnings} warning(s)" if errors or warnings else "clean"
        lines.append(messages.ValidationLine(check=label, ok=errors == 0, detail=detail))
    return lines


def check_summary(findings: Sequence[Finding], objects: ObjectCounts | None = None) -> tuple[str, str]:
    """The check run's title and summary: the verdict, one row per check family, then the objects."""
    errors = sum(f.severity == Severity.ERROR for f in findings)
    warnings = sum(f.severity == Severity.WARNING for f in findings)
    title = "Chart is valid" if errors == 0 else f"{errors} error(s) in the chart"
    rows = "\n".join(
        f"- {line.check}: {'pass' if line.ok else 'fail'} ({line.detail})"
        for line in validation_lines(findings)
    )
    table = f"\n\n{messages.objects_table(objects)}" if objects is not None else ""
    return title, f"{errors} error(s), {warnings} warning(s).\n\n{rows}{table}"


def post_check(
    client: GitHubClient,
    repo: Repo,
    *,
    head_sha: str,
    path: str,
    findings: Sequence[Finding],
    objects: ObjectCounts | None = None,
) -> CheckRun:
    """Report validation as the `autopilot/validate` check on `head_sha` (updating ours if it exists)."""
    title, summary = check_summary(findings, objects)
    conclusion: CheckConclusion = (
        "failure" if any(f.severity == Severity.ERROR for f in findings) else "success"
    )
    notes = findings_to_annotations(findings, path)
    existing = client.list_check_runs(repo.owner, repo.name, head_sha, name=CHECK_NAME)
    if existing and existing[0].status == "completed":
        return existing[0]  # same commit, same chart: a retried job reports nothing new
    if existing:
        return client.update_check_run(
            repo.owner,
            repo.name,
            existing[0].id,
            title=title,
            summary=summary,
            status="completed",
            conclusion=conclusion,
            annotations=notes,
        )
    return client.create_check_run(
        repo.owner,
        repo.name,
        name=CHECK_NAME,
        head_sha=head_sha,
        status="completed",
        conclusion=conclusion,
        title=title,
        summary=summary,
        annotations=notes,
    )
