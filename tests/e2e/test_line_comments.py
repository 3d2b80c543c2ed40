"""A line comment on a chart file of the bot's PR revises the chart and is answered in its thread."""

from __future__ import annotations

import yaml

from bot import messages
from tests.e2e.harness import FULL_NAME, INSTALLATION_ID, OWNER, REPO, RunningBot
from tests.fakes.github_server import FakeGitHub
from tests.fakes.github_state import BOT_LOGIN, FakePull
from tests.fakes.payloads import issue_comment, line_comment

CONFIG = "charts_dir: charts\nkube_versions: ['1.30.0']\n"
VALUES = "charts/nginx/values.yaml"


def _open_chart_pull(bot: RunningBot, fake: FakeGitHub) -> FakePull:
    fake.push_commit(OWNER, REPO, "main", {".github/autopilot.yml": CONFIG})
    issue = fake.new_issue_number(FULL_NAME)
    ask = issue_comment(
        fake, FULL_NAME, issue, "/autopilot chart nginx", user="alice", installation_id=INSTALLATION_ID
    )
    bot.deliver("issue_comment", ask)
    bot.wait_idle()
    (pull,) = fake.pulls.values()
    return pull


def _comment_on(
    bot: RunningBot, fake: FakeGitHub, pull: FakePull, body: str, *, user: str = "alice", path: str = VALUES
) -> int:
    payload = line_comment(
        fake, FULL_NAME, pull.number, user=user, path=path, line=3, body=body, installation_id=INSTALLATION_ID
    )
    assert bot.deliver("pull_request_review_comment", payload).status_code == 202
    bot.wait_idle()
    return int(payload["comment"]["id"])


def _thread_replies(fake: FakeGitHub, comment_id: int) -> list[str]:
    return [c.body for c in fake.review_comments if c.in_reply_to_id == comment_id]


def test_line_comment_on_values_revises_the_chart_and_replies_in_the_thread(
    running_bot: RunningBot, fake_github: FakeGitHub
) -> None:
    fake = fake_github
    pull = _open_chart_pull(running_bot, fake)
    before = fake.git.branch_sha(OWNER, REPO, pull.head)

    comment_id = _comment_on(running_bot, fake, pull, "use 3 replicas here")

    head = fake.git.branch_sha(OWNER, REPO, pull.head)
    assert head is not None and head != before
    values = yaml.safe_load(fake.git.read_file(OWNER, REPO, pull.head, VALUES) or b"")
    assert values["replicaCount"] == 3
    (reply,) = _thread_replies(fake, comment_id)
    assert "replicas set to 3" in reply and head[:12] in reply
    (recorded,) = [c for c in fake.review_comments if c.in_reply_to_id == comment_id]
    assert recorded.user["login"] == BOT_LOGIN and recorded.path == VALUES


def test_line_comments_the_bot_leaves_alone(running_bot: RunningBot, fake_github: FakeGitHub) -> None:
    fake = fake_github
    pull = _open_chart_pull(running_bot, fake)
    before = fake.git.branch_sha(OWNER, REPO, pull.head)

    elsewhere = _comment_on(running_bot, fake, pull, "use 3 replicas here", path="README.md")
    in_a_review = line_comment(
        fake,
        FULL_NAME,
        pull.number,
        user="alice",
        path=VALUES,
        line=3,
        body="use 4 replicas",
        review_state="CHANGES_REQUESTED",  # the review's own event carries it: one commit, not two
        installation_id=INSTALLATION_ID,
    )
    running_bot.deliver("pull_request_review_comment", in_a_review)
    running_bot.wait_idle()

    assert fake.git.branch_sha(OWNER, REPO, pull.head) == before
    assert _thread_replies(fake, elsewhere) == []
    assert _thread_replies(fake, int(in_a_review["comment"]["id"])) == []


def test_line_comment_by_a_reader_is_refused_in_the_thread(
    running_bot: RunningBot, fake_github: FakeGitHub
) -> None:
    fake = fake_github
    pull = _open_chart_pull(running_bot, fake)
    before = fake.git.branch_sha(OWNER, REPO, pull.head)

    comment_id = _comment_on(running_bot, fake, pull, "use 3 replicas here", user="mallory")

    assert fake.git.branch_sha(OWNER, REPO, pull.head) == before
    (reply,) = _thread_replies(fake, comment_id)
    assert reply.startswith(messages.marker("refusal", f"{FULL_NAME}#1")) and "@mallory" in reply
