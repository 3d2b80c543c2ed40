"""REST response bodies for the fake GitHub, cut from GitHub's own recorded payloads.

Each builder starts from a real object in `@octokit/webhooks-examples` (the webhook copy of
a pull request, comment, check run… has the REST shape) and overwrites the fields the fake
tracks, so githubkit's generated models parse them exactly as they parse api.github.com.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

WEBHOOK_EXAMPLES = (
    Path(__file__).resolve().parents[1]
    / "fixtures/npm/node_modules/@octokit/webhooks-examples/api.github.com/index.json"
)
EXAMPLE_FULL_NAME = "Codertocat/Hello-World"
EXAMPLE_API = "https://api.github.com"
EXAMPLE_WEB = "https://github.com"

Json = dict[str, Any]


@cache
def webhook_examples() -> dict[str, list[Json]]:
    """Every recorded payload by event name (`issue_comment` → [created, edited, deleted…])."""
    entries = json.loads(WEBHOOK_EXAMPLES.read_text())
    return {entry["name"]: entry["examples"] for entry in entries}


def webhook_example(event: str, action: str | None = None) -> Json:
    """A deep copy of the first recorded `event` payload with `action` (any action if None)."""
    for payload in webhook_examples()[event]:
        if action is None or payload.get("action") == action:
            return copy.deepcopy(payload)
    raise KeyError(f"no recorded {event!r} payload with action {action!r}; see {WEBHOOK_EXAMPLES}")


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def retarget(value: Any, full_name: str, api_url: str, web_url: str) -> Any:
    """Rewrite every URL and name of the example repository to point at `full_name` on the fake."""
    if isinstance(value, str):
        return (
            value.replace(EXAMPLE_API, api_url)
            .replace(EXAMPLE_WEB, web_url)
            .replace(EXAMPLE_FULL_NAME, full_name)
        )
    if isinstance(value, list):
        return [retarget(item, full_name, api_url, web_url) for item in value]
    if isinstance(value, dict):
        return {key: retarget(item, full_name, api_url, web_url) for key, item in value.items()}
    return value


def user_body(login: str, user_id: int, api_url: str, web_url: str, kind: str = "User") -> Json:
    """A `simple-user` object."""
    body = webhook_example("issue_comment", "created")["sender"]
    body.update(
        login=login,
        id=user_id,
        node_id=f"U_{user_id}",
        type=kind,
        site_admin=False,
        avatar_url=f"{web_url}/avatars/{login}",
        html_url=f"{web_url}/{login}",
    )
    for key, val in list(body.items()):
        if key.endswith("_url") and key not in ("avatar_url", "html_url"):
            body[key] = val.replace(f"{EXAMPLE_API}/users/Codertocat", f"{api_url}/users/{login}")
    body["url"] = f"{api_url}/users/{login}"
    return body


def public_user_body(user: Json) -> Json:
    """A `public-user` object (`GET /users/{username}`): the simple user plus profile fields, as
    GitHub answers for a bot account (no name, no email, nothing public)."""
    return {
        **{k: v for k, v in user.items() if k not in ("email", "name", "starred_at")},
        "name": None,
        "company": None,
        "blog": "",
        "location": None,
        "email": None,
        "hireable": None,
        "bio": None,
        "twitter_username": None,
        "public_repos": 0,
        "public_gists": 0,
        "followers": 0,
        "following": 0,
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
    }


def app_body(*, app_id: int, slug: str, api_url: str, web_url: str) -> Json:
    """An `integration` object (`GET /app`), cut from a recorded check run's app."""
    app = retarget(webhook_example("check_run", "completed")["check_run"]["app"], "", api_url, web_url)
    app.update(id=app_id, slug=slug, name=slug, html_url=f"{web_url}/apps/{slug}")
    return app


def repo_body(
    *,
    owner: Json,
    name: str,
    repo_id: int,
    default_branch: str,
    fork: bool,
    private: bool,
    clone_url: str,
    api_url: str,
    web_url: str,
) -> Json:
    """A `full-repository` object whose `clone_url` is the fake's git-over-HTTP address."""
    full_name = f"{owner['login']}/{name}"
    body = retarget(webhook_example("issue_comment", "created")["repository"], full_name, api_url, web_url)
    body.update(
        id=repo_id,
        node_id=f"R_{repo_id}",
        name=name,
        full_name=full_name,
        owner=owner,
        private=private,
        fork=fork,
        default_branch=default_branch,
        master_branch=default_branch,
        clone_url=clone_url,
        visibility="private" if private else "public",
        has_discussions=False,
        subscribers_count=0,
        network_count=0,
    )
    return body


def installation_body(
    *, installation_id: int, app_id: int, account: Json, api_url: str, web_url: str
) -> Json:
    """An `installation` object (GET /repos/{o}/{r}/installation)."""
    body = retarget(webhook_example("installation", "created")["installation"], "", api_url, web_url)
    body.update(
        id=installation_id,
        app_id=app_id,
        account=account,
        target_id=account["id"],
        target_type=account["type"],
        access_tokens_url=f"{api_url}/app/installations/{installation_id}/access_tokens",
        app_slug="k8s-autopilot",
        suspended_by=None,
        suspended_at=None,
        created_at="2026-01-01T00:00:00Z",
        updated_at="2026-01-01T00:00:00Z",
    )
    return body


def issue_comment_body(
    *,
    comment_id: int,
    issue_number: int,
    body: str,
    user: Json,
    created_at: str,
    updated_at: str,
    full_name: str,
    api_url: str,
    web_url: str,
) -> Json:
    """An `issue-comment` object."""
    repo_api = f"{api_url}/repos/{full_name}"
    out = retarget(webhook_example("issue_comment", "created")["comment"], full_name, api_url, web_url)
    out.update(
        id=comment_id,
        node_id=f"IC_{comment_id}",
        url=f"{repo_api}/issues/comments/{comment_id}",
        html_url=f"{web_url}/{full_name}/issues/{issue_number}#issuecomment-{comment_id}",
        issue_url=f"{repo_api}/issues/{issue_number}",
        body=body,
        user=user,
        created_at=created_at,
        updated_at=updated_at,
        author_association="NONE" if user["type"] == "Bot" else "OWNER",
    )
    return out


def reaction_body(*, reaction_id: int, content: str, user: Json) -> Json:
    """A `reaction` object."""
    return {
        "id": reaction_id,
        "node_id": f"REA_{reaction_id}",
        "user": user,
        "content": content,
        "created_at": now_iso(),
    }


def pull_body(
    *,
    pull: Any,
    repo: Json,
    user: Json,
    api_url: str,
    web_url: str,
) -> Json:
    """A `pull-request` object; `pull` is the fake's `FakePull` state."""
    full_name = repo["full_name"]
    out = retarget(webhook_example("pull_request", "opened")["pull_request"], full_name, api_url, web_url)
    repo_api = f"{api_url}/repos/{full_name}"
    n = pull.number
    out.update(
        id=pull.id,
        node_id=pull.node_id,
        number=n,
        url=f"{repo_api}/pulls/{n}",
        html_url=f"{web_url}/{full_name}/pull/{n}",
        diff_url=f"{web_url}/{full_name}/pull/{n}.diff",
        patch_url=f"{web_url}/{full_name}/pull/{n}.patch",
        issue_url=f"{repo_api}/issues/{n}",
        commits_url=f"{repo_api}/pulls/{n}/commits",
        review_comments_url=f"{repo_api}/pulls/{n}/comments",
        comments_url=f"{repo_api}/issues/{n}/comments",
        statuses_url=f"{repo_api}/statuses/{pull.head_sha}",
        state=pull.state,
        title=pull.title,
        body=pull.body,
        draft=pull.draft,
        user=user,
        created_at=pull.created_at,
        updated_at=pull.updated_at,
        closed_at=pull.closed_at,
        merged=pull.merged,
        merged_at=pull.closed_at if pull.merged else None,
        auto_merge=None,
        maintainer_can_modify=pull.maintainer_can_modify,
    )
    for side, ref, sha in (("head", pull.head, pull.head_sha), ("base", pull.base, pull.base_sha)):
        out[side].update(
            label=f"{repo['owner']['login']}:{ref}", ref=ref, sha=sha, user=repo["owner"], repo=repo
        )
    out["_links"] = retarget(out["_links"], full_name, api_url, web_url)
    for key, link in out["_links"].items():
        link["href"] = link["href"].replace("/pull/2", f"/pull/{n}").replace("/pulls/2", f"/pulls/{n}")
        link["href"] = link["href"].replace("/issues/2", f"/issues/{n}")
        out["_links"][key] = link
    return out


def review_body(*, review: Any, full_name: str, api_url: str, web_url: str) -> Json:
    """A `pull-request-review` object; `review` is the fake's `FakeReview` state."""
    out = retarget(webhook_example("pull_request_review", "submitted")["review"], full_name, api_url, web_url)
    out.update(
        id=review.id,
        node_id=f"PRR_{review.id}",
        user=review.user,
        body=review.body,
        state=review.state,
        commit_id=review.commit_id,
        submitted_at=review.submitted_at,
        html_url=f"{web_url}/{full_name}/pull/{review.pull_number}#pullrequestreview-{review.id}",
        pull_request_url=f"{api_url}/repos/{full_name}/pulls/{review.pull_number}",
    )
    return out


def review_comment_body(*, comment: Any, full_name: str, api_url: str, web_url: str) -> Json:
    """A `pull-request-review-comment` object (a line comment in a review)."""
    out = retarget(
        webhook_example("pull_request_review_comment", "created")["comment"], full_name, api_url, web_url
    )
    out.update(
        id=comment.id,
        node_id=f"PRRC_{comment.id}",
        pull_request_review_id=comment.review_id,
        in_reply_to_id=comment.in_reply_to_id,
        url=f"{api_url}/repos/{full_name}/pulls/comments/{comment.id}",
        path=comment.path,
        line=comment.line,
        original_line=comment.line,
        side="RIGHT",
        body=comment.body,
        user=comment.user,
        commit_id=comment.commit_id,
        original_commit_id=comment.commit_id,
        html_url=f"{web_url}/{full_name}/pull/{comment.pull_number}#discussion_r{comment.id}",
        pull_request_url=f"{api_url}/repos/{full_name}/pulls/{comment.pull_number}",
    )
    return out


def check_run_body(*, run: Any, full_name: str, api_url: str, web_url: str) -> Json:
    """A `check-run` object; `run` is the fake's `FakeCheckRun` state."""
    out = retarget(webhook_example("check_run", "created")["check_run"], full_name, api_url, web_url)
    out.update(
        id=run.id,
        node_id=f"CR_{run.id}",
        name=run.name,
        head_sha=run.head_sha,
        external_id=run.external_id,
        url=f"{api_url}/repos/{full_name}/check-runs/{run.id}",
        html_url=f"{web_url}/{full_name}/runs/{run.id}",
        details_url=run.details_url,
        status=run.status,
        conclusion=run.conclusion,
        started_at=run.started_at,
        completed_at=run.completed_at,
        pull_requests=[],
    )
    out.pop("deployment", None)
    out["output"] = {
        "title": run.title,
        "summary": run.summary,
        "text": run.text,
        "annotations_count": len(run.annotations),
        "annotations_url": f"{api_url}/repos/{full_name}/check-runs/{run.id}/annotations",
    }
    return out


def annotation_body(annotation: Json, *, full_name: str, sha: str, web_url: str) -> Json:
    """A `check-annotation` object from the annotation as it was posted."""
    return {
        "path": annotation["path"],
        "start_line": annotation["start_line"],
        "end_line": annotation["end_line"],
        "start_column": annotation.get("start_column"),
        "end_column": annotation.get("end_column"),
        "annotation_level": annotation.get("annotation_level"),
        "title": annotation.get("title"),
        "message": annotation.get("message"),
        "raw_details": annotation.get("raw_details"),
        "blob_href": f"{web_url}/{full_name}/blob/{sha}/{annotation['path']}",
    }


def commit_body(
    *,
    sha: str,
    message: str,
    author_name: str,
    author_email: str,
    full_name: str,
    api_url: str,
    web_url: str,
    parents: list[str],
) -> Json:
    """A `commit` object (as nested in a branch)."""
    person = {"name": author_name, "email": author_email, "date": now_iso()}
    return {
        "url": f"{api_url}/repos/{full_name}/commits/{sha}",
        "sha": sha,
        "node_id": f"C_{sha[:12]}",
        "html_url": f"{web_url}/{full_name}/commit/{sha}",
        "comments_url": f"{api_url}/repos/{full_name}/commits/{sha}/comments",
        "commit": {
            "url": f"{api_url}/repos/{full_name}/git/commits/{sha}",
            "author": person,
            "committer": person,
            "message": message,
            "comment_count": 0,
            "tree": {"sha": "0" * 40, "url": f"{api_url}/repos/{full_name}/git/trees/{'0' * 40}"},
        },
        "author": None,
        "committer": None,
        "parents": [
            {
                "sha": p,
                "url": f"{api_url}/repos/{full_name}/commits/{p}",
                "html_url": f"{web_url}/{full_name}/commit/{p}",
            }
            for p in parents
        ],
    }


def branch_body(*, name: str, commit: Json, full_name: str, api_url: str, web_url: str) -> Json:
    """A `branch-with-protection` object (unprotected)."""
    return {
        "name": name,
        "commit": commit,
        "_links": {
            "html": f"{web_url}/{full_name}/tree/{name}",
            "self": f"{api_url}/repos/{full_name}/branches/{name}",
        },
        "protected": False,
        "protection": {"enabled": False},
        "protection_url": f"{api_url}/repos/{full_name}/branches/{name}/protection",
    }


def git_ref_body(*, ref: str, sha: str, full_name: str, api_url: str) -> Json:
    """A `git-ref` object."""
    return {
        "ref": ref,
        "node_id": f"REF_{sha[:12]}",
        "url": f"{api_url}/repos/{full_name}/git/{ref}",
        "object": {"type": "commit", "sha": sha, "url": f"{api_url}/repos/{full_name}/git/commits/{sha}"},
    }


def content_file_body(
    *, path: str, content_b64: str, size: int, sha: str, ref: str, full_name: str, api_url: str, web_url: str
) -> Json:
    """A `content-file` object (GET /repos/{o}/{r}/contents/{path})."""
    url = f"{api_url}/repos/{full_name}/contents/{path}?ref={ref}"
    git_url = f"{api_url}/repos/{full_name}/git/blobs/{sha}"
    html_url = f"{web_url}/{full_name}/blob/{ref}/{path}"
    return {
        "type": "file",
        "encoding": "base64",
        "size": size,
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "content": content_b64,
        "sha": sha,
        "url": url,
        "git_url": git_url,
        "html_url": html_url,
        "download_url": None,
        "_links": {"self": url, "git": git_url, "html": html_url},
    }


def permission_body(*, permission: str, user: Json) -> Json:
    """A `repository-collaborator-permission` object; GitHub maps maintain→write, triage→read."""
    legacy = {"admin": "admin", "maintain": "write", "write": "write", "triage": "read", "read": "read"}
    collaborator = dict(user)
    collaborator["permissions"] = {
        "admin": permission == "admin",
        "maintain": permission in ("admin", "maintain"),
        "push": permission in ("admin", "maintain", "write"),
        "triage": permission != "read" and permission != "none",
        "pull": permission != "none",
    }
    collaborator["role_name"] = permission
    return {"permission": legacy.get(permission, "none"), "role_name": permission, "user": collaborator}


def rate_limit_body(remaining: int, limit: int = 5000) -> Json:
    """A `rate-limit-overview` object."""
    reset = int(datetime.now(UTC).timestamp()) + 3600
    core = {"limit": limit, "remaining": remaining, "reset": reset, "used": limit - remaining}
    return {"resources": {"core": core, "graphql": dict(core), "search": dict(core)}, "rate": core}


def workflow_job_body(*, job: Any, full_name: str, api_url: str, web_url: str) -> Json:
    """A `job` object (Actions API) from a recorded `workflow_job` payload; `job` is a `FakeWorkflowJob`."""
    out = retarget(webhook_example("workflow_job", "completed")["workflow_job"], full_name, api_url, web_url)
    out.update(
        id=job.id,
        run_id=job.run_id,
        run_url=f"{api_url}/repos/{full_name}/actions/runs/{job.run_id}",
        node_id=f"J_{job.id}",
        head_sha=job.head_sha,
        url=f"{api_url}/repos/{full_name}/actions/jobs/{job.id}",
        html_url=f"{web_url}/{full_name}/actions/runs/{job.run_id}/job/{job.id}",
        check_run_url=f"{api_url}/repos/{full_name}/check-runs/{job.id}",
        status="completed",
        conclusion=job.conclusion,
        name=job.name,
        steps=[
            {
                "name": name,
                "status": "completed",
                "conclusion": conclusion,
                "number": number,
                "started_at": "2026-11-30T10:00:00Z",
                "completed_at": "2026-11-30T10:01:00Z",
            }
            for number, (name, conclusion) in enumerate(job.steps, start=1)
        ],
    )
    return out
