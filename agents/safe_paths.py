"""One check for a relative path that untrusted text asks to write (an LLM edit, a fixer, a plan).

The chart writer, the heal loop, the LLM edit filter and the bot's git workspace each join such a
path to a directory they own; this is the one place that decides whether it can leave it.
"""

from __future__ import annotations

import re

_DRIVE = re.compile(r"^[A-Za-z]:")
PROTECTED_TOP_DIRS = frozenset({".github", ".git"})


class UnsafePathError(ValueError):
    """A path that may not be written; `reason` says why in words a user can act on."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"refusing {path!r}: {reason}")
        self.path = path
        self.reason = reason


def relative_parts(path: str) -> tuple[str, ...]:
    """The segments of `path`, a relative POSIX path that stays inside whatever it is joined to.

    Refused: empty, NUL or control characters, backslashes, absolute or drive paths, git's `:`
    pathspec magic, `.`/`..`/empty segments, and anything under `.git/` or a top-level `.github/`.
    """
    if not path:
        raise UnsafePathError(path, "the path is empty")
    if any(ord(c) < 32 for c in path):
        raise UnsafePathError(path, "the path contains NUL or control characters")
    if "\\" in path:
        raise UnsafePathError(path, "backslashes are not allowed; use a relative POSIX path")
    if path.startswith("/") or _DRIVE.match(path):
        raise UnsafePathError(path, "absolute paths are not allowed; give a path relative to the chart")
    if path.startswith(":"):
        raise UnsafePathError(path, "a leading ':' is git pathspec syntax, not a file name")
    parts = tuple(path.split("/"))
    if any(part in {"", ".", ".."} for part in parts):
        raise UnsafePathError(path, "'..', '.' and empty path segments are not allowed")
    if parts[0] in PROTECTED_TOP_DIRS or ".git" in parts:
        raise UnsafePathError(
            path,
            "the bot never writes under .github/ or .git/ (workflows there run with the repository's secrets)",
        )
    return parts
