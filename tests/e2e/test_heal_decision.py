"""The CI heal pushes only what is better: a human's mis-indented `template:` is either healed at
the right depth by a bot commit, or nothing is pushed and the escalation shows the proposed diff."""

from __future__ import annotations

from bot import messages
from tests.e2e.harness import FULL_NAME, INSTALLATION_ID, OWNER, REPO, RunningBot, bot_comments
from tests.fakes.github_server import FakeGitHub
from tests.fakes.github_state import BOT_EMAIL
from tests.fakes.payloads import failed_check_run, issue_comment

REQUEST = "/autopilot chart a django app on ghcr.io/acme/shop:1.4, port 8000, postgres via existing secret"
CONFIG = "charts_dir: charts\nkube_versions: ['1.33.0']\n"
BRANCH = "autopilot/shop"
DEPLOYMENT = "charts/shop/templates/deployment.yaml"


def _open_pull(running_bot: RunningBot, fake: FakeGitHub) -> int:
    fake.push_commit(OWNER, REPO, "main", {".github/autopilot.yml": CONFIG}, message="autopilot config")
    issue = fake.new_issue_number(FULL_NAME)
    for text in (REQUEST, "shop-db"):
        comment = issue_comment(fake, FULL_NAME, issue, text, user="alice", installation_id=INSTALLATION_ID)
        running_bot.deliver("issue_comment", comment)
        running_bot.wait_idle()
    [pull] = [p for (full, _), p in fake.pulls.items() if full == FULL_NAME]
    return pull.number


def test_a_mis_indented_template_is_healed_at_its_depth_or_escalated_with_the_diff(
    running_bot: RunningBot, fake_github: FakeGitHub
) -> None:
    fake = fake_github
    number = _open_pull(running_bot, fake)
    original = fake.git.read_file(OWNER, REPO, BRANCH, DEPLOYMENT)
    assert original is not None
    text = original.decode()
    assert "\n  template:\n" in text
    human = fake.push_commit(
        OWNER,
        REPO,
        BRANCH,
        {DEPLOYMENT: text.replace("\n  template:\n", "\n   template:\n", 1)},
        message="tweak the deployment",
    )

    running_bot.deliver(
        "check_run", failed_check_run(fake, FULL_NAME, number, installation_id=INSTALLATION_ID)
    )
    running_bot.wait_idle()

    head = fake.git.branch_sha(OWNER, REPO, BRANCH)
    comments = bot_comments(fake, number)
    escalation = messages.marker("escalation", f"{FULL_NAME}#{number}")
    if head == human:  # nothing pushed: the escalation must show what was proposed and what is left
        [escalated] = [body for body in comments if escalation in body]
        assert "```diff" in escalated and "template:" in escalated
        return
    commit = fake.git.commit_info(OWNER, REPO, head)
    assert commit.parents == [human] and commit.message.startswith("fix(chart): ")
    healed = fake.git.read_file(OWNER, REPO, head, DEPLOYMENT)
    assert healed is not None and healed.decode() == text  # back at its depth under spec, nothing else
    assert not [body for body in comments if escalation in body]
    assert any("pushed" in body and head[:12] in body for body in comments)
    assert commit.author_email == BOT_EMAIL
