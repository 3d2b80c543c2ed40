"""No feedback loops: the bot ignores itself, caps heal attempts per head, and stops after N own commits."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from bot import messages
from bot.commands import Ignore, parse_comment
from tests.adversarial.conftest import FULL_NAME, HostileBot, shared_bot
from tests.conftest import INSTALLATION_ID, OWNER, REPO, AppKeys
from tests.e2e.harness import bot_comments
from tests.fakes.github_server import FakeGitHub
from tests.fakes.github_state import BOT_EMAIL, BOT_LOGIN
from tests.fakes.payloads import failed_check_run, issue_comment


@pytest.mark.parametrize(
    ("author", "is_bot"),
    [
        (BOT_LOGIN, False),
        (BOT_LOGIN.upper(), False),
        (f" {BOT_LOGIN} ", False),
        ("k8s-autopilot", True),  # the App's user type says Bot even without the suffix
        ("renovate[bot]", False),
        ("github-actions[bot]", False),
    ],
)
def test_comments_by_the_bot_or_other_bots_are_never_commands(author: str, is_bot: bool) -> None:
    for body in ("/autopilot chart nginx", messages.help_text(), "/autopilot fix"):
        parsed = parse_comment(body, bot_login=BOT_LOGIN, author_login=author, author_is_bot=is_bot)
        assert isinstance(parsed, Ignore)


def test_the_bot_does_not_answer_its_own_comments(hostile_bot: HostileBot, fake_github: FakeGitHub) -> None:
    issue = fake_github.new_issue_number(FULL_NAME)
    payload = issue_comment(
        fake_github, FULL_NAME, issue, "/autopilot help", user="alice", installation_id=INSTALLATION_ID
    )
    hostile_bot.deliver("issue_comment", payload)
    hostile_bot.wait_idle()
    (reply,) = bot_comments(fake_github, issue)
    # GitHub sends the bot's own reply back as a webhook: answering it would loop forever
    echo = issue_comment(
        fake_github, FULL_NAME, issue, reply, user=BOT_LOGIN, installation_id=INSTALLATION_ID
    )
    echo["comment"]["user"]["type"] = "Bot"
    for delivery in ("echo-1", "echo-2"):
        hostile_bot.deliver("issue_comment", echo, delivery=delivery)
    hostile_bot.wait_idle()
    assert bot_comments(fake_github, issue) == [reply, reply]  # its reply, and the echo the fake recorded
    assert not fake_github.calls_to(r"/reactions$", "POST")[1:]  # one 👀, for alice's command only


def _chart_with_config(bot: HostileBot, fake: FakeGitHub, config: str) -> tuple[int, int, str]:
    """Push `config`, ask for nginx, return (issue, PR number, branch)."""
    fake.push_commit(OWNER, REPO, "main", {".github/autopilot.yml": config}, message="autopilot config")
    issue = fake.new_issue_number(FULL_NAME)
    ask = issue_comment(
        fake, FULL_NAME, issue, "/autopilot chart nginx", user="alice", installation_id=INSTALLATION_ID
    )
    bot.deliver("issue_comment", ask)
    bot.wait_idle()
    pull = next(p for (full, _), p in fake.pulls.items() if full == FULL_NAME)
    return issue, pull.number, pull.head


def _fail_ci(bot: HostileBot, fake: FakeGitHub, number: int, times: int) -> None:
    for _ in range(times):
        bot.deliver("check_run", failed_check_run(fake, FULL_NAME, number, installation_id=INSTALLATION_ID))
        bot.wait_idle()


def _escalations(fake: FakeGitHub, number: int) -> list[str]:
    return [
        b
        for b in bot_comments(fake, number)
        if "Self-heal" in b or "escalat" in b.lower() or "needs a human" in b
    ]


def test_heal_attempts_are_capped_per_head_commit(hostile_bot: HostileBot, fake_github: FakeGitHub) -> None:
    config = "charts_dir: charts\nkube_versions: ['1.30.0']\nmax_heal_attempts: 1\n"
    _, number, branch = _chart_with_config(hostile_bot, fake_github, config)
    head = fake_github.git.branch_sha(OWNER, REPO, branch)
    _fail_ci(hostile_bot, fake_github, number, times=3)  # CI keeps failing on the same head
    said = bot_comments(fake_github, number)
    _fail_ci(hostile_bot, fake_github, number, times=2)
    assert bot_comments(fake_github, number) == said  # past the cap: silence, not one comment per failure
    assert fake_github.git.branch_sha(OWNER, REPO, branch) == head
    assert (
        len(fake_github.git.log_authors(OWNER, REPO, branch))
        == len(fake_github.git.log_authors(OWNER, REPO, "main")) + 1
    )
    assert len(said) <= 3  # at most: the heal note, the escalation and its check note


def _loop_on_a_bot_commit(bot: HostileBot, fake: FakeGitHub) -> tuple[int, str, str]:
    """A chart, then a commit authored as the bot that breaks CI, then three CI failures on it."""
    config = "charts_dir: charts\nkube_versions: ['1.30.0']\nmax_bot_commits_in_a_row: 1\n"
    _, number, branch = _chart_with_config(bot, fake, config)
    values = fake.git.read_file(OWNER, REPO, branch, "charts/nginx/values.yaml")
    assert values is not None
    broken = values.decode().replace("replicaCount: 1", 'replicaCount: "1"', 1)
    assert broken != values.decode()
    # a commit authored as the bot broke CI (the loop case): the bot must not answer it with another commit
    looped = fake.push_commit(
        OWNER,
        REPO,
        branch,
        {"charts/nginx/values.yaml": broken},
        message="fix(chart): x",
        author=(BOT_LOGIN, BOT_EMAIL),
    )
    _fail_ci(bot, fake, number, times=3)
    return number, branch, looped


@dataclass(frozen=True)
class LoopStory:
    fake: FakeGitHub
    number: int
    branch: str
    looped: str


@pytest.fixture(scope="module")
def loop_story(app_keys: AppKeys, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoopStory]:
    """One run of the loop case, read by the tests below (it is the slow part)."""
    with shared_bot(app_keys, tmp_path_factory.mktemp("loop") / "data") as (fake, bot):
        yield LoopStory(fake, *_loop_on_a_bot_commit(bot, fake))


def test_bot_stops_committing_after_n_commits_in_a_row(loop_story: LoopStory) -> None:
    fake = loop_story.fake
    assert fake.git.branch_sha(OWNER, REPO, loop_story.branch) == loop_story.looped  # no further bot commit
    assert _escalations(fake, loop_story.number)  # and a human is asked to look


def test_bot_says_it_stopped_once(loop_story: LoopStory) -> None:
    assert len(_escalations(loop_story.fake, loop_story.number)) == 1
