"""Webhook deliveries for tests: real recorded payloads, retargeted, signed like GitHub signs them.

Payloads start from `@octokit/webhooks-examples` (real deliveries) and only the fields a test
cares about are changed: repository, sender, installation, issue/PR number, comment body.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass
from typing import Any

from tests.fakes.github_shapes import EXAMPLE_API, EXAMPLE_WEB, retarget, webhook_example, webhook_examples
from tests.fakes.github_state import FakeRepo

Json = dict[str, Any]


def sign(body: bytes, secret: str) -> str:
    """The `X-Hub-Signature-256` header GitHub sends for `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Delivery:
    """A webhook as it arrives over HTTP: raw body bytes and GitHub's headers."""

    event: str
    body: bytes
    headers: dict[str, str]

    @property
    def payload(self) -> Json:
        return json.loads(self.body)


def deliver(event: str, payload: Json, secret: str, *, delivery_id: str | None = None) -> Delivery:
    """Serialise and sign `payload` as GitHub would deliver `event`."""
    body = json.dumps(payload).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "GitHub-Hookshot/fake",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery_id or str(uuid.uuid4()),
        "X-GitHub-Hook-ID": "1",
        "X-Hub-Signature-256": sign(body, secret),
    }
    return Delivery(event, body, headers)


def _example_with_installation(event: str, action: str) -> Json:
    """A recorded `event.action` payload, preferring one that carries an installation (App deliveries do)."""
    for payload in webhook_examples()[event]:
        if payload.get("action") == action and "installation" in payload:
            return json.loads(json.dumps(payload))
    return webhook_example(event, action)


def _user(login: str, user_id: int) -> Json:
    user = webhook_example("issue_comment", "created")["sender"]
    user = retarget(user, "", EXAMPLE_API, EXAMPLE_WEB)
    for key, value in list(user.items()):
        if isinstance(value, str):
            user[key] = value.replace("Codertocat", login)
    user.update(
        login=login, id=user_id, node_id=f"U_{user_id}", type="Bot" if login.endswith("[bot]") else "User"
    )
    return user


def _retargeted(
    payload: Json,
    *,
    owner: str,
    repo: str,
    installation_id: int,
    sender: str,
    api_url: str,
    web_url: str,
    repo_id: int,
) -> Json:
    old_full = payload["repository"]["full_name"]
    out: Json = json.loads(
        json.dumps(payload)
        .replace(EXAMPLE_API, api_url)
        .replace(EXAMPLE_WEB, web_url)
        .replace(old_full, f"{owner}/{repo}")
    )
    owner_user = _user(owner, abs(hash(owner)) % 10_000_000 + 1)
    out["repository"].update(
        id=repo_id, node_id=f"R_{repo_id}", name=repo, full_name=f"{owner}/{repo}", owner=owner_user
    )
    out["sender"] = _user(sender, abs(hash(sender)) % 10_000_000 + 1)
    out["installation"] = {
        "id": installation_id,
        "node_id": f"MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u{installation_id}",
    }
    return out


@dataclass(frozen=True)
class WebhookFactory:
    """Builds payloads for one repository; pass the fake's URLs so links point at it."""

    owner: str
    repo: str
    installation_id: int
    repo_id: int = 1296269
    api_url: str = EXAMPLE_API
    web_url: str = EXAMPLE_WEB

    @classmethod
    def for_fake(cls, repo: FakeRepo, *, api_url: str, web_url: str) -> WebhookFactory:
        if repo.installation_id is None:
            raise ValueError(f"{repo.full_name} has no installation: add_repo(..., installation_id=...)")
        return cls(repo.owner, repo.name, repo.installation_id, repo.repo_id, api_url, web_url)

    def _base(self, event: str, action: str, sender: str) -> Json:
        return _retargeted(
            _example_with_installation(event, action),
            owner=self.owner,
            repo=self.repo,
            installation_id=self.installation_id,
            sender=sender,
            api_url=self.api_url,
            web_url=self.web_url,
            repo_id=self.repo_id,
        )

    def _repo_api(self) -> str:
        return f"{self.api_url}/repos/{self.owner}/{self.repo}"

    def issue_comment(
        self,
        number: int,
        body: str,
        *,
        user: str = "octo",
        action: str = "created",
        comment_id: int = 5001,
        on_pull_request: bool = False,
        issue_title: str = "Add an nginx chart",
    ) -> Json:
        """`issue_comment.<action>`: `user` wrote `body` on issue (or PR) `number`."""
        payload = self._base("issue_comment", action, user)
        issue, comment = payload["issue"], payload["comment"]
        web = f"{self.web_url}/{self.owner}/{self.repo}"
        issue.update(
            number=number,
            title=issue_title,
            user=payload["sender"],
            state="open",
            url=f"{self._repo_api()}/issues/{number}",
            html_url=f"{web}/issues/{number}",
            comments_url=f"{self._repo_api()}/issues/{number}/comments",
        )
        if on_pull_request:
            issue["pull_request"] = {
                "url": f"{self._repo_api()}/pulls/{number}",
                "html_url": f"{web}/pull/{number}",
                "diff_url": f"{web}/pull/{number}.diff",
                "patch_url": f"{web}/pull/{number}.patch",
                "merged_at": None,
            }
            issue["html_url"] = f"{web}/pull/{number}"
        else:
            issue.pop("pull_request", None)
        comment.update(
            id=comment_id,
            node_id=f"IC_{comment_id}",
            body=body,
            user=payload["sender"],
            url=f"{self._repo_api()}/issues/comments/{comment_id}",
            html_url=f"{web}/issues/{number}#issuecomment-{comment_id}",
            issue_url=f"{self._repo_api()}/issues/{number}",
        )
        return payload

    def pull_request_review(
        self,
        number: int,
        *,
        state: str = "changes_requested",
        body: str = "Please use 2 replicas",
        user: str = "reviewer",
        head_ref: str = "autopilot/nginx",
        head_sha: str = "0" * 40,
        review_id: int = 7001,
    ) -> Json:
        """`pull_request_review.submitted` on PR `number` whose head is `head_ref`."""
        payload = self._base("pull_request_review", "submitted", user)
        payload["review"].update(
            id=review_id, state=state, body=body, user=payload["sender"], commit_id=head_sha
        )
        self._adjust_pull(payload["pull_request"], number, head_ref, head_sha)
        return payload

    def pull_request(
        self,
        number: int,
        *,
        action: str = "closed",
        merged: bool = False,
        user: str = "octo",
        head_ref: str = "autopilot/nginx",
        head_sha: str = "0" * 40,
    ) -> Json:
        """`pull_request.<action>` for PR `number` (e.g. closed with or without merge)."""
        payload = self._base("pull_request", action, user)
        pull = payload["pull_request"]
        self._adjust_pull(pull, number, head_ref, head_sha)
        payload["number"] = number
        if action == "closed":
            pull.update(
                state="closed",
                merged=merged,
                merged_at="2026-01-01T00:00:00Z" if merged else None,
                closed_at="2026-01-01T00:00:00Z",
            )
        return payload

    def pull_request_review_comment(
        self,
        number: int,
        *,
        path: str,
        line: int,
        body: str,
        user: str = "reviewer",
        head_ref: str = "autopilot/nginx",
        comment_id: int = 8001,
        review_id: int = 7001,
    ) -> Json:
        """`pull_request_review_comment.created`: a line comment on `path:line` of PR `number`."""
        payload = self._base("pull_request_review_comment", "created", user)
        payload["comment"].update(
            id=comment_id,
            path=path,
            line=line,
            original_line=line,
            body=body,
            user=payload["sender"],
            pull_request_review_id=review_id,
        )
        self._adjust_pull(payload["pull_request"], number, head_ref, "0" * 40)
        return payload

    def _adjust_pull(self, pull: Json, number: int, head_ref: str, head_sha: str) -> None:
        pull.update(
            number=number,
            url=f"{self._repo_api()}/pulls/{number}",
            html_url=f"{self.web_url}/{self.owner}/{self.repo}/pull/{number}",
        )
        pull["head"].update(ref=head_ref, sha=head_sha, label=f"{self.owner}:{head_ref}")
        pull["base"].update(ref="main", label=f"{self.owner}:main")
        pull["labels"] = []  # the recorded labels predate fields (archived_by…) githubkit now requires
