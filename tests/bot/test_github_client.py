"""`bot.github.GitHubClient` against the fake GitHub: auth, every typed call, retries and failures."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from bot.github import (
    Annotation,
    GitHubApp,
    GitHubAuthError,
    GitHubClient,
    GitHubNotFound,
    GitHubRateLimited,
    GitHubUnavailable,
    GitHubValidationFailed,
    RetryPolicy,
)
from tests.conftest import APP_ID, INSTALLATION_ID, OWNER, REPO, AppKeys, make_app_keys
from tests.fakes.github_server import FakeGitHub
from tests.fakes.github_state import BOT_LOGIN, Fault

BRANCH = "autopilot/nginx"


@pytest.fixture
def sleeps(recorded_sleeps: list[float]) -> list[float]:
    return recorded_sleeps


@pytest.fixture
def client(github_client: GitHubClient) -> GitHubClient:
    return github_client


@pytest.fixture
def branch_sha(fake_github: FakeGitHub) -> str:
    return fake_github.push_commit(OWNER, REPO, BRANCH, {"charts/nginx/Chart.yaml": "name: nginx\n"})


class TestAppAuthentication:
    def test_first_call_exchanges_a_jwt_for_an_installation_token(
        self, client: GitHubClient, fake_github: FakeGitHub
    ) -> None:
        client.get_repo(OWNER, REPO)
        token_calls = fake_github.calls_to(rf"/app/installations/{INSTALLATION_ID}/access_tokens$", "POST")
        repo_calls = fake_github.calls_to(rf"/repos/{OWNER}/{REPO}$", "GET")
        assert len(token_calls) == 1 and token_calls[0].token and token_calls[0].token.startswith("eyJ")
        assert repo_calls[0].token and repo_calls[0].token.startswith("ghs_")

    def test_token_is_reused_across_calls(self, client: GitHubClient, fake_github: FakeGitHub) -> None:
        client.get_repo(OWNER, REPO)
        client.get_repo(OWNER, REPO)
        assert len(fake_github.calls_to(r"/access_tokens$")) == 1

    def test_jwt_signed_with_another_key_is_refused(self, fake_github: FakeGitHub) -> None:
        other = make_app_keys()  # a key pair the fake does not know
        wrong = GitHubClient.from_app(
            app_id=APP_ID,
            private_key=other.private_pem,
            installation_id=INSTALLATION_ID,
            base_url=fake_github.base_url,
        )
        with pytest.raises(GitHubAuthError) as err:
            wrong.get_repo(OWNER, REPO)
        assert err.value.status == 401

    def test_installation_token_for_git_is_secret_and_cached(
        self, client: GitHubClient, fake_github: FakeGitHub
    ) -> None:
        token = client.installation_token()
        assert isinstance(token, SecretStr) and "ghs_" not in repr(token)
        assert token.get_secret_value() in fake_github.tokens
        assert client.installation_token() == token
        assert len(fake_github.calls_to(r"/access_tokens$")) == 1

    def test_app_finds_its_installation_on_a_repo(self, fake_github: FakeGitHub, app_keys: AppKeys) -> None:
        app = GitHubApp(APP_ID, app_keys.private_pem, base_url=fake_github.base_url)
        assert app.installation_id_for(OWNER, REPO) == INSTALLATION_ID
        fake_github.add_repo("someone", "elsewhere")
        with pytest.raises(GitHubNotFound):
            app.installation_id_for("someone", "elsewhere")


class TestActionTokenMode:
    def test_plain_token_and_base_url_from_environment(self, fake_github: FakeGitHub) -> None:
        fake_github.add_plain_token("ghp_" + "a" * 36, repos={f"{OWNER}/{REPO}"})
        client = GitHubClient.from_token("ghp_" + "a" * 36, environ={"GITHUB_API_URL": fake_github.base_url})
        assert client.get_repo(OWNER, REPO).full_name == f"{OWNER}/{REPO}"
        assert client.installation_token().get_secret_value() == "ghp_" + "a" * 36

    def test_from_environment_reads_the_runner_variables(
        self, fake_github: FakeGitHub, action_token: str
    ) -> None:
        env = {"GITHUB_TOKEN": action_token, "GITHUB_API_URL": fake_github.base_url}
        with GitHubClient.from_environment(env) as client:
            assert client.create_comment(OWNER, REPO, 1, "from the Action").user == "github-actions[bot]"

    def test_from_environment_without_token_says_what_to_set(self) -> None:
        with pytest.raises(ValueError, match="github-token"):
            GitHubClient.from_environment({"GITHUB_API_URL": "http://127.0.0.1:9/api/v3"})

    def test_token_cannot_see_other_repos(self, fake_github: FakeGitHub) -> None:
        fake_github.add_repo("octo-org", "private-stuff", private=True)
        fake_github.add_plain_token("ghp_" + "b" * 36, repos={f"{OWNER}/{REPO}"})
        client = GitHubClient.from_token("ghp_" + "b" * 36, base_url=fake_github.base_url)
        with pytest.raises(GitHubNotFound):
            client.get_repo("octo-org", "private-stuff")

    def test_unknown_token_is_bad_credentials(self, fake_github: FakeGitHub) -> None:
        client = GitHubClient.from_token("ghp_" + "c" * 36, base_url=fake_github.base_url)
        with pytest.raises(GitHubAuthError) as err:
            client.get_repo(OWNER, REPO)
        assert "Bad credentials" in str(err.value)
        assert "c" * 36 not in str(err.value)

    def test_empty_token_is_refused_with_a_hint(self) -> None:
        with pytest.raises(ValueError, match="GITHUB_TOKEN"):
            GitHubClient.from_token("", base_url="http://127.0.0.1:9/api/v3")


class TestRepository:
    def test_get_repo_points_clone_url_at_git_over_http(
        self, client: GitHubClient, fake_github: FakeGitHub
    ) -> None:
        repo = client.get_repo(OWNER, REPO)
        assert repo.clone_url == fake_github.clone_url(OWNER, REPO)
        assert (repo.default_branch, repo.fork, repo.private) == ("main", False, False)

    def test_permissions(self, client: GitHubClient, fake_github: FakeGitHub) -> None:
        fake_github.set_permission(OWNER, REPO, "triager", "triage")
        assert client.get_permission(OWNER, REPO, OWNER) == "admin"
        assert client.get_permission(OWNER, REPO, "triager") == "triage"
        assert client.get_permission(OWNER, REPO, "passer-by") == "read"

    def test_get_file_returns_text_or_none(self, client: GitHubClient) -> None:
        assert "charts_dir" in (client.get_file(OWNER, REPO, ".github/autopilot.yml", "main") or "")
        assert client.get_file(OWNER, REPO, ".github/missing.yml", "main") is None

    def test_branch_lookup_and_deletion(self, client: GitHubClient, branch_sha: str) -> None:
        branch = client.get_branch(OWNER, REPO, BRANCH)
        assert branch is not None and branch.sha == branch_sha and branch.author_email == "octo@example.com"
        assert client.delete_branch(OWNER, REPO, BRANCH) is True
        assert client.get_branch(OWNER, REPO, BRANCH) is None
        assert client.delete_branch(OWNER, REPO, BRANCH) is False

    def test_team_membership(self, client: GitHubClient, fake_github: FakeGitHub) -> None:
        fake_github.add_team_member(OWNER, "platform", "alice")
        fake_github.add_team_member(OWNER, "platform", "invited", state="pending")
        assert client.is_team_member(OWNER, "platform", "alice") is True
        assert client.is_team_member(OWNER, "platform", "invited") is False
        assert client.is_team_member(OWNER, "platform", "mallory") is False
        assert client.is_team_member("another-org", "platform", "alice") is False

    def test_rate_limit(self, client: GitHubClient) -> None:
        assert client.rate_limit().remaining == 4999


class TestCommentsAndReactions:
    def test_comment_lifecycle(self, client: GitHubClient, fake_github: FakeGitHub) -> None:
        posted = client.create_comment(OWNER, REPO, 3, "Working on it")
        assert posted.user == BOT_LOGIN
        assert client.update_comment(OWNER, REPO, posted.id, "Done").body == "Done"
        assert client.get_comment(OWNER, REPO, posted.id).body == "Done"
        assert [c.body for c in client.list_comments(OWNER, REPO, 3)] == ["Done"]
        assert client.delete_comment(OWNER, REPO, posted.id) is True
        assert client.delete_comment(OWNER, REPO, posted.id) is False

    def test_comments_are_paginated(self, client: GitHubClient, fake_github: FakeGitHub) -> None:
        for i in range(130):
            fake_github.add_comment(OWNER, REPO, 5, f"comment {i}")
        assert len(client.list_comments(OWNER, REPO, 5)) == 130
        assert len(fake_github.calls_to(r"/issues/5/comments$", "GET")) == 2

    def test_update_of_a_deleted_comment_raises_not_found(
        self, client: GitHubClient, fake_github: FakeGitHub
    ) -> None:
        posted = client.create_comment(OWNER, REPO, 3, "status")
        fake_github.delete_comment(posted.id)
        with pytest.raises(GitHubNotFound):
            client.update_comment(OWNER, REPO, posted.id, "new status")

    def test_upsert_recreates_a_deleted_status_comment(
        self, client: GitHubClient, fake_github: FakeGitHub
    ) -> None:
        posted = client.create_comment(OWNER, REPO, 3, "status v1")
        fake_github.delete_comment(posted.id)
        again = client.upsert_comment(OWNER, REPO, 3, posted.id, "status v2")
        assert again.id != posted.id
        assert [c.body for c in fake_github.comments_on(OWNER, REPO, 3)] == ["status v2"]

    def test_reactions_land_on_comment_and_issue(self, client: GitHubClient, fake_github: FakeGitHub) -> None:
        human = fake_github.add_comment(OWNER, REPO, 4, "/autopilot chart nginx")
        client.add_reaction(OWNER, REPO, human.id, "eyes")
        client.add_reaction(OWNER, REPO, human.id, "eyes")  # idempotent, like GitHub's 200
        client.add_issue_reaction(OWNER, REPO, 4, "rocket")
        assert human.reactions == [(BOT_LOGIN, "eyes")]
        assert fake_github.issue_reactions[(f"{OWNER}/{REPO}", 4)] == [(BOT_LOGIN, "rocket")]


class TestPullRequests:
    def test_create_find_update_and_ready(
        self, client: GitHubClient, fake_github: FakeGitHub, branch_sha: str
    ) -> None:
        pull = client.create_pull(
            OWNER, REPO, title="Add nginx chart", head=BRANCH, base="main", body="b", draft=True
        )
        assert (pull.draft, pull.head_sha, pull.base_ref, pull.state) == (True, branch_sha, "main", "open")
        found = client.find_pull(OWNER, REPO, BRANCH)
        assert found is not None and found.number == pull.number
        assert client.find_pull(OWNER, REPO, "autopilot/other") is None

        client.mark_ready_for_review(OWNER, REPO, pull.number)
        assert client.get_pull(OWNER, REPO, pull.number).draft is False

        updated = client.update_pull(OWNER, REPO, pull.number, title="nginx chart", state="closed")
        assert (updated.title, updated.state) == ("nginx chart", "closed")
        assert client.find_pull(OWNER, REPO, BRANCH) is None
        closed = client.find_pull(OWNER, REPO, BRANCH, state="closed")
        assert closed is not None and closed.number == pull.number

    def test_second_pull_for_the_same_branch_is_refused(self, client: GitHubClient, branch_sha: str) -> None:
        client.create_pull(OWNER, REPO, title="t", head=BRANCH, base="main", body="")
        with pytest.raises(GitHubValidationFailed, match="already exists"):
            client.create_pull(OWNER, REPO, title="t", head=BRANCH, base="main", body="")

    def test_pull_for_a_missing_branch_is_refused(self, client: GitHubClient) -> None:
        with pytest.raises(GitHubValidationFailed, match="head"):
            client.create_pull(OWNER, REPO, title="t", head="no-such-branch", base="main", body="")

    def test_get_pull_that_does_not_exist(self, client: GitHubClient) -> None:
        with pytest.raises(GitHubNotFound, match="pulls.get"):
            client.get_pull(OWNER, REPO, 999)

    def test_reviews_and_line_comments(
        self, client: GitHubClient, fake_github: FakeGitHub, branch_sha: str
    ) -> None:
        pull = client.create_pull(OWNER, REPO, title="t", head=BRANCH, base="main", body="")
        fake_github.add_review(
            OWNER,
            REPO,
            pull.number,
            user="reviewer",
            body="Needs work",
            line_comments=[("charts/nginx/values.yaml", 12, "use 2 replicas")],
        )
        [review] = client.list_reviews(OWNER, REPO, pull.number)
        assert (review.user, review.state, review.body, review.commit_id) == (
            "reviewer",
            "CHANGES_REQUESTED",
            "Needs work",
            branch_sha,
        )
        [line] = client.list_review_comments(OWNER, REPO, pull.number)
        assert (line.review_id, line.path, line.line, line.body) == (
            review.id,
            "charts/nginx/values.yaml",
            12,
            "use 2 replicas",
        )


def _annotations(n: int) -> list[Annotation]:
    return [
        Annotation(
            path="charts/nginx/values.yaml",
            start_line=i + 1,
            end_line=i + 1,
            annotation_level="warning",
            message=f"finding {i}",
        )
        for i in range(n)
    ]


class TestCheckRuns:
    def test_annotations_are_sent_in_batches_of_fifty(
        self, client: GitHubClient, fake_github: FakeGitHub, branch_sha: str
    ) -> None:
        run = client.create_check_run(
            OWNER,
            REPO,
            name="autopilot",
            head_sha=branch_sha,
            title="Validating",
            summary="…",
            annotations=_annotations(120),
        )
        assert len(fake_github.calls_to(r"/check-runs$", "POST")) == 1
        assert len(fake_github.calls_to(rf"/check-runs/{run.id}$", "PATCH")) == 2
        listed = client.list_check_run_annotations(OWNER, REPO, run.id)
        assert [a.message for a in listed] == [f"finding {i}" for i in range(120)]
        assert listed[0].annotation_level == "warning"

    def test_update_completes_the_run(self, client: GitHubClient, branch_sha: str) -> None:
        run = client.create_check_run(
            OWNER, REPO, name="autopilot", head_sha=branch_sha, title="t", summary="s"
        )
        done = client.update_check_run(
            OWNER,
            REPO,
            run.id,
            title="Chart valid",
            summary="0 errors",
            status="completed",
            conclusion="success",
            annotations=_annotations(60),
        )
        assert (done.status, done.conclusion) == ("completed", "success")
        assert len(client.list_check_run_annotations(OWNER, REPO, run.id)) == 60
        assert client.get_check_run(OWNER, REPO, run.id).conclusion == "success"

    def test_list_runs_for_a_branch_by_name(self, client: GitHubClient, branch_sha: str) -> None:
        client.create_check_run(OWNER, REPO, name="autopilot", head_sha=branch_sha, title="t", summary="s")
        client.create_check_run(OWNER, REPO, name="other-ci", head_sha=branch_sha, title="t", summary="s")
        assert [r.name for r in client.list_check_runs(OWNER, REPO, BRANCH, name="autopilot")] == [
            "autopilot"
        ]
        assert len(client.list_check_runs(OWNER, REPO, branch_sha)) == 2


class TestRetries:
    def test_server_error_then_success(
        self, client: GitHubClient, fake_github: FakeGitHub, sleeps: list[float]
    ) -> None:
        fake_github.inject(Fault.server_error(502), path=rf"/repos/{OWNER}/{REPO}$")
        assert client.get_repo(OWNER, REPO).name == REPO
        assert sleeps == [1.0]
        assert client.counters.errors["repos.get 502"] == 1 and client.counters.calls["repos.get"] == 2

    def test_persistent_server_errors_give_up_with_backoff(
        self, client: GitHubClient, fake_github: FakeGitHub, sleeps: list[float]
    ) -> None:
        fake_github.inject(Fault.server_error(500, times=10), path=r"/issues/\d+/comments$")
        with pytest.raises(GitHubUnavailable, match="HTTP 500"):
            client.create_comment(OWNER, REPO, 1, "hello")
        assert sleeps == [1.0, 2.0, 4.0]
        assert fake_github.comments_on(OWNER, REPO, 1) == []

    def test_token_endpoint_failure_is_retried(
        self, client: GitHubClient, fake_github: FakeGitHub, sleeps: list[float]
    ) -> None:
        fake_github.inject(Fault.server_error(503), path=r"/access_tokens$")
        assert client.get_repo(OWNER, REPO).name == REPO
        assert sleeps == [1.0]

    def test_429_honours_retry_after(
        self, client: GitHubClient, fake_github: FakeGitHub, sleeps: list[float]
    ) -> None:
        fake_github.inject(Fault.secondary_rate_limit(retry_after=7, status=429), path=r"/pulls$")
        assert client.find_pull(OWNER, REPO, BRANCH) is None
        assert sleeps == [7.0]

    def test_403_secondary_rate_limit_waits_then_succeeds(
        self, client: GitHubClient, fake_github: FakeGitHub, sleeps: list[float]
    ) -> None:
        fake_github.inject(
            Fault.secondary_rate_limit(retry_after=3), path=r"/issues/\d+/comments$", method="POST"
        )
        client.create_comment(OWNER, REPO, 2, "hi")
        assert sleeps == [3.0]
        assert len(fake_github.comments_on(OWNER, REPO, 2)) == 1

    def test_primary_rate_limit_beyond_the_cap_fails_fast(
        self, client: GitHubClient, fake_github: FakeGitHub, sleeps: list[float]
    ) -> None:
        fake_github.inject(Fault.primary_rate_limit(reset_in=3600), path=rf"/repos/{OWNER}/{REPO}$")
        with pytest.raises(GitHubRateLimited) as err:
            client.get_repo(OWNER, REPO)
        assert sleeps == []
        assert err.value.retry_after > 3000 and "re-queue" in str(err.value)

    def test_forbidden_without_rate_limit_is_not_retried(
        self, client: GitHubClient, fake_github: FakeGitHub, sleeps: list[float]
    ) -> None:
        fake_github.inject(
            Fault(status=403, body={"message": "Resource not accessible by integration"}),
            path=r"/check-runs$",
        )
        with pytest.raises(GitHubAuthError, match="Resource not accessible by integration"):
            client.create_check_run(OWNER, REPO, name="autopilot", head_sha="0" * 40, title="t", summary="s")
        assert sleeps == []

    def test_timeout_is_retried(
        self, fake_github: FakeGitHub, app_keys: AppKeys, sleeps: list[float]
    ) -> None:
        quick = GitHubClient.from_app(
            app_id=APP_ID,
            private_key=app_keys.private_pem,
            installation_id=INSTALLATION_ID,
            base_url=fake_github.base_url,
            timeout=0.3,
            sleep=sleeps.append,
            retry=RetryPolicy(attempts=2, backoff=0.5),
        )
        quick.get_repo(OWNER, REPO)  # token fetched outside the slow window
        fake_github.inject(Fault.slow(1.5), path=rf"/repos/{OWNER}/{REPO}$")
        assert quick.get_repo(OWNER, REPO).name == REPO
        assert sleeps == [0.5]

    def test_timeouts_exhausted(
        self, fake_github: FakeGitHub, app_keys: AppKeys, sleeps: list[float]
    ) -> None:
        quick = GitHubClient.from_app(
            app_id=APP_ID,
            private_key=app_keys.private_pem,
            installation_id=INSTALLATION_ID,
            base_url=fake_github.base_url,
            timeout=0.2,
            sleep=sleeps.append,
            retry=RetryPolicy(attempts=2),
        )
        fake_github.inject(Fault.slow(1.0, times=2), path=r"/rate_limit$")
        with pytest.raises(GitHubUnavailable, match="timed out"):
            quick.rate_limit()

    def test_observer_sees_every_attempt(self, fake_github: FakeGitHub, app_keys: AppKeys) -> None:
        seen: list[tuple[str, str]] = []
        observed = GitHubClient.from_app(
            app_id=APP_ID,
            private_key=app_keys.private_pem,
            installation_id=INSTALLATION_ID,
            base_url=fake_github.base_url,
            sleep=lambda _: None,
            observer=lambda route, outcome: seen.append((route, outcome)),
        )
        fake_github.inject(Fault.server_error(500), path=r"/rate_limit$")
        observed.rate_limit()
        assert seen == [
            ("apps.create_installation_access_token", "ok"),  # the token is an API call too
            ("rate_limit.get", "500"),
            ("rate_limit.get", "ok"),
        ]
