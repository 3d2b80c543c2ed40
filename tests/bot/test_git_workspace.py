"""`bot.git.GitWorkspace` against git over HTTP on the fake GitHub: auth, writing, pushing, races."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.git import BranchGone, GitAuthError, GitIdentity, GitWorkspace, UnsafePath
from bot.github import GitHubClient
from tests.conftest import INSTALLATION_ID, OWNER, REPO
from tests.fakes.github_server import FakeGitHub

BRANCH = "autopilot/nginx"
CHART = {"Chart.yaml": "apiVersion: v2\nname: nginx\nversion: 0.1.0\n", "values.yaml": "replicaCount: 2\n"}


@pytest.fixture
def token(fake_github: FakeGitHub) -> SecretStr:
    return SecretStr(fake_github.issue_installation_token(INSTALLATION_ID))


@pytest.fixture
def workspace(fake_github: FakeGitHub, token: SecretStr, tmp_path: Path) -> GitWorkspace:
    return GitWorkspace.clone(fake_github.clone_url(OWNER, REPO), token, tmp_path / "clone")


def _publish_chart(ws: GitWorkspace, files: dict[str, str] = CHART) -> str:
    ws.checkout_branch(BRANCH, "main")
    ws.write_files("charts/nginx", files)
    assert ws.commit("Add nginx chart") is not None
    return ws.push(BRANCH)


class TestCloneAndCredentials:
    def test_clone_with_installation_token(self, workspace: GitWorkspace) -> None:
        assert (workspace.root / "README.md").read_text() == "# charts\n"

    def test_token_never_lands_on_disk(self, workspace: GitWorkspace, token: SecretStr) -> None:
        _publish_chart(workspace)
        secret = token.get_secret_value()
        for path in (workspace.root / ".git").rglob("*"):
            if path.is_file():
                assert secret.encode() not in path.read_bytes(), path
        assert workspace.repo.remotes.origin.url == workspace.clone_url

    def test_bad_token_is_refused_without_echoing_it(self, fake_github: FakeGitHub, tmp_path: Path) -> None:
        bogus = "ghs_" + "x" * 36
        with pytest.raises(GitAuthError) as err:
            GitWorkspace.clone(fake_github.clone_url(OWNER, REPO), SecretStr(bogus), tmp_path / "clone")
        assert bogus not in str(err.value) and "token" in str(err.value)

    def test_token_of_another_installation_cannot_clone(
        self, fake_github: FakeGitHub, tmp_path: Path
    ) -> None:
        fake_github.add_installation(99, "someone", app_id=1)
        other = SecretStr(fake_github.issue_installation_token(99))
        with pytest.raises(GitAuthError):
            GitWorkspace.clone(fake_github.clone_url(OWNER, REPO), other, tmp_path / "clone")

    def test_expired_token_fails_push_and_a_fresh_one_works(
        self,
        workspace: GitWorkspace,
        fake_github: FakeGitHub,
        token: SecretStr,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        workspace.checkout_branch(BRANCH, "main")
        workspace.write_files("charts/nginx", CHART)
        workspace.commit("Add nginx chart")
        del fake_github.tokens[token.get_secret_value()]
        with caplog.at_level(logging.DEBUG), pytest.raises(GitAuthError) as err:
            workspace.push(BRANCH)
        assert token.get_secret_value() not in str(err.value) + caplog.text
        workspace.set_token(SecretStr(fake_github.issue_installation_token(INSTALLATION_ID)))
        assert workspace.push(BRANCH) == fake_github.git.branch_sha(OWNER, REPO, BRANCH)


class TestCommitAndPush:
    def test_push_is_visible_on_the_remote_as_the_bot(
        self, workspace: GitWorkspace, fake_github: FakeGitHub
    ) -> None:
        sha = _publish_chart(workspace)
        assert fake_github.git.branch_sha(OWNER, REPO, BRANCH) == sha
        info = fake_github.git.commit_info(OWNER, REPO, sha)
        assert (info.author_email, info.message) == (GitIdentity().email, "Add nginx chart")
        assert (
            fake_github.git.read_file(OWNER, REPO, BRANCH, "charts/nginx/values.yaml") == b"replicaCount: 2\n"
        )

    def test_nothing_to_commit(self, workspace: GitWorkspace) -> None:
        _publish_chart(workspace)
        workspace.write_files("charts/nginx", CHART)
        assert workspace.commit("again") is None

    def test_existing_branch_is_continued(
        self, workspace: GitWorkspace, fake_github: FakeGitHub, tmp_path: Path, token: SecretStr
    ) -> None:
        first = _publish_chart(workspace)
        second = GitWorkspace.clone(fake_github.clone_url(OWNER, REPO), token, tmp_path / "second")
        assert second.checkout_branch(BRANCH, "main") is False
        assert second.head_sha() == first

    def test_concurrent_push_puts_our_commit_on_top(
        self, workspace: GitWorkspace, fake_github: FakeGitHub
    ) -> None:
        first = _publish_chart(workspace)
        human = fake_github.push_commit(OWNER, REPO, BRANCH, {"charts/nginx/NOTES.md": "by hand\n"})
        workspace.write_files("charts/nginx", {"values.yaml": "replicaCount: 3\n"})
        workspace.commit("Scale to 3")
        pushed = workspace.push(BRANCH)
        info = fake_github.git.commit_info(OWNER, REPO, pushed)
        assert info.parents == [human] and first != human
        assert fake_github.git.read_file(OWNER, REPO, BRANCH, "charts/nginx/NOTES.md") == b"by hand\n"
        assert (
            fake_github.git.read_file(OWNER, REPO, BRANCH, "charts/nginx/values.yaml") == b"replicaCount: 3\n"
        )

    def test_conflicting_concurrent_push_keeps_their_commit_in_history(
        self, workspace: GitWorkspace, fake_github: FakeGitHub
    ) -> None:
        _publish_chart(workspace)
        human = fake_github.push_commit(
            OWNER, REPO, BRANCH, {"charts/nginx/values.yaml": "replicaCount: 5\n"}
        )
        workspace.write_files("charts/nginx", {"values.yaml": "replicaCount: 3\n"})
        workspace.commit("Scale to 3")
        pushed = workspace.push(BRANCH)
        assert fake_github.git.commit_info(OWNER, REPO, pushed).parents == [human]
        assert (
            fake_github.git.read_file(OWNER, REPO, BRANCH, "charts/nginx/values.yaml") == b"replicaCount: 3\n"
        )

    def test_human_commits_are_detected(self, workspace: GitWorkspace, fake_github: FakeGitHub) -> None:
        _publish_chart(workspace)
        assert workspace.human_commits(BRANCH, "main") == []
        fake_github.push_commit(OWNER, REPO, BRANCH, {"charts/nginx/x.md": "x\n"}, message="Tweak")
        [human] = workspace.human_commits(BRANCH, "main")
        assert (human.email, human.message) == ("octo@example.com", "Tweak")
        assert len(workspace.log_authors(BRANCH, "main")) == 2

    def test_branch_deleted_mid_run(self, workspace: GitWorkspace, fake_github: FakeGitHub) -> None:
        _publish_chart(workspace)
        fake_github.delete_branch(OWNER, REPO, BRANCH)
        with pytest.raises(BranchGone, match="autopilot/nginx"):
            workspace.fetch(BRANCH)


class TestFiles:
    @pytest.mark.parametrize(
        ("subdir", "name"),
        [
            ("charts/nginx", "/etc/passwd"),
            ("charts/nginx", "../../.github/workflows/x.yml"),
            ("charts/nginx", "templates/../../../evil"),
            ("/abs", "Chart.yaml"),
            (".github", "workflows/ci.yml"),
            ("charts/nginx", ".git/hooks/pre-commit"),
            ("charts/nginx", ""),
            ("charts/nginx", ":(top).github/workflows/x.yml"),
            ("charts/../.github", "workflows/x.yml"),
            ("charts\\nginx", "Chart.yaml"),
        ],
    )
    def test_unsafe_paths_are_refused(self, workspace: GitWorkspace, subdir: str, name: str) -> None:
        with pytest.raises(UnsafePath):
            workspace.write_files(subdir, {name: "x"})

    def test_symlinked_directory_is_refused(self, workspace: GitWorkspace, tmp_path: Path) -> None:
        outside = tmp_path / "outside"
        outside.mkdir()
        (workspace.root / "charts").mkdir()
        (workspace.root / "charts" / "nginx").symlink_to(outside)
        with pytest.raises(UnsafePath, match="symlink"):
            workspace.write_files("charts/nginx", CHART)
        assert list(outside.iterdir()) == []

    def test_nothing_is_written_when_one_path_is_unsafe(self, workspace: GitWorkspace) -> None:
        with pytest.raises(UnsafePath):
            workspace.write_files("charts/nginx", {"Chart.yaml": "x", "../escape": "y"})
        assert not (workspace.root / "charts").exists()

    def test_read_tree_from_work_tree_and_ref(self, workspace: GitWorkspace) -> None:
        sha = _publish_chart(workspace)
        assert workspace.read_tree("charts/nginx") == CHART
        workspace.write_files("charts/nginx", {"values.yaml": "replicaCount: 9\n"})
        assert workspace.read_tree("charts/nginx", ref=sha) == CHART

    def test_trailing_slash_and_repository_root(self, workspace: GitWorkspace) -> None:
        workspace.write_files("charts/nginx/", CHART)
        assert workspace.read_tree("charts/nginx/") == CHART
        root = workspace.read_tree(".")
        assert root["README.md"] == "# charts\n" and root["charts/nginx/Chart.yaml"] == CHART["Chart.yaml"]

    def test_prune_never_touches_github_directory(self, workspace: GitWorkspace) -> None:
        workspace.write_files(".", {"README.md": "# new\n"}, prune=True)
        assert (workspace.root / ".github" / "autopilot.yml").exists()

    def test_prune_removes_files_no_longer_generated(self, workspace: GitWorkspace) -> None:
        _publish_chart(workspace, {**CHART, "templates/old.yaml": "kind: ConfigMap\n"})
        workspace.write_files("charts/nginx", CHART, prune=True)
        workspace.commit("Drop old template")
        assert sorted(workspace.read_tree("charts/nginx")) == ["Chart.yaml", "values.yaml"]


class TestWithTheApiClient:
    def test_clone_from_api_repo_push_and_open_a_pull(
        self, github_client: GitHubClient, tmp_path: Path
    ) -> None:
        repo = github_client.get_repo(OWNER, REPO)
        ws = GitWorkspace.clone(repo.clone_url, github_client.installation_token(), tmp_path / "clone")
        sha = _publish_chart(ws)
        branch = github_client.get_branch(OWNER, REPO, BRANCH)
        assert branch is not None and branch.sha == sha and branch.author_email == GitIdentity().email
        pull = github_client.create_pull(
            OWNER, REPO, title="nginx", head=BRANCH, base=repo.default_branch, body=""
        )
        assert pull.head_sha == sha
