"""The `/autopilot` comment grammar: comment text in, an explicit `CommandResult` out.

One pure function (`parse_comment`) in the spirit of Atlantis' comment parser: no GitHub
calls, no shell. The result is `Run(command)`, `Reply(text)` (help, usage, errors) or
`Ignore(reason)`; the handler maps each verb to its runner.
"""

from __future__ import annotations

import difflib
import re
import shlex
from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from bot import messages

MAX_COMMENT_CHARS = 10_000
VERBS = ("chart", "plan", "answer", "revise", "fix", "validate", "status", "cancel", "help")

_COMMAND_LINE = re.compile(r"^[ \t]*/autopilot(?=\s|$)(?P<rest>.*)$", re.IGNORECASE)
_FENCE = re.compile(r"^[ \t]*(```|~~~)")
# One shell-like word: bare characters and quoted runs glued together (`a="b c"`).
_WORD = r"""(?:[^\s"']|"(?:[^"\\]|\\.)*"|'[^']*')+"""
_SET_FLAG = re.compile(rf"(?:^|(?<=\s))--set(?:=|\s+|$)(?P<value>{_WORD})?")
_OTHER_FLAG = re.compile(r"(?:^|(?<=\s))(?P<flag>--[A-Za-z][\w-]*)")
_SET_KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-\[\]]*$")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ChartCommand(_Frozen):
    """Plan, generate and validate a chart, then open a pull request."""

    verb: Literal["chart"] = "chart"
    request: str
    settings: dict[str, str] = Field(default_factory=dict)


class PlanCommand(_Frozen):
    """Show the plan for a request without writing files."""

    verb: Literal["plan"] = "plan"
    request: str
    settings: dict[str, str] = Field(default_factory=dict)


class AnswerCommand(_Frozen):
    verb: Literal["answer"] = "answer"
    text: str


class ReviseCommand(_Frozen):
    verb: Literal["revise"] = "revise"
    text: str


class FixCommand(_Frozen):
    verb: Literal["fix"] = "fix"


class ValidateCommand(_Frozen):
    verb: Literal["validate"] = "validate"


class StatusCommand(_Frozen):
    verb: Literal["status"] = "status"


class CancelCommand(_Frozen):
    verb: Literal["cancel"] = "cancel"


Command = Annotated[
    ChartCommand
    | PlanCommand
    | AnswerCommand
    | ReviseCommand
    | FixCommand
    | ValidateCommand
    | StatusCommand
    | CancelCommand,
    Field(discriminator="verb"),
]


class Run(_Frozen):
    """The comment holds a valid command: run it."""

    kind: Literal["run"] = "run"
    command: Command


class Reply(_Frozen):
    """The comment addressed the bot but needs an answer instead of a run (help, usage, errors)."""

    kind: Literal["reply"] = "reply"
    text: str


class Ignore(_Frozen):
    """Not for the bot (no command, or written by a bot); `reason` is for logs only."""

    kind: Literal["ignore"] = "ignore"
    reason: str


_NO_ARGUMENT_COMMANDS: dict[
    str, Callable[[], FixCommand | ValidateCommand | StatusCommand | CancelCommand]
] = {
    "fix": FixCommand,
    "validate": ValidateCommand,
    "status": StatusCommand,
    "cancel": CancelCommand,
}

CommandResult = Annotated[Run | Reply | Ignore, Field(discriminator="kind")]


def _is_bot(bot_login: str, author_login: str, author_is_bot: bool) -> bool:
    author = author_login.strip().lower()
    return (
        author_is_bot or author.endswith("[bot]") or (bool(bot_login) and author == bot_login.strip().lower())
    )


def _find_command(lines: list[str]) -> int | None:
    """Index of the first `/autopilot` line outside fenced code blocks and quotes."""
    in_fence = False
    for index, line in enumerate(lines):
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if not in_fence and _COMMAND_LINE.match(line):
            return index
    return None


def _unquote(word: str) -> str:
    """Strip shell quoting from one word; no expansion of any kind happens (no shell)."""
    parts = shlex.split(word, comments=False, posix=True)
    if len(parts) != 1:
        raise ValueError(f"expected one word, got {len(parts)}")
    return parts[0]


def _parse_request(verb: Literal["chart", "plan"], first_line: str, more: str) -> Run | Reply:
    settings: dict[str, str] = {}
    for match in _SET_FLAG.finditer(first_line):
        raw = match["value"]
        if raw is None:
            return Reply(text=messages.missing_argument(verb, "a `key=value` after `--set`"))
        try:
            value = _unquote(raw)
        except ValueError as err:
            return Reply(text=messages.bad_quoting(verb, f"{raw}: {err}"))
        key, sep, setting = value.partition("=")
        if not sep or not _SET_KEY.match(key):
            return Reply(text=messages.bad_set_flag(verb, value))
        settings[key] = setting
    remainder = _SET_FLAG.sub(" ", first_line)
    other = _OTHER_FLAG.search(remainder)
    if other is not None:
        return Reply(text=messages.unknown_option(verb, other["flag"]))
    request = "\n".join(part for part in (" ".join(remainder.split()), more) if part).strip()
    if not request:
        return Reply(text=messages.missing_argument(verb, "a request, e.g. `nginx with ingress`"))
    if verb == "chart":
        return Run(command=ChartCommand(request=request, settings=settings))
    return Run(command=PlanCommand(request=request, settings=settings))


def parse_comment(body: str, *, bot_login: str, author_login: str, author_is_bot: bool) -> CommandResult:
    """Read one issue or PR comment; the first `/autopilot` line wins, later lines are its text."""
    if _is_bot(bot_login, author_login, author_is_bot):
        return Ignore(reason=f"comment by bot {author_login!r}")
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    index = _find_command(lines)
    if index is None:
        return Ignore(reason="no /autopilot command")
    if len(body) > MAX_COMMENT_CHARS:
        return Reply(text=messages.comment_too_long(len(body), MAX_COMMENT_CHARS))

    match = _COMMAND_LINE.match(lines[index])
    assert match is not None  # _find_command only returns matching lines
    words = match["rest"].strip().split(None, 1)
    verb_word = words[0] if words else ""
    first_line = words[1].strip() if len(words) > 1 else ""
    more = "\n".join(lines[index + 1 :]).strip()
    verb = verb_word.lower()

    if verb in ("", "help"):
        return Reply(text=messages.help_text())
    if verb not in VERBS:
        close = difflib.get_close_matches(verb, VERBS, n=1, cutoff=0.6)
        return Reply(text=messages.unknown_verb(verb_word, close[0] if close else None))
    if verb == "chart" or verb == "plan":
        return _parse_request("chart" if verb == "chart" else "plan", first_line, more)
    if verb in _NO_ARGUMENT_COMMANDS:
        if first_line:
            return Reply(text=messages.unexpected_argument(verb, first_line))
        return Run(command=_NO_ARGUMENT_COMMANDS[verb]())
    text = "\n".join(part for part in (first_line, more) if part).strip()
    if verb == "answer":
        if not text:
            return Reply(text=messages.missing_argument(verb, "your answer"))
        return Run(command=AnswerCommand(text=text))
    if not text:
        return Reply(text=messages.missing_argument(verb, "a description of the change"))
    return Run(command=ReviseCommand(text=text))
