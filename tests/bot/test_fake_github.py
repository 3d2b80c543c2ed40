"""The fake GitHub itself: its bodies parse as githubkit's models, it enforces auth, faults and webhooks work."""

from __future__ import annotations

import json
import time
import warnings

import httpx
import pytest
from githubkit import webhooks

from bot.events import HANDLED_EVENTS, InstallationEvent, parse_event
from tests.conftest import APP_ID, INSTALLATION_ID, OWNER, REPO, require_npm_fixtures
from tests.fakes.github_openapi import rest_description
from tests.fakes.github_server import FakeGitHub
from tests.fakes.github_state import Fault
from tests.fakes.payloads import WebhookFactory
from tests.fakes.webhooks import deliver, sign

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from githubkit_schemas.latest import models


def _get(gh: FakeGitHub, path: str, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"token {token}"} if token else {}
    return httpx.get(gh.base_url + path, headers=headers)


class TestLifecycle:
    def test_starts_fast_on_an_ephemeral_local_port(self) -> None:
        require_npm_fixtures()
        rest_description()  # parsed once per process (≈ 0.5 s), not once per server
        started = time.perf_counter()
        with FakeGitHub() as gh:
            elapsed = time.perf_counter() - started
            assert gh.base_url.startswith("http://127.0.0.1:") and gh.base_url.endswith("/api/v3")
        assert elapsed < 0.5


class TestShapes:
    """Each REST body the fake builds is accepted by githubkit's generated model for that route."""

    def test_repo_branch_ref_content_permission_and_rate_limit(self, fake_github: FakeGitHub) -> None:
        token = fake_github.issue_installation_token(INSTALLATION_ID)
        base = f"/repos/{OWNER}/{REPO}"
        cases = [
            (base, models.FullRepository),
            (f"{base}/branches/main", models.BranchWithProtection),
            (f"{base}/git/ref/heads/main", models.GitRef),
            (f"{base}/contents/README.md?ref=main", models.ContentFile),
            (f"{base}/collaborators/{OWNER}/permission", models.RepositoryCollaboratorPermission),
            ("/rate_limit", models.RateLimitOverview),
        ]
        for path, model in cases:
            response = _get(fake_github, path, token)
            assert response.status_code == 200, (path, response.text)
            model.model_validate(response.json())

    def test_closed_pull_and_completed_check_run(self, fake_github: FakeGitHub) -> None:
        token = fake_github.issue_installation_token(INSTALLATION_ID)
        sha = fake_github.push_commit(OWNER, REPO, "feature", {"a.txt": "a\n"})
        headers = {"Authorization": f"token {token}"}
        api = f"{fake_github.base_url}/repos/{OWNER}/{REPO}"
        pull = httpx.post(
            f"{api}/pulls", headers=headers, json={"title": "t", "head": "feature", "base": "main"}
        )
        fake_github.close_pull(OWNER, REPO, pull.json()["number"])
        closed = httpx.get(f"{api}/pulls/{pull.json()['number']}", headers=headers).json()
        assert models.PullRequest.model_validate(closed).state == "closed"
        run = httpx.post(
            f"{api}/check-runs",
            headers=headers,
            json={
                "name": "autopilot",
                "head_sha": sha,
                "status": "completed",
                "conclusion": "failure",
                "output": {"title": "t", "summary": "s"},
            },
        )
        parsed = models.CheckRun.model_validate(run.json())
        assert (parsed.status, parsed.conclusion, parsed.completed_at is not None) == (
            "completed",
            "failure",
            True,
        )

    def test_no_example_repository_name_leaks_into_bodies(self, fake_github: FakeGitHub) -> None:
        token = fake_github.issue_installation_token(INSTALLATION_ID)
        comment = fake_github.add_comment(OWNER, REPO, 1, "hi")
        text = _get(fake_github, f"/repos/{OWNER}/{REPO}/issues/comments/{comment.id}", token).text
        assert "Hello-World" not in text and f"{OWNER}/{REPO}" in text


class TestAuthEnforcement:
    def test_no_credentials(self, fake_github: FakeGitHub) -> None:
        response = _get(fake_github, f"/repos/{OWNER}/{REPO}", None)
        assert (response.status_code, response.json()["message"]) == (401, "Requires authentication")

    def test_unknown_token(self, fake_github: FakeGitHub) -> None:
        assert _get(fake_github, f"/repos/{OWNER}/{REPO}", "ghs_nope").json()["message"] == "Bad credentials"

    def test_other_installation_sees_404(self, fake_github: FakeGitHub) -> None:
        fake_github.add_installation(99, "someone", app_id=APP_ID)
        other = fake_github.issue_installation_token(99)
        assert _get(fake_github, f"/repos/{OWNER}/{REPO}", other).status_code == 404

    def test_app_routes_need_a_jwt_not_a_token(self, fake_github: FakeGitHub) -> None:
        token = fake_github.issue_installation_token(INSTALLATION_ID)
        response = httpx.post(
            f"{fake_github.base_url}/app/installations/{INSTALLATION_ID}/access_tokens",
            headers={"Authorization": f"token {token}"},
        )
        assert response.status_code == 401

    def test_git_without_credentials_gets_a_basic_challenge(self, fake_github: FakeGitHub) -> None:
        response = httpx.get(f"{fake_github.clone_url(OWNER, REPO)}/info/refs?service=git-upload-pack")
        assert response.status_code == 401 and response.headers["www-authenticate"].startswith("Basic")

    def test_git_with_a_token_advertises_refs(self, fake_github: FakeGitHub) -> None:
        token = fake_github.issue_installation_token(INSTALLATION_ID)
        response = httpx.get(
            f"{fake_github.clone_url(OWNER, REPO)}/info/refs?service=git-upload-pack",
            auth=("x-access-token", token),
        )
        assert response.status_code == 200 and b"refs/heads/main" in response.content


class TestFaultsAndCallLog:
    def test_fault_applies_to_the_next_n_matching_requests_only(self, fake_github: FakeGitHub) -> None:
        token = fake_github.issue_installation_token(INSTALLATION_ID)
        fake_github.inject(Fault.server_error(502, times=2), path=r"/branches/")
        statuses = [
            _get(fake_github, f"/repos/{OWNER}/{REPO}/branches/main", token).status_code for _ in range(3)
        ]
        assert statuses == [502, 502, 200]
        assert _get(fake_github, f"/repos/{OWNER}/{REPO}", token).status_code == 200

    def test_rate_limit_fault_headers(self, fake_github: FakeGitHub) -> None:
        fake_github.inject(Fault.primary_rate_limit(reset_in=60), path=r"/rate_limit")
        response = _get(fake_github, "/rate_limit", "anything")
        assert response.status_code == 403 and response.headers["x-ratelimit-remaining"] == "0"

    def test_call_log_records_method_path_token_and_status(self, fake_github: FakeGitHub) -> None:
        token = fake_github.issue_installation_token(INSTALLATION_ID)
        _get(fake_github, f"/repos/{OWNER}/{REPO}/pulls/42", token)
        [call] = fake_github.calls_to(r"/pulls/42$")
        assert (call.method, call.token, call.status) == ("GET", token, 404)


class TestWebhooks:
    SECRET = "webhook-secret-for-tests"

    def test_signature_verifies_with_githubkit(self) -> None:
        body = b'{"zen": "Keep it logically awesome."}'
        assert webhooks.verify(self.SECRET, body, sign(body, self.SECRET))
        assert not webhooks.verify("other-secret", body, sign(body, self.SECRET))

    def test_issue_comment_on_a_pull_request(self, fake_github: FakeGitHub) -> None:
        factory = WebhookFactory.for_fake(fake_github, f"{OWNER}/{REPO}", installation_id=INSTALLATION_ID)
        payload = factory.issue_comment(12, "/autopilot chart nginx", user="alice", on_pull_request=True)
        delivery = deliver("issue_comment", payload, self.SECRET)
        event = models.WebhookIssueCommentCreated.model_validate_json(delivery.body)
        assert event.comment.body == "/autopilot chart nginx" and event.comment.user.login == "alice"
        assert event.issue.number == 12 and event.issue.pull_request is not None
        assert event.repository.full_name == f"{OWNER}/{REPO}" and event.installation.id == INSTALLATION_ID
        assert "Codertocat/Hello-World" not in delivery.body.decode()
        assert delivery.headers["X-Hub-Signature-256"] == sign(delivery.body, self.SECRET)

    def test_issue_comment_on_an_issue_has_no_pull_request(self) -> None:
        payload = WebhookFactory.for_repo(OWNER, REPO, INSTALLATION_ID).issue_comment(3, "/autopilot help")
        assert "pull_request" not in payload["issue"]
        assert models.WebhookIssueCommentCreated.model_validate(payload).issue.number == 3

    # Parsed with the per-action model: githubkit's `webhooks.parse("pull_request", …)` builds a
    # validator for every pull_request action on first use (≈ 13 s on a loaded machine).
    @pytest.mark.parametrize(
        ("model", "build"),
        [
            (
                models.WebhookPullRequestReviewSubmitted,
                lambda f: f.pull_request_review(4, body="use 2 replicas"),
            ),
            (models.WebhookPullRequestClosed, lambda f: f.pull_request(4, action="closed", merged=True)),
            (
                models.WebhookPullRequestReviewCommentCreated,
                lambda f: f.pull_request_review_comment(4, path="values.yaml", line=3, body="x"),
            ),
        ],
    )
    def test_pull_request_events_parse(self, model, build) -> None:  # type: ignore[no-untyped-def]
        payload = build(WebhookFactory.for_repo(OWNER, REPO, INSTALLATION_ID))
        parsed = model.model_validate(payload)
        assert parsed.pull_request.number == 4
        assert parsed.pull_request.head.ref == "autopilot/nginx"
        assert parsed.installation.id == INSTALLATION_ID

    # One builder per event the bot handles, each checked against githubkit's model of that delivery.
    EVERY_EVENT = {
        "issue_comment": (models.WebhookIssueCommentCreated, lambda f: f.issue_comment(4, "/autopilot help")),
        "pull_request_review": (models.WebhookPullRequestReviewSubmitted, lambda f: f.pull_request_review(4)),
        "pull_request_review_comment": (
            models.WebhookPullRequestReviewCommentCreated,
            lambda f: f.pull_request_review_comment(4, path="values.yaml", line=3, body="x"),
        ),
        "pull_request": (models.WebhookPullRequestClosed, lambda f: f.pull_request(4, merged=True)),
        "check_run": (models.WebhookCheckRunCompleted, lambda f: f.check_run(4)),
        "check_suite": (models.WebhookCheckSuiteCompleted, lambda f: f.check_suite(4)),
        "workflow_run": (models.WebhookWorkflowRunCompleted, lambda f: f.workflow_run(4, run_id=9)),
        "installation": (models.WebhookInstallationCreated, lambda f: f.installation()),
    }

    def test_the_factory_builds_every_handled_event(self) -> None:
        assert set(self.EVERY_EVENT) == HANDLED_EVENTS

    @pytest.mark.parametrize("event", sorted(EVERY_EVENT))
    def test_every_built_event_is_githubs_shape_for_our_repository(self, event: str) -> None:
        model, build = self.EVERY_EVENT[event]
        payload = build(WebhookFactory.for_repo(OWNER, REPO, INSTALLATION_ID))
        assert model.model_validate(payload).installation.id == INSTALLATION_ID
        parsed = parse_event(event, json.dumps(payload).encode())
        assert parsed is not None and parsed.installation is not None
        assert parsed.installation.id == INSTALLATION_ID
        if not isinstance(parsed, InstallationEvent):
            assert parsed.thread_ids == [f"{OWNER}/{REPO}#4"]
        assert "Codertocat/Hello-World" not in json.dumps(payload)
