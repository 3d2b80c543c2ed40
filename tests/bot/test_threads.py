"""`ThreadId`: built and read in one place; what is not `owner/repo#number` is refused with the value."""

from __future__ import annotations

import pytest

from bot.threads import ThreadId


def test_round_trip() -> None:
    thread = ThreadId.parse("octo-org/charts#12")
    assert thread == ("octo-org", "charts", 12)
    assert (thread.full_name, thread.number, str(thread)) == ("octo-org/charts", 12, "octo-org/charts#12")
    assert ThreadId.parse(str(ThreadId.of("a", "b.c", 3))) == ThreadId("a", "b.c", 3)


@pytest.mark.parametrize(
    "text", ["octo/charts", "octo/charts#0", "octo#1", "a/b/c#1", "a/b#x", " a/b#1", "a/b#1#2"]
)
def test_what_is_not_a_thread_id_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="is not 'owner/repo#number'"):
        ThreadId.parse(text)


@pytest.mark.parametrize(
    ("owner", "repo", "number"), [("", "r", 1), ("o/x", "r", 1), ("o", "r#", 1), ("o", "r", 0)]
)
def test_a_thread_id_is_not_built_from_parts_that_would_not_parse_back(
    owner: str, repo: str, number: int
) -> None:
    with pytest.raises(ValueError):
        ThreadId.of(owner, repo, number)
