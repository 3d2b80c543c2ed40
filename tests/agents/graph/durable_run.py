"""Run one half of a durable conversation in its own process (used by test_durable_resume.py).

`start DB LOG`: start a thread that stops at the clarify interrupt, print READY, then wait to be
killed. `resume DB LOG`: a fresh process answers from the same SQLite file and runs to the end,
printing the outcome as JSON. Every node entry is appended to LOG by the graph's node hook.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from agents.checkpoint import open_checkpointer
from agents.graph import ChartSession
from agents.state import ChartState, GraphOptions

THREAD = "octo-org/charts#7"
ANSWERS = {"image": "ghcr.io/acme/shop:1.4", "ports": "8000"}


def main(phase: str, db: Path, log: Path) -> None:
    def record(node: str, state: ChartState) -> None:
        with log.open("a") as out:
            out.write(json.dumps({"node": node, "answers": state.get("answers") or {}}) + "\n")

    with open_checkpointer(f"sqlite:///{db}", db.parent) as saver:
        session = ChartSession(saver, on_node=record)
        if phase == "start":
            options = GraphOptions(max_heal_attempts=1)
            result = session.start(THREAD, "a web app", options=options, kube_versions=["1.35.0"])
            print(json.dumps({"status": result.status, "kind": result.kind}), flush=True)
            sys.stdin.read()  # the test kills us here: nothing is closed cleanly
            return
        result = session.resume(THREAD, ANSWERS)
        if result.kind == "escalate":  # the chart may still have findings; end the thread either way
            result = session.resume(THREAD, "give_up")
        print(
            json.dumps({"status": result.status, "outcome": result.outcome, "plan": result.plan}), flush=True
        )


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))
