"""Comment → pull request latency of the App, stage by stage, against the test suite's fake GitHub.

    .venv/bin/python -m bench.latency            # 1 warm-up + 5 measured conversations
    .venv/bin/python -m bench.latency --runs 9

Each run starts a fresh fake GitHub (REST + git over HTTP on 127.0.0.1) and a fresh bot
(`build_bot`, the App's composition root, behind its ASGI app) and delivers one signed
`/autopilot chart nginx` comment. The bot process stays warm between runs, as a server does: the
first conversation (imports, checkov's checks, schemas) is a warm-up and not counted.

Stages, from the moment the signed delivery is posted: the webhook's answer (ack), the 👀 reaction,
the graph's plan / generate / validate nodes, the clone, the local commit, the push, the pull
request and the check run. Target: comment → pull request opened under 2 s median.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agents.graph import ChartSession  # noqa: E402
from agents.state import ChartState  # noqa: E402
from tests.conftest import APP_ID, INSTALLATION_ID, OWNER, REPO, SEED_FILES, make_app_keys  # noqa: E402
from tests.e2e.harness import FULL_NAME, RunningBot, seed_permissions  # noqa: E402
from tests.fakes.github_server import FakeGitHub  # noqa: E402
from tests.fakes.github_state import CallRecord  # noqa: E402
from tests.fakes.payloads import issue_comment  # noqa: E402

TARGET_SECONDS = 2.0
COMMAND = "/autopilot chart nginx"
STAGES = ("ack", "reaction", "plan", "generate", "validate", "clone", "commit", "push", "pr", "check_run")


def _first(calls: list[CallRecord], method: str, needle: str) -> CallRecord:
    for call in calls:
        if call.method == method and needle in call.path + "?" + call.query:
            return call
    raise SystemExit(f"the bot never sent {method} …{needle}: the run did not finish as expected")


def one_conversation(keys_private: str, keys_public: str, workdir: Path) -> dict[str, float]:
    """Seconds from the delivery to the end of each stage, for one `/autopilot chart nginx`."""
    node_started: dict[str, float] = {}

    def on_node(name: str, _state: ChartState) -> None:
        node_started.setdefault(name, time.perf_counter())

    with FakeGitHub() as fake:
        fake.register_app(APP_ID, keys_public)
        fake.add_installation(INSTALLATION_ID, OWNER, app_id=APP_ID)
        fake.add_repo(OWNER, REPO, installation_id=INSTALLATION_ID, files=SEED_FILES)
        seed_permissions(fake, alice="write")
        bot = RunningBot(fake, keys_private, workdir)
        try:
            saver: Any = bot.bot.session.graph.checkpointer
            bot.bot.session = ChartSession(saver, on_node=on_node)
            issue = fake.new_issue_number(FULL_NAME)
            payload = issue_comment(
                fake, FULL_NAME, issue, COMMAND, user="alice", installation_id=INSTALLATION_ID
            )
            sent = time.perf_counter()
            answer = bot.deliver("issue_comment", payload)
            acked = time.perf_counter()
            if answer.status_code != 202:
                raise SystemExit(f"the webhook answered {answer.status_code}: {answer.text}")
            bot.wait_idle()
            calls = list(fake.calls)
        finally:
            bot.close()
    after_validate = min((t for n, t in node_started.items() if t > node_started["validate"]), default=None)
    clone = _first(calls, "POST", "git-upload-pack")
    push_begins = _first(calls, "GET", "service=git-receive-pack")
    push = _first(calls, "POST", "git-receive-pack")
    ends = {
        "ack": acked,
        "reaction": _first(calls, "POST", "/reactions").finished,
        "plan": node_started["generate"],
        "generate": node_started["validate"],
        "validate": after_validate or clone.started,
        "clone": clone.finished,
        "commit": push_begins.started,
        "push": push.finished,
        "pr": _first(calls, "POST", f"/repos/{FULL_NAME}/pulls").finished,
        "check_run": _first(calls, "POST", "/check-runs").finished,
    }
    return {stage: ends[stage] - sent for stage in STAGES}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--runs", type=int, default=5, help="measured conversations after one warm-up (default 5)"
    )
    args = parser.parse_args(argv)
    keys = make_app_keys()
    runs: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="autopilot-latency-") as tmp:
        for i in range(args.runs + 1):
            offsets = one_conversation(keys.private_pem, keys.public_pem, Path(tmp) / f"run-{i}")
            if i:
                runs.append(offsets)
    print(f"{'stage':<10} {'ends at (median)':>17} {'takes (median)':>15}")
    for index, stage in enumerate(STAGES):
        ends_at = statistics.median(r[stage] for r in runs)
        takes = statistics.median(r[stage] - (r[STAGES[index - 1]] if index else 0.0) for r in runs)
        print(f"{stage:<10} {ends_at * 1000:>14.0f} ms {takes * 1000:>12.0f} ms")
    pr_opened = statistics.median(r["pr"] for r in runs)
    verdict = "meets" if pr_opened < TARGET_SECONDS else "misses"
    print(
        f"comment → pull request opened: median {pr_opened:.2f} s over {len(runs)} runs (every run: "
        + ", ".join(f"{r['pr']:.2f}" for r in runs)
        + ")"
    )
    print(
        f"target < {TARGET_SECONDS} s — {verdict} it (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
