"""`ThreadId`: the one conversation id, `owner/repo#number` (checkpoint thread, lock, run record).

Built and read here only, so no module splits the text on `#` itself.
"""

from __future__ import annotations

import re
from typing import NamedTuple

THREAD_ID = re.compile(r"^(?P<owner>[^/#\s]+)/(?P<repo>[^/#\s]+)#(?P<number>[1-9][0-9]*)$")


class ThreadId(NamedTuple):
    owner: str
    repo: str
    number: int  # the issue or pull request where the conversation started

    @classmethod
    def of(cls, owner: str, repo: str, number: int) -> ThreadId:
        if not owner or not repo or "/" in owner or "/" in repo or "#" in owner + repo:
            raise ValueError(f"cannot build a thread id from owner={owner!r} repo={repo!r}")
        if number < 1:
            raise ValueError(f"issue/PR number must be positive, got {number}")
        return cls(owner, repo, number)

    @classmethod
    def parse(cls, text: str) -> ThreadId:
        match = THREAD_ID.match(text)
        if match is None:
            raise ValueError(f"thread id {text!r} is not 'owner/repo#number'")
        return cls(match["owner"], match["repo"], int(match["number"]))

    @property
    def full_name(self) -> str:
        """`owner/repo`."""
        return f"{self.owner}/{self.repo}"

    def __str__(self) -> str:
        return f"{self.owner}/{self.repo}#{self.number}"
