"""The state kept between Action runs: round trip, replay, and refusal of anything tampered or oversized."""

from __future__ import annotations

import base64
import hashlib
import json
import zlib

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from agents.graph import ChartSession
from bot.action_state import (
    MAX_ENCODED_CHARS,
    ActionState,
    RecordingSession,
    ResumeCall,
    RunFacts,
    StartCall,
    StateRejected,
    StoredComment,
    decode_state,
    find_state_comment,
    replay,
    state_comment,
)

THREAD = "octo-org/charts#1"


def sample_state() -> ActionState:
    return ActionState(
        thread_id=THREAD,
        requester="octo",
        journal=[
            StartCall(request="a django app", sets=["replicas=2"]),
            ResumeCall(value={"image": "ghcr.io/a/b:1"}),
        ],
        run=RunFacts(stage="questions", status_comment_id=1001),
    )


def marker_for(document: dict[str, object], digest: str | None = None) -> str:
    raw = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    data = base64.urlsafe_b64encode(zlib.compress(raw)).decode()
    return (
        f"<!-- autopilot:action-state v=1 sha256={digest or hashlib.sha256(raw).hexdigest()} data={data} -->"
    )


def test_a_state_survives_the_round_trip_through_its_comment() -> None:
    state = sample_state()
    assert decode_state(state_comment(state), THREAD) == state


def test_an_edited_state_is_refused_by_its_checksum() -> None:
    document = sample_state().model_dump(mode="json")
    honest = marker_for(document)
    document["requester"] = "mallory"
    forged = marker_for(document, digest=honest.split("sha256=")[1][:64])
    with pytest.raises(StateRejected, match="checksum"):
        decode_state(forged, THREAD)


def test_a_state_copied_from_another_thread_is_refused() -> None:
    with pytest.raises(StateRejected, match="belongs to octo-org/charts#1, not to octo-org/charts#2"):
        decode_state(state_comment(sample_state()), "octo-org/charts#2")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"run": {"branch": "../../etc"}}, "run.branch"),
        (
            {"journal": [{"call": "start", "request": "x", "sets": ["--post-renderer=/bin/sh"]}]},
            "journal.0.start.sets.0",
        ),
        ({"journal": [{"call": "shell", "command": "rm -rf /"}]}, "journal.0"),
        ({"extra": "field"}, "extra"),
    ],
)
def test_a_state_carrying_paths_commands_or_unknown_fields_is_refused(
    change: dict[str, object], field: str
) -> None:
    document = {**sample_state().model_dump(mode="json"), **change}
    with pytest.raises(StateRejected, match=f"`{field}"):
        decode_state(marker_for(document), THREAD)


def test_an_oversized_marker_is_refused_before_it_is_decoded() -> None:
    body = (
        "<!-- autopilot:action-state v=1 sha256="
        + "0" * 64
        + " data="
        + "A" * (MAX_ENCODED_CHARS + 500)
        + " -->"
    )
    with pytest.raises(StateRejected, match="limit is 40,000"):
        decode_state(body, THREAD)


def test_a_compression_bomb_is_refused() -> None:
    raw = b"{" + b" " * 2_000_000 + b"}"
    data = base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode()
    body = f"<!-- autopilot:action-state v=1 sha256={hashlib.sha256(raw).hexdigest()} data={data} -->"
    with pytest.raises(StateRejected, match="larger than 256,000 bytes"):
        decode_state(body, THREAD)


def test_only_the_bots_own_comments_are_read_for_state() -> None:
    forged = StoredComment(id=2, body=state_comment(sample_state()), user="mallory")
    mine = StoredComment(id=1, body=state_comment(sample_state()), user="github-actions[bot]")
    assert find_state_comment([mine, forged], ["github-actions[bot]"]) == mine
    assert find_state_comment([forged], ["github-actions[bot]"]) is None


def test_a_new_request_replaces_the_journal() -> None:
    state = sample_state().recorded([StartCall(request="nginx")])
    assert state.journal == [StartCall(request="nginx")]


def test_replaying_the_journal_reaches_the_same_pause_on_a_fresh_checkpointer() -> None:
    first = RecordingSession(InMemorySaver())
    paused = first.start(THREAD, "a django app", ["replicas=2"])
    assert paused.kind == "clarify"
    assert first.calls == [StartCall(request="a django app", sets=["replicas=2"])]

    rebuilt = replay(ChartSession(InMemorySaver()), THREAD, first.calls)

    assert rebuilt is not None
    assert (rebuilt.status, rebuilt.kind, rebuilt.payload) == (paused.status, paused.kind, paused.payload)


def test_a_journal_that_no_longer_fits_the_graph_is_refused() -> None:
    with pytest.raises(
        StateRejected, match="step 1 of the stored conversation \\(resume\\) no longer replays"
    ):
        replay(ChartSession(InMemorySaver()), THREAD, [ResumeCall(value="approve")])
