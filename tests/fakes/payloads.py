"""The one place tests build webhook payloads: GitHub's recorded deliveries, retargeted.

Every builder copies a real `@octokit/webhooks-examples` payload of the event and replaces only
what a test cares about (repository, installation, sender, issue/PR number, comment, review,
check), so every other field stays as GitHub sends it. `WebhookFactory` is pure; the functions
below it first record the comment, review or check on the fake GitHub, so the bot can react to it.
Adversarial tests damage a payload built here rather than writing one by hand.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.fakes.github_server import FakeGitHub
from tests.fakes.github_shapes import (
    EXAMPLE_API,
    EXAMPLE_WEB,
    repo_body,
    retarget,
    user_body,
    webhook_example,
    webhook_examples,
)
from tests.fakes.github_state import APP_SLUG, user_id_of

Json = dict[str, Any]
NO_SHA = "0" * 40
CI_SENDER = "github-actions[bot]"


def recorded(event: str, action: str) -> Json:
    """A copy of a recorded `event.action` delivery, preferring one with an installation (App deliveries have one)."""
    for payload in webhook_examples()[event]:
        if payload.get("action") == action and "installation" in payload:
            return copy.deepcopy(payload)
    return webhook_example(event, action)


def _account(api_url: str, web_url: str) -> Callable[[str], Json]:
    def account(login: str) -> Json:
        kind = "Bot" if login.endswith("[bot]") else "User"
        return user_body(login, user_id_of(login), api_url, web_url, kind=kind)

    return account


@dataclass(frozen=True)
class PullHead:
    """The branch state of a pull request an event is about."""

    head_ref: str = "autopilot/nginx"
    head_sha: str = NO_SHA
    base_ref: str = "main"
    base_sha: str | None = None
    state: str = "open"
    draft: bool = False
    author: str | None = None


A_BOT_PULL = PullHead()


@dataclass(frozen=True)
class WebhookFactory:
    """Builds each event the bot handles for one repository; `account` draws the users in it."""

    repository: Json
    installation_id: int | None
    account: Callable[[str], Json]
    api_url: str = EXAMPLE_API
    web_url: str = EXAMPLE_WEB

    @classmethod
    def for_repo(
        cls,
        owner: str,
        name: str,
        installation_id: int | None,
        *,
        repo_id: int = 1296269,
        api_url: str = EXAMPLE_API,
        web_url: str = EXAMPLE_WEB,
    ) -> WebhookFactory:
        """Payloads for a repository no fake serves (links point at `api_url`/`web_url`)."""
        account = _account(api_url, web_url)
        repository = repo_body(
            owner=account(owner),
            name=name,
            repo_id=repo_id,
            default_branch="main",
            fork=False,
            private=False,
            clone_url=f"{web_url}/{owner}/{name}.git",
            api_url=api_url,
            web_url=web_url,
        )
        return cls(repository, installation_id, account, api_url, web_url)

    @classmethod
    def for_fake(cls, fake: FakeGitHub, full_name: str, *, installation_id: int | None) -> WebhookFactory:
        """Payloads for a repository on the fake, as the fake serves it (None: an Action's event, no App)."""
        repository = fake.repo_json(fake.repos[full_name])
        return cls(repository, installation_id, fake.user_json, fake.base_url, fake.web_url)

    # ---- the events ------------------------------------------------------------------------------

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
        api, web = self._repo_api(), self._repo_web()
        issue.update(
            number=number,
            title=issue_title,
            user=payload["sender"],
            state="open",
            url=f"{api}/issues/{number}",
            html_url=f"{web}/issues/{number}",
            comments_url=f"{api}/issues/{number}/comments",
        )
        if on_pull_request:
            issue["pull_request"] = {
                "url": f"{api}/pulls/{number}",
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
            author_association="MEMBER",
            url=f"{api}/issues/comments/{comment_id}",
            html_url=f"{web}/issues/{number}#issuecomment-{comment_id}",
            issue_url=f"{api}/issues/{number}",
        )
        return payload

    def pull_request_review(
        self,
        number: int,
        *,
        state: str = "changes_requested",
        body: str | None = "Please use 2 replicas",
        user: str = "reviewer",
        pull: PullHead = A_BOT_PULL,
        review_id: int = 7001,
        commit_id: str | None = None,
    ) -> Json:
        """`pull_request_review.submitted` on PR `number` (GitHub sends a null body for a review without text)."""
        payload = self._base("pull_request_review", "submitted", user)
        payload["review"].update(
            id=review_id,
            state=state.lower(),
            body=body or None,
            user=payload["sender"],
            commit_id=commit_id or pull.head_sha,
        )
        self._pull(payload["pull_request"], number, pull)
        return payload

    def pull_request_review_comment(
        self,
        number: int,
        *,
        path: str,
        line: int,
        body: str,
        user: str = "reviewer",
        pull: PullHead = A_BOT_PULL,
        comment_id: int = 8001,
        review_id: int = 7001,
        commit_id: str | None = None,
    ) -> Json:
        """`pull_request_review_comment.created`: a line comment on `path:line` of PR `number`."""
        payload = self._base("pull_request_review_comment", "created", user)
        payload["comment"].update(
            id=comment_id,
            pull_request_review_id=review_id,
            in_reply_to_id=None,
            path=path,
            line=line,
            original_line=line,
            body=body,
            user=payload["sender"],
            commit_id=commit_id or pull.head_sha,
        )
        self._pull(payload["pull_request"], number, pull)
        return payload

    def pull_request(
        self,
        number: int,
        *,
        action: str = "closed",
        merged: bool = False,
        user: str = "octo",
        pull: PullHead = A_BOT_PULL,
    ) -> Json:
        """`pull_request.<action>` for PR `number` (e.g. closed with or without merge)."""
        payload = self._base("pull_request", action, user)
        self._pull(payload["pull_request"], number, pull)
        payload["number"] = number
        if action == "closed":
            payload["pull_request"].update(
                state="closed",
                merged=merged,
                merged_at="2026-01-01T00:00:00Z" if merged else None,
                closed_at="2026-01-01T00:00:00Z",
            )
        return payload

    def check_run(
        self,
        number: int,
        *,
        name: str = "helm-ci / lint",
        pull: PullHead = A_BOT_PULL,
        conclusion: str = "failure",
        run_id: int | None = None,
        app_id: int = 15368,
        app_slug: str | None = None,
        user: str = CI_SENDER,
    ) -> Json:
        """`check_run.completed` on PR `number`'s head, reported by another App (a CI service)."""
        payload = self._base("check_run", "completed", user)
        run = payload["check_run"]
        run.update(name=name, head_sha=pull.head_sha, status="completed", conclusion=conclusion)
        if run_id is not None:
            run["id"] = run_id
        run["app"]["id"] = app_id
        if app_slug is not None:
            run["app"]["slug"] = app_slug
        run["check_suite"].update(head_branch=pull.head_ref, head_sha=pull.head_sha)
        run["pull_requests"] = [self._pull_ref(run["pull_requests"][0], number, pull)]
        run["check_suite"]["pull_requests"] = copy.deepcopy(run["pull_requests"])
        return payload

    def check_suite(
        self,
        number: int,
        *,
        pull: PullHead = A_BOT_PULL,
        conclusion: str = "failure",
        app_id: int = 15368,
        user: str = CI_SENDER,
    ) -> Json:
        """`check_suite.completed` on PR `number`'s head, reported by another App."""
        payload = self._base("check_suite", "completed", user)
        suite = payload["check_suite"]
        suite.update(
            head_branch=pull.head_ref, head_sha=pull.head_sha, status="completed", conclusion=conclusion
        )
        suite["app"]["id"] = app_id
        suite["pull_requests"] = [self._pull_ref(suite["pull_requests"][0], number, pull)]
        return payload

    def workflow_run(
        self,
        number: int,
        *,
        run_id: int,
        name: str = "Lint and Test Charts",
        pull: PullHead = A_BOT_PULL,
        conclusion: str = "failure",
        user: str = CI_SENDER,
    ) -> Json:
        """`workflow_run.completed` on PR `number`'s head."""
        payload = self._base("workflow_run", "completed", user)
        run = payload["workflow_run"]
        run.update(
            id=run_id,
            name=name,
            head_sha=pull.head_sha,
            head_branch=pull.head_ref,
            status="completed",
            conclusion=conclusion,
            path=".github/workflows/ci.yaml",  # actor, triggering_actor, path: newer than the recording
            actor=payload["sender"],
            triggering_actor=payload["sender"],
        )
        # the recorded run lists no pull request: start from a check run's, the same `pull-request-minimal`
        example = webhook_example("check_run", "completed")["check_run"]["pull_requests"][0]
        run["pull_requests"] = [self._pull_ref(example, number, pull)]
        return payload

    def installation(self, *, action: str = "created", user: str = "octo", app_slug: str = APP_SLUG) -> Json:
        """`installation.<action>` of the App on this repository's owner, listing the repository."""
        payload: Json = self._retargeted(recorded("installation", action))
        payload["installation"].update(id=self.installation_id, app_slug=app_slug)
        payload["installation"]["account"] = self.account(self.repository["owner"]["login"])
        payload["repositories"] = [
            {key: self.repository[key] for key in ("id", "node_id", "name", "full_name", "private")}
        ]
        payload["sender"] = self.account(user)
        return payload

    # ---- shared parts --------------------------------------------------------------------------

    def _base(self, event: str, action: str, sender: str) -> Json:
        payload: Json = self._retargeted(recorded(event, action))
        payload["repository"] = copy.deepcopy(self.repository)
        payload["sender"] = self.account(sender)
        if self.installation_id is None:
            payload.pop("installation", None)
        else:
            payload["installation"] = {
                "id": self.installation_id,
                "node_id": f"MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u{self.installation_id}",
            }
        return payload

    def _repo_api(self) -> str:
        return f"{self.api_url}/repos/{self.repository['full_name']}"

    def _repo_web(self) -> str:
        return f"{self.web_url}/{self.repository['full_name']}"

    def _pull(self, body: Json, number: int, pull: PullHead) -> None:
        owner = self.repository["owner"]["login"]
        body.update(
            number=number,
            state=pull.state,
            draft=pull.draft,
            url=f"{self._repo_api()}/pulls/{number}",
            html_url=f"{self._repo_web()}/pull/{number}",
        )
        body["head"].update(
            ref=pull.head_ref,
            sha=pull.head_sha,
            label=f"{owner}:{pull.head_ref}",
            repo=self._nested_repo(body["head"]["repo"]),
        )
        body["base"].update(
            ref=pull.base_ref, label=f"{owner}:{pull.base_ref}", repo=self._nested_repo(body["base"]["repo"])
        )
        if pull.base_sha is not None:
            body["base"]["sha"] = pull.base_sha
        if pull.author is not None:
            body["user"] = self.account(pull.author)
        body["labels"] = []  # the recorded labels predate fields (archived_by…) githubkit now requires

    def _retargeted(self, value: Json) -> Json:
        """`value` with every link and name of the recorded repository pointing at this one."""
        return retarget(value, self.repository["full_name"], self.api_url, self.web_url)

    def _nested_repo(self, recorded_repo: Json) -> Json:
        """This repository in the recorded one's shape (a PR's head and base repo carry a few more keys)."""
        return {**recorded_repo, **copy.deepcopy(self.repository)}

    def _pull_ref(self, example: Json, number: int, pull: PullHead) -> Json:
        """A `pull-request-minimal` as check runs, suites and workflow runs list them."""
        repo = {key: self.repository[key] for key in ("id", "url", "name")}
        base = {**example["base"], "ref": pull.base_ref, "repo": repo}
        if pull.base_sha is not None:
            base["sha"] = pull.base_sha
        return {
            **example,
            "id": number,
            "number": number,
            "url": f"{self._repo_api()}/pulls/{number}",
            "head": {"ref": pull.head_ref, "sha": pull.head_sha, "repo": repo},
            "base": base,
        }


# ---- events about what exists on the fake GitHub ------------------------------------------------


def _pull_on(fake: FakeGitHub, full_name: str, number: int, *, live_head: bool = False) -> PullHead:
    """PR `number` as the fake has it; `live_head` reads the head from git (CI ran on the latest push)."""
    pull = fake.pulls[(full_name, number)]
    owner, name = full_name.split("/")
    head = (fake.git.branch_sha(owner, name, pull.head) or pull.head_sha) if live_head else pull.head_sha
    return PullHead(pull.head, head, pull.base, pull.base_sha, pull.state, pull.draft, pull.user)


def issue_comment(
    fake: FakeGitHub,
    full_name: str,
    number: int,
    body: str,
    *,
    user: str,
    installation_id: int | None,
    is_pull: bool = False,
) -> Json:
    """`issue_comment.created` for a comment that also exists in the fake (so reactions work)."""
    owner, name = full_name.split("/")
    comment = fake.add_comment(owner, name, number, body, user=user)
    factory = WebhookFactory.for_fake(fake, full_name, installation_id=installation_id)
    return factory.issue_comment(number, body, user=user, comment_id=comment.id, on_pull_request=is_pull)


def review(
    fake: FakeGitHub,
    full_name: str,
    number: int,
    *,
    user: str,
    state: str,
    body: str = "",
    line_comments: list[tuple[str, int, str]] | None = None,
    installation_id: int | None,
) -> Json:
    """`pull_request_review.submitted`, the review (and its line comments) recorded in the fake."""
    owner, name = full_name.split("/")
    recorded_review = fake.add_review(
        owner, name, number, user=user, state=state.upper(), body=body, line_comments=line_comments
    )
    return WebhookFactory.for_fake(fake, full_name, installation_id=installation_id).pull_request_review(
        number,
        state=state,
        body=body,
        user=user,
        pull=_pull_on(fake, full_name, number),
        review_id=recorded_review.id,
        commit_id=recorded_review.commit_id,
    )


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
    installation_id: int | None,
) -> Json:
    """`pull_request_review_comment.created` for one line comment, recorded in the fake inside a review
    of `review_state` (GitHub's "Add single comment" makes a COMMENTED review of one comment)."""
    owner, name = full_name.split("/")
    in_review = fake.add_review(
        owner, name, number, user=user, state=review_state, line_comments=[(path, line, body)]
    )
    (comment,) = [c for c in fake.review_comments if c.review_id == in_review.id]
    factory = WebhookFactory.for_fake(fake, full_name, installation_id=installation_id)
    return factory.pull_request_review_comment(
        number,
        path=path,
        line=line,
        body=body,
        user=user,
        pull=_pull_on(fake, full_name, number),
        comment_id=comment.id,
        review_id=in_review.id,
        commit_id=comment.commit_id,
    )


def failed_check_run(
    fake: FakeGitHub,
    full_name: str,
    number: int,
    *,
    name: str = "helm-ci / lint",
    app_id: int = 15368,
    installation_id: int | None,
) -> Json:
    """`check_run.completed` with conclusion failure on PR `number`'s current head (another App's CI)."""
    factory = WebhookFactory.for_fake(fake, full_name, installation_id=installation_id)
    return factory.check_run(
        number, name=name, app_id=app_id, pull=_pull_on(fake, full_name, number, live_head=True)
    )


def other_apps_check_run(
    fake: FakeGitHub, full_name: str, number: int, *, text: str, name: str, installation_id: int | None
) -> Json:
    """A failed check run another CI App reported (it exists on the fake with `text` as its output)."""
    owner, repo_name = full_name.split("/")
    pull = _pull_on(fake, full_name, number, live_head=True)
    run = fake.add_check_run(
        owner, repo_name, check_name=name, head_sha=pull.head_sha, title=f"{name} failed", text=text
    )
    factory = WebhookFactory.for_fake(fake, full_name, installation_id=installation_id)
    return factory.check_run(number, name=name, pull=pull, run_id=run.id, app_slug="some-ci")


def failed_workflow_run(
    fake: FakeGitHub,
    full_name: str,
    number: int,
    *,
    run_id: int,
    name: str = "Lint and Test Charts",
    installation_id: int | None,
) -> Json:
    """`workflow_run.completed` with conclusion failure on PR `number`'s current head."""
    factory = WebhookFactory.for_fake(fake, full_name, installation_id=installation_id)
    return factory.workflow_run(
        number, run_id=run_id, name=name, pull=_pull_on(fake, full_name, number, live_head=True)
    )
