"""The other verbs through the real server: status, cancel, plan, answer without a run, validate, and the heal budget."""

from __future__ import annotations

from bot import messages
from tests.e2e.harness import FULL_NAME, INSTALLATION_ID, OWNER, REPO, RunningBot, bot_comments
from tests.fakes.github_server import FakeGitHub
from tests.fakes.payloads import failed_check_run, issue_comment

THREAD = f"{FULL_NAME}#1"
DJANGO = (
    "/autopilot chart a django app on ghcr.io/acme/shop:1.4, port 8000, postgres via existing secret, "
    "traefik host shop.example.com"
)


def _say(
    bot: RunningBot, fake: FakeGitHub, body: str, number: int = 1, *, is_pull: bool = False
) -> list[str]:
    """Deliver one comment by alice; return the bot comments that appeared on `number` because of it."""
    before = len(bot_comments(fake, number))
    payload = issue_comment(
        fake, FULL_NAME, number, body, user="alice", installation_id=INSTALLATION_ID, is_pull=is_pull
    )
    assert bot.deliver("issue_comment", payload).status_code == 202
    bot.wait_idle()
    return bot_comments(fake, number)[before:]


def test_status_cancel_and_answers_around_an_open_question(
    running_bot: RunningBot, fake_github: FakeGitHub
) -> None:
    fake = fake_github
    assert _say(running_bot, fake, "/autopilot answer 8080") == [messages.no_run(THREAD, "answer")]

    asked = _say(running_bot, fake, DJANGO)
    assert any("Which existing Secret holds DATABASE_URL?" in body for body in asked)
    (status,) = _say(running_bot, fake, "/autopilot status")
    assert "Stage: **questions**" in status

    assert _say(running_bot, fake, "/autopilot cancel") == [messages.cancelled(THREAD, "alice")]
    state = running_bot.bot.session.state(THREAD)
    assert state is not None and state.outcome == "cancelled"
    assert _say(running_bot, fake, "shop-db") == []  # no open question any more: a plain comment
    assert _say(running_bot, fake, "/autopilot cancel") == [messages.nothing_to_cancel(THREAD)]
    assert fake.git.branches(OWNER, REPO) == ["main"]


def test_plan_shows_the_table_and_writes_nothing(running_bot: RunningBot, fake_github: FakeGitHub) -> None:
    (reply,) = _say(running_bot, fake_github, "/autopilot plan nginx --set replicas=2")
    assert "| `replicas` | 2 |" in reply and "nothing written yet" in reply
    assert fake_github.git.branches(OWNER, REPO) == ["main"]
    assert running_bot.bot.session.state(THREAD) is None


def test_validate_revise_and_heal_budget_on_the_pr(running_bot: RunningBot, fake_github: FakeGitHub) -> None:
    fake = fake_github
    config = "charts_dir: charts\nkube_versions: ['1.30.0']\nmax_heal_attempts: 1\n"
    fake.push_commit(OWNER, REPO, "main", {".github/autopilot.yml": config})
    fake.new_issue_number(FULL_NAME)
    _say(running_bot, fake, "/autopilot chart nginx")
    (pull,) = fake.pulls.values()

    (validated,) = _say(running_bot, fake, "/autopilot validate", pull.number, is_pull=True)
    assert "Validation of `charts/nginx` ✅ passes" in validated

    before = fake.git.branch_sha(OWNER, REPO, pull.head)
    (revised,) = _say(running_bot, fake, "/autopilot revise use 2 replicas", pull.number, is_pull=True)
    assert "Applied your feedback" in revised and "replicas set to 2" in revised
    assert "```diff\n--- values.yaml (before)\n+++ values.yaml\n" in revised
    assert "\n-replicaCount: 1\n+replicaCount: 2\n" in revised
    assert "diagram in the pull request description" in revised  # Deployment ×1 became ×2
    assert "Deployment nginx ×2" in fake.pulls[(FULL_NAME, pull.number)].body
    head = fake.git.branch_sha(OWNER, REPO, pull.head)
    assert head != before and head is not None and head[:12] in revised

    # A human adds a template no fixer can repair; CI fails twice on that same commit.
    broken = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.name | nosuchfunction }}\n"
    human = fake.push_commit(OWNER, REPO, pull.head, {"charts/nginx/templates/extra.yaml": broken})
    for _ in range(2):
        running_bot.deliver(
            "check_run", failed_check_run(fake, FULL_NAME, pull.number, installation_id=INSTALLATION_ID)
        )
        running_bot.wait_idle()
    assert fake.git.branch_sha(OWNER, REPO, pull.head) == human  # nothing to commit on top
    escalations = [b for b in bot_comments(fake, pull.number) if messages.marker("escalation", THREAD) in b]
    assert len(escalations) == 1 and "templates/extra.yaml" in escalations[0]
    assert "I used all 1 fix attempt(s) that `max_heal_attempts` allows" in escalations[0]
