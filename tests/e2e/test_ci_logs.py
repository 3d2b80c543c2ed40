"""Self-heal from what CI printed, through the real server: job logs behind the Actions API's
redirect, another App's check-run output; a commit when a file is wrong, a comment when the cluster is."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.publish import CHECK_NAME
from tests.e2e.harness import FULL_NAME, INSTALLATION_ID, OWNER, REPO, RunningBot, bot_comments
from tests.fakes.chat_model import ScriptedChatModel, tool_reply
from tests.fakes.github_server import FakeGitHub
from tests.fakes.github_state import BOT_EMAIL
from tests.fakes.payloads import failed_workflow_run, issue_comment, other_apps_check_run

LOGS = Path(__file__).resolve().parents[1] / "fixtures" / "ci_logs"
CONFIG = "charts_dir: charts\nkube_versions: ['1.30.0']\n"


def ci_log(name: str) -> str:
    """A recorded-shape log, about the chart these tests make (`nginx` where the fixture says `shop`)."""
    return (LOGS / name).read_text().replace("shop", "nginx")


@pytest.fixture
def pull(running_bot: RunningBot, fake_github: FakeGitHub) -> int:
    """An open PR with the bot's nginx chart."""
    fake_github.push_commit(OWNER, REPO, "main", {".github/autopilot.yml": CONFIG})
    issue = fake_github.new_issue_number(FULL_NAME)
    ask = issue_comment(
        fake_github, FULL_NAME, issue, "/autopilot chart nginx", user="alice", installation_id=INSTALLATION_ID
    )
    running_bot.deliver("issue_comment", ask)
    running_bot.wait_idle()
    (created,) = fake_github.pulls.values()
    return created.number


def _file(fake: FakeGitHub, branch: str, path: str) -> str:
    data = fake.git.read_file(OWNER, REPO, branch, path)
    assert data is not None
    return data.decode()


def test_a_ct_lint_version_bump_in_a_job_log_becomes_a_chart_yaml_commit(
    running_bot: RunningBot, fake_github: FakeGitHub, pull: int
) -> None:
    fake = fake_github
    head_ref = fake.pulls[(FULL_NAME, pull)].head
    before = fake.git.branch_sha(OWNER, REPO, head_ref)
    assert before is not None
    fake.add_workflow_job(
        OWNER, REPO, run_id=9001, job_name="docs", head_sha=before, log="ok", conclusion="success"
    )
    fake.add_workflow_job(
        OWNER,
        REPO,
        run_id=9001,
        job_name="lint-test",
        head_sha=before,
        log=ci_log("ct-lint-version-bump.log"),
    )

    running_bot.deliver(
        "workflow_run",
        failed_workflow_run(fake, FULL_NAME, pull, run_id=9001, installation_id=INSTALLATION_ID),
    )
    running_bot.wait_idle()

    after = fake.git.branch_sha(OWNER, REPO, head_ref)
    assert after is not None and after != before
    commit = fake.git.commit_info(OWNER, REPO, after)
    assert commit.author_email == BOT_EMAIL and commit.parents == [before]
    assert yaml.safe_load(_file(fake, head_ref, "charts/nginx/Chart.yaml"))["version"] == "0.1.1"
    assert [c.status for c in fake.calls if "/_job-logs/" in c.path] == [200]  # only the failed job's log
    assert any("version 0.1.0 → 0.1.1" in body for body in bot_comments(fake, pull))
    (ours,) = [r for r in fake.check_runs.values() if r.head_sha == after and r.name == CHECK_NAME]
    assert "printed; no model configured (model calls: 0)" in (ours.summary or "")


def test_an_image_pull_failure_in_another_apps_check_is_explained_not_committed(
    running_bot: RunningBot, fake_github: FakeGitHub, pull: int
) -> None:
    fake = fake_github
    head_ref = fake.pulls[(FULL_NAME, pull)].head
    before = fake.git.branch_sha(OWNER, REPO, head_ref)
    check = other_apps_check_run(
        fake,
        FULL_NAME,
        pull,
        text=ci_log("ct-install-image-pull.log"),
        name="ct install",
        installation_id=INSTALLATION_ID,
    )

    running_bot.deliver("check_run", check)
    running_bot.wait_idle()

    assert fake.git.branch_sha(OWNER, REPO, head_ref) == before
    (said,) = [b for b in bot_comments(fake, pull) if "What CI printed" in b]
    assert "could not pull the image ghcr.io/acme/nginx:9.9.9" in said
    assert "no commit" in said and "imagePullSecrets" in said
    assert 'Failed to pull image "ghcr.io/acme/nginx:9.9.9"' in said  # the CI line, quoted in a fence
    assert said.count("```") == 2


def test_a_template_error_no_fixer_knows_is_escalated_quoting_the_ci_lines(
    running_bot: RunningBot, fake_github: FakeGitHub, pull: int
) -> None:
    fake = fake_github
    head_ref = fake.pulls[(FULL_NAME, pull)].head
    before = fake.git.branch_sha(OWNER, REPO, head_ref)
    assert before is not None
    fake.add_workflow_job(
        OWNER,
        REPO,
        run_id=9002,
        job_name="template",
        head_sha=before,
        log=ci_log("helm-template-nil-pointer.log"),
    )

    running_bot.deliver(
        "workflow_run",
        failed_workflow_run(fake, FULL_NAME, pull, run_id=9002, installation_id=INSTALLATION_ID),
    )
    running_bot.wait_idle()

    assert fake.git.branch_sha(OWNER, REPO, head_ref) == before  # nothing a fixer could do, no model
    (said,) = [b for b in bot_comments(fake, pull) if "What CI printed" in b]
    assert "templates/deployment.yaml:34" in said
    assert "nil pointer evaluating interface {}.host" in said
    assert "Model calls" not in said  # no model configured
    # CI's lines say it; no second table
    assert not [b for b in bot_comments(fake, pull) if "A human needs to look" in b]


def test_with_a_model_the_unknown_ci_failure_gets_one_model_call_and_a_commit(
    running_bot: RunningBot, fake_github: FakeGitHub, pull: int
) -> None:
    fake = fake_github
    fake.push_commit(OWNER, REPO, "main", {".github/autopilot.yml": CONFIG + "llm: true\n"})
    head_ref = fake.pulls[(FULL_NAME, pull)].head
    before = fake.git.branch_sha(OWNER, REPO, head_ref)
    assert before is not None
    values = _file(fake, head_ref, "charts/nginx/values.yaml")
    fixed = values.rstrip("\n") + "\nregistryHost: ghcr.io\n"
    edit = {"edits": [{"path": "values.yaml", "content": fixed}], "explanation": "define the value"}
    model = ScriptedChatModel([tool_reply("ChartFileEdits", edit)] * 4)
    running_bot.bot.session.llm = model
    fake.add_workflow_job(
        OWNER,
        REPO,
        run_id=9003,
        job_name="template",
        head_sha=before,
        log=ci_log("helm-template-nil-pointer.log"),
    )

    running_bot.deliver(
        "workflow_run",
        failed_workflow_run(fake, FULL_NAME, pull, run_id=9003, installation_id=INSTALLATION_ID),
    )
    running_bot.wait_idle()

    assert model.calls == 1
    after = fake.git.branch_sha(OWNER, REPO, head_ref)
    assert after is not None and after != before
    assert _file(fake, head_ref, "charts/nginx/values.yaml") == fixed
    prompt = str(model.prompts[0][-1].content)
    assert "templates/deployment.yaml" in prompt and "nil pointer evaluating interface {}.host" in prompt
    (ours,) = [r for r in fake.check_runs.values() if r.head_sha == after and r.name == CHECK_NAME]
    assert "model calls: 1 of at most 1" in (ours.summary or "")


def test_an_actions_check_run_without_output_is_read_from_its_jobs_log(
    running_bot: RunningBot, fake_github: FakeGitHub, pull: int
) -> None:
    """GitHub Actions' check runs carry no tool output, but share their id with the job: its log is read."""
    fake = fake_github
    head_ref = fake.pulls[(FULL_NAME, pull)].head
    before = fake.git.branch_sha(OWNER, REPO, head_ref)
    assert before is not None
    check = other_apps_check_run(
        fake, FULL_NAME, pull, text="", name="lint-test", installation_id=INSTALLATION_ID
    )
    check["check_run"]["app"]["slug"] = "github-actions"
    fake.add_workflow_job(
        OWNER,
        REPO,
        run_id=9004,
        job_name="lint-test",
        head_sha=before,
        log=ci_log("ct-lint-version-bump.log"),
        job_id=check["check_run"]["id"],
    )

    running_bot.deliver("check_run", check)
    running_bot.wait_idle()

    assert yaml.safe_load(_file(fake, head_ref, "charts/nginx/Chart.yaml"))["version"] == "0.1.1"


def test_a_log_about_another_chart_leaves_the_heal_to_our_validator(
    running_bot: RunningBot, fake_github: FakeGitHub, pull: int
) -> None:
    fake = fake_github
    head_ref = fake.pulls[(FULL_NAME, pull)].head
    values = _file(fake, head_ref, "charts/nginx/values.yaml")
    human = fake.push_commit(
        OWNER,
        REPO,
        head_ref,
        {"charts/nginx/values.yaml": values.replace("replicaCount: 1", 'replicaCount: "1"', 1)},
    )
    other = (LOGS / "ct-lint-version-bump.log").read_text().replace("shop", "billing")
    fake.add_workflow_job(OWNER, REPO, run_id=9005, job_name="lint", head_sha=human, log=other)

    running_bot.deliver(
        "workflow_run",
        failed_workflow_run(fake, FULL_NAME, pull, run_id=9005, installation_id=INSTALLATION_ID),
    )
    running_bot.wait_idle()

    assert (
        yaml.safe_load(_file(fake, head_ref, "charts/nginx/values.yaml"))["replicaCount"] == 1
    )  # healed as before
    assert (
        yaml.safe_load(_file(fake, head_ref, "charts/nginx/Chart.yaml"))["version"] == "0.1.0"
    )  # not billing's bump
    assert not [b for b in bot_comments(fake, pull) if "What CI printed" in b]
