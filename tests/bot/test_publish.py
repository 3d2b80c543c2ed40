"""`bot.publish` against the fake GitHub and its git server: every step is safe to repeat."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from agents.validate.finding import Finding, Severity
from agents.validate.object_counts import count_objects
from bot.config import RepoConfig
from bot.git import GitIdentity
from bot.github import GitHubClient, Repo, RetryPolicy
from bot.publish import (
    CHECK_NAME,
    branch_for,
    chart_dir,
    check_summary,
    commit_chart,
    ensure_pull,
    findings_to_annotations,
    post_check,
    validation_lines,
    workspace,
)
from tests.conftest import APP_ID, INSTALLATION_ID, OWNER, REPO, AppKeys
from tests.fakes.github_server import FakeGitHub

CHART = {"Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n", "values.yaml": "replicaCount: 2\n"}
BOT = GitIdentity()
BROKEN = Finding(
    rule_id="schema",
    severity=Severity.ERROR,
    message="replicas must be an integer",
    file="values.yaml",
    line=3,
    hint='write 2, not "2"',
)
OPINION = Finding(rule_id="CKV_K8S_43", severity=Severity.INFO, message="Image should use digest")


@pytest.fixture
def client(fake_github: FakeGitHub, app_keys: AppKeys) -> Iterator[GitHubClient]:
    with GitHubClient.from_app(
        app_id=APP_ID,
        private_key=app_keys.private_pem,
        installation_id=INSTALLATION_ID,
        base_url=fake_github.base_url,
        retry=RetryPolicy(attempts=1),
    ) as gh:
        yield gh


@pytest.fixture
def repo(client: GitHubClient) -> Repo:
    return client.get_repo(OWNER, REPO)


def _publish(
    client: GitHubClient, repo: Repo, tmp_path: Path, files: dict[str, str] = CHART
) -> tuple[str | None, str]:
    with workspace(client, repo, tmp_path / "work", BOT) as ws:
        outcome = commit_chart(
            ws,
            branch="autopilot/web",
            base="main",
            path="charts/web",
            files=files,
            message="feat(chart): add web chart",
        )
    return outcome.commit, outcome.head_sha


def test_paths_follow_the_repo_config() -> None:
    config = RepoConfig(charts_dir="deploy/helm", branch_prefix="bots/")
    assert (chart_dir(config, "web"), branch_for(config, "web")) == ("deploy/helm/web", "bots/web")


def test_same_chart_twice_makes_one_commit(
    client: GitHubClient, repo: Repo, fake_github: FakeGitHub, tmp_path: Path
) -> None:
    first, head = _publish(client, repo, tmp_path)
    again, head_again = _publish(client, repo, tmp_path)
    assert first is not None and again is None and head_again == head
    assert (
        fake_github.git.read_file(OWNER, REPO, "autopilot/web", "charts/web/values.yaml")
        == b"replicaCount: 2\n"
    )
    assert (tmp_path / "work").exists() and not any((tmp_path / "work").iterdir())  # clones are removed


def test_commit_goes_on_top_of_a_human_commit(
    client: GitHubClient, repo: Repo, fake_github: FakeGitHub, tmp_path: Path
) -> None:
    _publish(client, repo, tmp_path)
    human = fake_github.push_commit(OWNER, REPO, "autopilot/web", {"charts/web/NOTES.md": "mine\n"})
    with workspace(client, repo, tmp_path / "work", BOT) as ws:
        outcome = commit_chart(
            ws,
            branch="autopilot/web",
            base="main",
            path="charts/web",
            files={**CHART, "values.yaml": "replicaCount: 3\n"},
            message="chore(chart): revise",
        )
    assert outcome.humans_on_top and outcome.commit is not None
    assert fake_github.git.commit_info(OWNER, REPO, outcome.head_sha).parents == [human]


def test_pull_request_is_found_by_head_not_opened_twice(
    client: GitHubClient, repo: Repo, fake_github: FakeGitHub, tmp_path: Path
) -> None:
    _publish(client, repo, tmp_path)
    first, created = ensure_pull(
        client, repo, branch="autopilot/web", title="Helm chart: web", body="v1", draft=True
    )
    second, created_again = ensure_pull(
        client, repo, branch="autopilot/web", title="Helm chart: web", body="v2", draft=True
    )
    assert created and not created_again and first.number == second.number
    assert len(fake_github.pulls) == 1 and fake_github.pulls[(f"{OWNER}/{REPO}", first.number)].body == "v2"


def test_check_run_reports_findings_once_per_commit(
    client: GitHubClient, repo: Repo, fake_github: FakeGitHub, tmp_path: Path
) -> None:
    _, head = _publish(client, repo, tmp_path)
    run = post_check(client, repo, head_sha=head, path="charts/web", findings=[BROKEN, OPINION])
    again = post_check(client, repo, head_sha=head, path="charts/web", findings=[BROKEN, OPINION])
    assert run.id == again.id and run.conclusion == "failure"
    stored = fake_github.check_runs[run.id]
    assert stored.name == CHECK_NAME
    assert [(a["path"], a["start_line"], a["annotation_level"]) for a in stored.annotations] == [
        ("charts/web/values.yaml", 3, "failure"),
        ("charts/web/Chart.yaml", 1, "notice"),
    ]


def test_clean_chart_gets_a_green_check(client: GitHubClient, repo: Repo, tmp_path: Path) -> None:
    _, head = _publish(client, repo, tmp_path)
    assert (
        post_check(client, repo, head_sha=head, path="charts/web", findings=[OPINION]).conclusion == "success"
    )


def test_annotation_message_carries_the_hint() -> None:
    (note,) = findings_to_annotations([BROKEN], "charts/web")
    assert note.title == "schema" and "How to fix: write 2" in note.message


def test_validation_lines_fail_only_the_family_with_errors() -> None:
    lines = {line.check: line for line in validation_lines([BROKEN, OPINION])}
    assert not lines["Kubernetes schemas and API versions"].ok
    assert lines["security (checkov and pod security)"].ok
    assert lines["Kubernetes schemas and API versions"].detail == "1 error(s), 0 warning(s)"


PER_VERSION_CHART = Path(__file__).resolve().parents[1] / "fixtures" / "object-counts" / "per-version"


def test_check_run_summary_counts_objects_per_kubernetes_version(
    client: GitHubClient, repo: Repo, fake_github: FakeGitHub, tmp_path: Path
) -> None:
    _, head = _publish(client, repo, tmp_path)
    objects = count_objects(PER_VERSION_CHART, ["1.36.0", "1.35.0"])
    run = post_check(client, repo, head_sha=head, path="charts/web", findings=[OPINION], objects=objects)
    summary = fake_github.check_runs[run.id].summary or ""
    assert "- helm lint and render: pass (clean)" in summary  # the per-check rows stay
    assert "| Kind | Kubernetes 1.36.0 | Kubernetes 1.35.0 |" in summary
    assert "| PodDisruptionBudget | 1 | 0 |" in summary
    assert "| Pod (helm test) | 1 | 1 |" in summary
    assert "| **Total** | **4** | **3** |" in summary
    assert "Every version gets the same objects." not in summary


def test_a_version_that_does_not_render_is_named_in_the_summary(tmp_path: Path) -> None:
    chart = tmp_path / "chart"
    shutil.copytree(PER_VERSION_CHART, chart)
    (chart / "templates" / "guard.yaml").write_text(
        '{{- if semverCompare "<1.36-0" .Capabilities.KubeVersion.Version }}{{ fail "needs 1.36" }}{{- end }}\n'
    )
    _, summary = check_summary([], count_objects(chart, ["1.36.0", "1.35.0"]))
    assert "| **Total** | **4** | render failed |" in summary
    assert "Helm could not render the chart on:\n- Kubernetes 1.35.0:" in summary and "needs 1.36" in summary


def test_same_objects_everywhere_is_said_once(tmp_path: Path) -> None:
    _, summary = check_summary([], count_objects(CHART, ["1.36.0", "1.35.0"]))
    assert "| **Total** | **0** | **0** |" in summary and "Every version gets the same objects." in summary


def test_an_engine_that_cannot_start_costs_the_table_not_the_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTOPILOT_HELM_ENGINE", "cli")
    monkeypatch.setenv("PATH", "/nonexistent")  # no helm binary: the engine cannot start
    assert count_objects(PER_VERSION_CHART, ["1.36.0"]) is None
    assert "Objects per Kubernetes version" not in check_summary([BROKEN], None)[1]
