"""The whole story through the real server and signed webhooks in GitHub's shapes.

ask (with a question) → answer → branch, PR and check run → a human breaks the chart and CI
fails → self-heal commits on top of the human → changes requested → revision commit →
approvals by the requester or a reader do not count → another maintainer approves → finalised.
"""

from __future__ import annotations

import yaml

from bot import messages
from bot.publish import CHECK_NAME
from tests.e2e.harness import FULL_NAME, INSTALLATION_ID, OWNER, REPO, RunningBot, bot_comments
from tests.fakes.github_server import FakeGitHub
from tests.fakes.github_state import BOT_EMAIL, BOT_LOGIN
from tests.fakes.payloads import failed_check_run, issue_comment, review

REQUEST = (
    "/autopilot chart a django app on ghcr.io/acme/shop:1.4, port 8000, postgres via existing secret, "
    "3 replicas, autoscale to 10, traefik host shop.example.com"
)
CONFIG = "charts_dir: charts\nkube_versions: ['1.30.0']\ndraft_prs: true\n"
BRANCH = "autopilot/shop"


def _file(fake: FakeGitHub, ref: str, path: str) -> str:
    data = fake.git.read_file(OWNER, REPO, ref, path)
    assert data is not None, f"{path} missing at {ref}"
    return data.decode()


def _status(fake: FakeGitHub, number: int) -> list[str]:
    wanted = messages.marker("status", f"{FULL_NAME}#{number}")
    return [body for body in bot_comments(fake, number) if wanted in body]


def test_request_to_approved_chart(running_bot: RunningBot, fake_github: FakeGitHub) -> None:
    fake = fake_github
    fake.push_commit(OWNER, REPO, "main", {".github/autopilot.yml": CONFIG}, message="autopilot: draft PRs")
    issue = fake.new_issue_number(FULL_NAME)

    # 1. The request needs an answer: 👀, one status comment, one question.
    ask = issue_comment(fake, FULL_NAME, issue, REQUEST, user="alice", installation_id=INSTALLATION_ID)
    assert running_bot.deliver("issue_comment", ask).status_code == 202
    running_bot.wait_idle()
    assert (BOT_LOGIN, "eyes") in fake.comments[ask["comment"]["id"]].reactions
    questions = [
        b for b in bot_comments(fake, issue) if messages.marker("question", f"{FULL_NAME}#{issue}") in b
    ]
    assert len(questions) == 1 and "Which existing Secret holds DATABASE_URL?" in questions[0]
    assert len(_status(fake, issue)) == 1
    assert fake.git.branch_sha(OWNER, REPO, BRANCH) is None

    # 2. A plain reply from the requester answers it: branch, chart, draft PR, green check.
    reply = issue_comment(fake, FULL_NAME, issue, "shop-db", user="alice", installation_id=INSTALLATION_ID)
    running_bot.deliver("issue_comment", reply)
    running_bot.wait_idle()
    first = fake.git.branch_sha(OWNER, REPO, BRANCH)
    assert first is not None
    chart = yaml.safe_load(_file(fake, BRANCH, "charts/shop/Chart.yaml"))
    assert chart["name"] == "shop"
    assert "shop-db" in _file(fake, BRANCH, "charts/shop/values.yaml")
    info = fake.git.commit_info(OWNER, REPO, first)
    assert info.author_email == BOT_EMAIL and info.message.startswith("feat(chart): add shop chart")
    pulls = [p for (full, _), p in fake.pulls.items() if full == FULL_NAME]
    assert len(pulls) == 1
    pull = pulls[0]
    assert (pull.head, pull.base, pull.draft) == (BRANCH, "main", True)
    assert pull.body and f"Closes #{issue}." in pull.body and "| `replicas` | 3 |" in pull.body
    checks = [r for r in fake.check_runs.values() if r.head_sha == first and r.name == CHECK_NAME]
    assert len(checks) == 1 and checks[0].conclusion == "success"
    assert all(a["path"].startswith("charts/shop/") for a in checks[0].annotations)
    assert "☑ Open the pull request" in _status(fake, issue)[0]

    # 3. A human breaks the chart on the branch; CI fails; the heal commit goes on top of theirs.
    values = _file(fake, BRANCH, "charts/shop/values.yaml")
    broken = values.replace("replicaCount: 3", 'replicaCount: "3"', 1)
    assert broken != values
    human = fake.push_commit(
        OWNER, REPO, BRANCH, {"charts/shop/values.yaml": broken}, message="quote replicas"
    )
    running_bot.deliver(
        "check_run", failed_check_run(fake, FULL_NAME, pull.number, installation_id=INSTALLATION_ID)
    )
    running_bot.wait_idle()
    healed = fake.git.branch_sha(OWNER, REPO, BRANCH)
    assert healed is not None and healed != human
    heal = fake.git.commit_info(OWNER, REPO, healed)
    assert heal.message.startswith("fix(chart): ") and heal.author_email == BOT_EMAIL
    assert heal.parents == [human]
    assert yaml.safe_load(_file(fake, BRANCH, "charts/shop/values.yaml"))["replicaCount"] == 3
    assert any("pushed" in body and healed[:12] in body for body in bot_comments(fake, pull.number))

    # 4. Changes requested: the review becomes a revision commit on top.
    changes = review(
        fake,
        FULL_NAME,
        pull.number,
        user="bob",
        state="changes_requested",
        body="use 2 replicas, add ingress for shop.example.com",
        installation_id=INSTALLATION_ID,
    )
    running_bot.deliver("pull_request_review", changes)
    running_bot.wait_idle()
    revised = fake.git.branch_sha(OWNER, REPO, BRANCH)
    assert revised is not None and revised != healed
    revision = fake.git.commit_info(OWNER, REPO, revised)
    assert revision.parents == [healed] and revision.message.startswith("chore(chart): revise")
    new_values = yaml.safe_load(_file(fake, BRANCH, "charts/shop/values.yaml"))
    assert new_values["replicaCount"] == 2
    assert new_values["ingress"]["enabled"] is True
    assert any("Applied your feedback" in body for body in bot_comments(fake, pull.number))

    # 5. Neither the requester's own approval nor a reader's finalises; another maintainer's does.
    own = review(
        fake, FULL_NAME, pull.number, user="alice", state="approved", installation_id=INSTALLATION_ID
    )
    running_bot.deliver("pull_request_review", own)
    running_bot.wait_idle()
    assert fake.pulls[(FULL_NAME, pull.number)].draft is True
    assert any("does not finalise" in body for body in bot_comments(fake, pull.number))

    reader = review(
        fake, FULL_NAME, pull.number, user="mallory", state="approved", installation_id=INSTALLATION_ID
    )
    running_bot.deliver("pull_request_review", reader)
    running_bot.wait_idle()
    assert fake.pulls[(FULL_NAME, pull.number)].draft is True
    assert any(
        "@mallory does not finalise" in b and "**write** access" in b for b in bot_comments(fake, pull.number)
    )

    approve = review(
        fake, FULL_NAME, pull.number, user="bob", state="approved", installation_id=INSTALLATION_ID
    )
    running_bot.deliver("pull_request_review", approve)
    running_bot.wait_idle()
    assert fake.pulls[(FULL_NAME, pull.number)].draft is False
    status = _status(fake, issue)
    assert len(status) == 1 and "Approved:" in status[0]
    assert running_bot.bot.store.get_run(f"{FULL_NAME}#{issue}").stage == "closed"  # type: ignore[union-attr]
    assert fake.git.branch_sha(OWNER, REPO, BRANCH) == revised  # finalising pushes nothing

    # 6. The story is visible in /metrics: deliveries, stages reached, heal attempts, GitHub calls.
    metrics = running_bot.client.get("/metrics").text
    assert 'autopilot_webhook_deliveries_total{event="issue_comment",outcome="queued"}' in metrics
    assert 'autopilot_runs_total{stage="review"}' in metrics
    assert 'autopilot_runs_total{stage="closed"}' in metrics
    assert 'autopilot_heal_attempts_total{result="healed"}' in metrics
    assert 'autopilot_github_api_calls_total{route="pulls.create",status="ok"}' in metrics
