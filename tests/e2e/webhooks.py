"""Webhook deliveries in GitHub's real shapes: an `@octokit/webhooks-examples` payload, re-pointed.

Each builder copies a recorded example of the event and replaces only what the story needs
(repository, installation, issue/PR number, comment, review, check), so every other field
stays as GitHub sends it. `signed_headers` signs the exact bytes like GitHub does.
"""

from __future__ import annotations

import copy
import itertools
import json
from functools import cache
from pathlib import Path
from typing import Any

from tests.fakes.github_server import FakeGitHub
from tests.fakes.webhooks import sign

EXAMPLES_INDEX = (
    Path(__file__).parents[1]
    / "fixtures/npm/node_modules/@octokit/webhooks-examples/api.github.com/index.json"
)
_deliveries = itertools.count(1)


@cache
def _index() -> dict[str, list[dict[str, Any]]]:
    return {entry["name"]: entry["examples"] for entry in json.loads(EXAMPLES_INDEX.read_text())}


def example(event: str, action: str) -> dict[str, Any]:
    """A deep copy of the first recorded `event` payload with `action`."""
    for payload in _index()[event]:
        if payload.get("action") == action:
            return copy.deepcopy(payload)
    raise KeyError(f"no recorded {event}.{action} example")


def _common(
    payload: dict[str, Any], fake: FakeGitHub, full_name: str, installation_id: int, sender: str
) -> None:
    repo = fake.repos[full_name]
    payload["repository"] = fake.repo_json(repo)
    payload["installation"] = {"id": installation_id, "node_id": f"MDIz{installation_id}"}
    payload["sender"] = fake.user_json(sender)


def issue_comment(
    fake: FakeGitHub,
    full_name: str,
    number: int,
    body: str,
    *,
    user: str,
    installation_id: int,
    is_pull: bool = False,
) -> dict[str, Any]:
    """`issue_comment.created` for a comment that also exists in the fake (so reactions work)."""
    owner, name = full_name.split("/")
    comment = fake.add_comment(owner, name, number, body, user=user)
    payload = example("issue_comment", "created")
    _common(payload, fake, full_name, installation_id, user)
    payload["issue"]["number"] = number
    payload["issue"]["user"] = fake.user_json(user)
    if is_pull:
        payload["issue"]["pull_request"] = {"url": f"{fake.base_url}/repos/{full_name}/pulls/{number}"}
    else:
        payload["issue"].pop("pull_request", None)
    payload["comment"].update(
        id=comment.id, body=body, user=fake.user_json(user), author_association="MEMBER"
    )
    return payload


def _pull_ref(fake: FakeGitHub, full_name: str, number: int) -> dict[str, Any]:
    pull = fake.pulls[(full_name, number)]
    repo = fake.repo_json(fake.repos[full_name])
    return {
        **example("pull_request_review", "submitted")["pull_request"],
        "number": number,
        "state": pull.state,
        "draft": pull.draft,
        "head": {"ref": pull.head, "sha": pull.head_sha, "repo": repo, "label": f"x:{pull.head}"},
        "base": {"ref": pull.base, "sha": pull.base_sha, "repo": repo, "label": f"x:{pull.base}"},
        "user": fake.user_json(pull.user),
    }


def review(
    fake: FakeGitHub,
    full_name: str,
    number: int,
    *,
    user: str,
    state: str,
    body: str = "",
    line_comments: list[tuple[str, int, str]] | None = None,
    installation_id: int,
) -> dict[str, Any]:
    """`pull_request_review.submitted`, the review (and its line comments) recorded in the fake."""
    owner, name = full_name.split("/")
    recorded = fake.add_review(
        owner, name, number, user=user, state=state.upper(), body=body, line_comments=line_comments
    )
    payload = example("pull_request_review", "submitted")
    _common(payload, fake, full_name, installation_id, user)
    payload["pull_request"] = _pull_ref(fake, full_name, number)
    payload["review"].update(
        id=recorded.id,
        body=body or None,
        state=state.lower(),
        user=fake.user_json(user),
        commit_id=recorded.commit_id,
    )
    return payload


def line_comment(
    fake: FakeGitHub,
    full_name: str,
    number: int,
    *,
    user: str,
    path: str,
    line: int,
    body: str,
    review_state: str = "COMMENTED",
    installation_id: int,
) -> dict[str, Any]:
    """`pull_request_review_comment.created` for one line comment, recorded in the fake inside a review
    of `review_state` (GitHub's "Add single comment" makes a COMMENTED review of one comment)."""
    owner, name = full_name.split("/")
    review = fake.add_review(
        owner, name, number, user=user, state=review_state, line_comments=[(path, line, body)]
    )
    (recorded,) = [c for c in fake.review_comments if c.review_id == review.id]
    payload = example("pull_request_review_comment", "created")
    _common(payload, fake, full_name, installation_id, user)
    payload["pull_request"] = _pull_ref(fake, full_name, number)
    payload["comment"].update(
        id=recorded.id,
        pull_request_review_id=review.id,
        in_reply_to_id=None,
        path=path,
        line=line,
        original_line=line,
        body=body,
        user=fake.user_json(user),
        commit_id=recorded.commit_id,
    )
    return payload


def failed_check_run(
    fake: FakeGitHub,
    full_name: str,
    number: int,
    *,
    name: str = "helm-ci / lint",
    app_id: int = 15368,
    installation_id: int,
) -> dict[str, Any]:
    """`check_run.completed` with conclusion failure on PR `number`'s current head (another App's CI)."""
    pull = fake.pulls[(full_name, number)]
    owner, name = full_name.split("/")
    head = fake.git.branch_sha(owner, name, pull.head) or pull.head_sha
    payload = example("check_run", "completed")
    _common(payload, fake, full_name, installation_id, "github-actions[bot]")
    run = payload["check_run"]
    run.update(name=name, head_sha=head, status="completed", conclusion="failure")
    run["app"]["id"] = app_id
    run["check_suite"].update(head_branch=pull.head, head_sha=head)
    run["pull_requests"] = [
        {
            **run["pull_requests"][0],
            "number": number,
            "head": {"ref": pull.head, "sha": head, "repo": {"id": 1, "name": "x", "url": "x"}},
        }
    ]
    return payload


def signed_headers(event: str, body: bytes, secret: str, delivery: str | None = None) -> dict[str, str]:
    """Headers GitHub sends: event name, a unique delivery id, and the HMAC-SHA256 signature."""
    return {
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery or f"delivery-{next(_deliveries)}",
        "X-Hub-Signature-256": sign(body, secret),
        "Content-Type": "application/json",
    }


def failed_workflow_run(
    fake: FakeGitHub,
    full_name: str,
    number: int,
    *,
    run_id: int,
    name: str = "Lint and Test Charts",
    installation_id: int,
) -> dict[str, Any]:
    """`workflow_run.completed` with conclusion failure on PR `number`'s current head."""
    pull = fake.pulls[(full_name, number)]
    owner, repo_name = full_name.split("/")
    head = fake.git.branch_sha(owner, repo_name, pull.head) or pull.head_sha
    payload = example("workflow_run", "completed")
    _common(payload, fake, full_name, installation_id, "github-actions[bot]")
    run = payload["workflow_run"]
    run.update(
        id=run_id, name=name, head_sha=head, head_branch=pull.head, status="completed", conclusion="failure"
    )
    run["pull_requests"] = [
        {
            "id": number,
            "number": number,
            "url": f"{fake.base_url}/repos/{full_name}/pulls/{number}",
            "head": {"ref": pull.head, "sha": head, "repo": {"id": 1, "name": repo_name, "url": "x"}},
            "base": {
                "ref": pull.base,
                "sha": pull.base_sha,
                "repo": {"id": 1, "name": repo_name, "url": "x"},
            },
        }
    ]
    return payload


def other_apps_check_run(
    fake: FakeGitHub, full_name: str, number: int, *, text: str, name: str, installation_id: int
) -> dict[str, Any]:
    """A failed check run another CI App reported (it exists on the fake with `text` as its output)."""
    payload = failed_check_run(fake, full_name, number, name=name, installation_id=installation_id)
    owner, repo_name = full_name.split("/")
    run = fake.add_check_run(
        owner,
        repo_name,
        check_name=name,
        head_sha=payload["check_run"]["head_sha"],
        title=f"{name} failed",
        text=text,
    )
    payload["check_run"]["id"] = run.id
    payload["check_run"]["app"]["slug"] = "some-ci"
    return payload
