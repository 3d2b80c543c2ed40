"""The events the bot subscribes to, the events it handles and the events the docs list are the same set.

Read both ways: an event subscribed without a handler costs every delivery (in the Action, a whole
workflow run) for nothing; a handler for an event nobody subscribes to never runs.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.handlers import ROUTER

ROOT = Path(__file__).parents[2]
# The App's events the respond workflow leaves out, each for a reason docs/action.md gives.
NOT_IN_THE_ACTION = {"check_run", "check_suite", "pull_request"}


def _routes() -> set[tuple[str, str]]:
    return {(event, action) for event, action, _ in ROUTER.routes}


def _doc_table(doc: str, name: str) -> set[tuple[str, str]]:
    """`(event, action)` rows of the table between `<!-- events:NAME -->` markers."""
    text = (ROOT / doc).read_text()
    block = re.search(rf"<!-- events:{name} -->(.*?)<!-- /events:{name} -->", text, re.S)
    assert block is not None, f"{doc} has no events:{name} table"
    rows = re.findall(r"^\s*\| `([a-z_]+)` \| `([a-z_]+)` \|", block.group(1), re.M)
    assert rows, f"the events:{name} table of {doc} is empty"
    return set(rows)


def _workflow_events() -> set[tuple[str, str]]:
    workflow = yaml.safe_load((ROOT / "examples/workflows/autopilot-respond.yml").read_text())
    on = workflow[True]  # YAML 1.1 reads the key `on` as a boolean
    return {(event, kind) for event, spec in on.items() for kind in spec["types"]}


def test_app_manifest_subscribes_to_exactly_the_handled_events() -> None:
    manifest = yaml.safe_load((ROOT / "app.yml").read_text())
    assert set(manifest["default_events"]) == {event for event, _ in _routes()}


def test_app_docs_list_exactly_the_routes() -> None:
    assert _doc_table("docs/app.md", "app") == _routes()


def test_respond_workflow_subscribes_to_handled_events_and_leaves_out_only_the_documented_ones() -> None:
    subscribed = _workflow_events()
    assert subscribed <= _routes()
    left_out = {event for event, _ in _routes()} - {event for event, _ in subscribed}
    assert left_out == NOT_IN_THE_ACTION
    action_doc = (ROOT / "docs/action.md").read_text()
    for event in NOT_IN_THE_ACTION:
        assert f"`{event}`" in action_doc.split("<!-- /events:action -->", 1)[1]


def test_action_docs_list_exactly_the_workflow_events() -> None:
    assert _doc_table("docs/action.md", "action") == _workflow_events()
