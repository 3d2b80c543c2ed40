"""One conversation through the real server costs one installation token and one bot-user lookup,
and every commit is authored by `<bot user id>+<slug>[bot]@users.noreply.github.com`."""

from __future__ import annotations

from tests.e2e.harness import FULL_NAME, INSTALLATION_ID, OWNER, REPO, RunningBot
from tests.fakes.github_server import FakeGitHub
from tests.fakes.github_state import BOT_EMAIL
from tests.fakes.payloads import issue_comment


def _say(bot: RunningBot, fake: FakeGitHub, body: str, number: int, *, is_pull: bool = False) -> None:
    payload = issue_comment(
        fake, FULL_NAME, number, body, user="alice", installation_id=INSTALLATION_ID, is_pull=is_pull
    )
    assert bot.deliver("issue_comment", payload).status_code == 202
    bot.wait_idle()


def test_a_conversation_mints_one_token_and_commits_as_the_app(
    running_bot: RunningBot, fake_github: FakeGitHub
) -> None:
    fake = fake_github
    issue = fake.new_issue_number(FULL_NAME)
    _say(running_bot, fake, "/autopilot chart nginx", issue)
    (pull,) = fake.pulls.values()
    for command in ("/autopilot revise use 2 replicas", "/autopilot validate", "/autopilot status"):
        _say(running_bot, fake, command, pull.number, is_pull=True)

    assert len(fake.calls_to(r"/access_tokens$", "POST")) == 1
    assert len(fake.calls_to(r"/users/[^/]+$", "GET")) == 1
    authors = fake.git.log_authors(OWNER, REPO, pull.head)
    assert authors.count(BOT_EMAIL) == 2  # the chart and its revision
