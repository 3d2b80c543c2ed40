"""The bot's heal decision: push only a strictly better chart, else escalate with the proposed diff;
and the repository settings that decide what "better" is judged by (policy, accepted risks)."""

from __future__ import annotations

import pytest

from agents.heal.model import HealResult
from agents.validate.accepted_risks import AcceptedRisk
from bot import messages
from bot.config import RepoConfigError, load_repo_config
from bot.handlers.chart_flow import should_push

DIFF = "--- a/templates/deployment.yaml\n+++ b/templates/deployment.yaml\n@@ -1 +1 @@\n-   template:\n+  template:\n"


@pytest.mark.parametrize(
    ("diff", "improved", "push"),
    [(DIFF, True, True), (DIFF, False, False), ("", True, False), ("", False, False)],
)
def test_only_a_strictly_better_change_is_pushed(diff: str, improved: bool, push: bool) -> None:
    result = HealResult(chart_dir="c", healed=improved, improved=improved, diff=diff)
    assert should_push(result) is push


def test_the_escalation_shows_the_proposed_diff_fenced() -> None:
    body = messages.escalation_comment(
        "o/r#1", 1, [("yaml", "templates/deployment.yaml:12", "bad")], allowed=3, proposed_diff=DIFF
    )
    assert "```diff\n--- a/templates/deployment.yaml" in body
    assert "did not push this proposed change" in body
    assert "| `yaml` |" in body


def test_a_long_proposed_diff_is_truncated_and_cannot_close_the_fence() -> None:
    diff = "".join(f"+line {i}\n" for i in range(200)) + "+```\n"
    section = messages.proposed_diff_section(diff)
    assert section.count("```") == 2  # the fence itself; the diff's own backticks are broken up
    assert "+line 59" in section and "+line 60" not in section
    assert "141 more line(s) not shown" in section


def test_no_proposal_means_no_diff_section() -> None:
    assert "```" not in messages.escalation_comment("o/r#1", 1, [], allowed=3, proposed_diff="")


def test_policy_and_accepted_risks_are_read_from_the_repository_config() -> None:
    config = load_repo_config(
        "policy: baseline\n"
        "accepted_risks:\n"
        "  - rule: security/host-path\n"
        "    object: DaemonSet/*-agent\n"
        "    reason: the agent reads /proc of its node\n"
    )
    options = config.validation_options()
    assert options["policy"] == "baseline"
    assert options["accepted"] == [
        AcceptedRisk(
            rule="security/host-path", object="DaemonSet/*-agent", reason="the agent reads /proc of its node"
        )
    ]
    assert load_repo_config(None).validation_options() == {"policy": "restricted", "accepted": []}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("policy: lax\n", "`policy`"),
        ("accepted_risks:\n  - rule: security/host-path\n", "`accepted_risks.0.reason`"),
        ("accepted_risks:\n  - rule: x\n    reason: '   '\n", "reason"),
        (
            "accepted_risks:\n  - rule: x\n    reason: fine\n    why: 1\n",
            "allowed keys: rule, object, reason",
        ),
    ],
)
def test_a_bad_policy_or_accepted_risk_is_one_sentence(text: str, message: str) -> None:
    with pytest.raises(RepoConfigError, match="autopilot.yml") as caught:
        load_repo_config(text)
    assert message in str(caught.value)
