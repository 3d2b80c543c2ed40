"""Where a conversation lives between Action runs: a journal of session calls in a hidden comment.

In Action mode there is no server and no disk between workflow runs: the question asked in
run 1 may be answered days later in run 2 on a fresh runner. The App keeps its place in a
checkpointer and a store; the Action keeps, in one comment of its own on the thread (issue or
PR), the *inputs* that brought the graph where it is:

- a journal of the calls made on `ChartSession` (start with request/sets/answers/options/kube
  versions, each resume value, each revise feedback) recorded by `RecordingSession`;
- the run facts the App's store would hold (`RunFacts`: stage, status comment, PR, branch,
  commit and heal counters) and the requester's login.

A fresh run rebuilds the checkpoint by replaying the journal on an empty checkpointer; without
an LLM the planner, renderer, validator and fixers are deterministic, so the replay reaches the
exact interrupt (or finish) the previous run ended at, and the App's handlers then continue as
if the checkpoint had never left. Replaying inputs rather than storing the serialized
checkpoint keeps the state small (a few hundred bytes instead of the whole chart) and keeps
every stored value a plain, pydantic-validated field instead of LangGraph internals.

Integrity, honestly: no secret survives between runs (GITHUB_TOKEN changes every run, so an
HMAC keyed on it could never be verified later). What we can have:

- authorship: the state is read only from comments written by the bot's own identity
  (`github-actions[bot]` for the workflow token); a marker in anyone else's comment is ignored.
  Only people with write access can edit the bot's comments, and they can already change the
  workflow itself;
- a SHA-256 digest of the canonical JSON, which catches hand edits and truncation (it is not a
  signature: whoever edits the data can recompute it);
- size caps before decoding (encoded, decompressed, every string and list), and a strict
  pydantic schema (`extra="forbid"`), so the state is untrusted input like a comment: it holds
  only request text, `key=value` settings, answers and review text — never a path, a URL or a
  command — and is bound to its thread id.

A state that fails any check is rejected with `StateRejected`; the caller says so on the thread
and runs nothing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import zlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any, Literal

from langgraph.checkpoint.base import BaseCheckpointSaver
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from agents.graph import ChartSession, ChartSteps, RunResult
from agents.state import GraphOptions

STATE_VERSION: Literal[1] = 1
MAX_ENCODED_CHARS = 40_000  # GitHub comments hold 65,536 characters; leave room for the visible text
MAX_DECODED_BYTES = 256_000  # a zlib bomb stops here
MAX_JOURNAL_ENTRIES = 100
MAX_TEXT_CHARS = 10_000  # the longest comment a command may come from (bot.commands.MAX_COMMENT_CHARS)

STATE_MARKER_PREFIX = "<!-- autopilot:action-state"
_STATE_MARKER = re.compile(
    r"<!-- autopilot:action-state v=(?P<version>\d{1,3}) sha256=(?P<digest>[0-9a-f]{64}) "
    r"data=(?P<data>[A-Za-z0-9_-]+={0,2}) -->"
)

Text = Annotated[str, StringConstraints(max_length=MAX_TEXT_CHARS)]
Short = Annotated[str, StringConstraints(max_length=200)]
SetArg = Annotated[str, StringConstraints(max_length=2_000, pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.\-\[\]]*=")]
AnswerKey = Annotated[str, StringConstraints(max_length=100, pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")]
KubeVersion = Annotated[str, StringConstraints(pattern=r"^\d{1,2}\.\d{1,3}\.\d{1,3}$")]
Login = Annotated[
    str, StringConstraints(max_length=60, pattern=r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\[bot\])?$")
]
StoredThreadId = Annotated[
    str, StringConstraints(max_length=300, pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+#[1-9][0-9]{0,9}$")
]


def _safe_branch(value: str) -> str:
    if ".." in value or "//" in value or value.endswith((".lock", "/")):
        raise ValueError(f"{value!r} is not a branch name the bot would use")
    return value


# A branch name as git allows it, minus anything that could mean a path outside refs/heads.
Branch = Annotated[
    str,
    StringConstraints(max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$"),
    AfterValidator(_safe_branch),
]
Sha = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{40}$")]
Stage = Annotated[str, StringConstraints(max_length=40, pattern=r"^[a-z][a-z_-]*$")]


class StateRejected(Exception):
    """The stored state cannot be trusted or used; the message says why, for the thread."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StartCall(_Strict):
    """`ChartSession.start`: a new request on the thread (it replaces everything before it)."""

    call: Literal["start"] = "start"
    request: Text
    sets: list[SetArg] = Field(default_factory=list, max_length=50)
    answers: dict[AnswerKey, Text] = Field(default_factory=dict, max_length=50)
    options: GraphOptions = Field(default_factory=GraphOptions)
    kube_versions: list[KubeVersion] = Field(default_factory=list, max_length=10)


class ResumeCall(_Strict):
    """`ChartSession.resume`: the answer to the open interrupt (answers, approve, retry, text…)."""

    call: Literal["resume"] = "resume"
    value: Annotated[dict[AnswerKey, Text | bool], Field(max_length=50)] | Text | bool


class ReviseCall(_Strict):
    """`ChartSession.revise`: review feedback (an answer at a review pause, else a new step)."""

    call: Literal["revise"] = "revise"
    feedback: Text


JournalEntry = Annotated[StartCall | ResumeCall | ReviseCall, Field(discriminator="call")]


class RunFacts(_Strict):
    """What the App's store keeps per thread (`bot.store.RunRecord`), minus the thread id."""

    stage: Stage = "new"
    status_comment_id: int | None = Field(default=None, ge=1)
    pr_number: int | None = Field(default=None, ge=1)
    branch: Branch | None = None
    bot_commits_in_a_row: int = Field(default=0, ge=0, le=1_000)
    heal_attempts: dict[Sha, Annotated[int, Field(ge=0, le=100)]] = Field(default_factory=dict, max_length=50)


class ActionState(_Strict):
    """Everything a fresh runner needs to continue one conversation."""

    version: Literal[1] = STATE_VERSION
    thread_id: StoredThreadId
    requester: Login | None = None
    journal: list[JournalEntry] = Field(default_factory=list, max_length=MAX_JOURNAL_ENTRIES)
    run: RunFacts = Field(default_factory=RunFacts)

    def recorded(self, calls: Iterable[JournalEntry]) -> ActionState:
        """This state with `calls` appended; a start drops what came before it (start replaces the thread)."""
        journal = list(self.journal)
        for call in calls:
            journal = [call] if isinstance(call, StartCall) else [*journal, call]
        return self.model_copy(update={"journal": journal})


# --- encoding ---------------------------------------------------------------------------------


def _canonical(state: ActionState) -> bytes:
    return json.dumps(state.model_dump(mode="json"), sort_keys=True, separators=(",", ":")).encode()


def encode_state(state: ActionState) -> str:
    """The hidden marker holding `state`; raises `StateRejected` when it would exceed the size cap."""
    raw = _canonical(state)
    data = base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode()
    if len(data) > MAX_ENCODED_CHARS:
        raise StateRejected(
            f"the conversation state for {state.thread_id} would take {len(data):,} characters "
            f"(limit {MAX_ENCODED_CHARS:,}); start a new conversation with `/autopilot chart …` "
            "in a new issue"
        )
    digest = hashlib.sha256(raw).hexdigest()
    return f"{STATE_MARKER_PREFIX} v={STATE_VERSION} sha256={digest} data={data} -->"


def _inflate(data: str) -> bytes:
    try:
        compressed = base64.urlsafe_b64decode(data.encode())
    except (binascii.Error, ValueError) as exc:
        raise StateRejected(f"the stored state is not valid base64 ({exc})") from None
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(compressed, MAX_DECODED_BYTES)
    except zlib.error as exc:
        raise StateRejected(f"the stored state is not valid compressed data ({exc})") from None
    if inflater.unconsumed_tail or not inflater.eof:
        raise StateRejected(
            f"the stored state is larger than {MAX_DECODED_BYTES:,} bytes once decompressed, or cut short"
        )
    return raw


def _first_error(err: ValidationError) -> str:
    first = err.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "(top level)"
    return f"`{where}`: {first['msg']}"


def decode_state(body: str, thread_id: str) -> ActionState:
    """Read and check the state marker in a comment body written by the bot, for `thread_id`."""
    start = body.find(STATE_MARKER_PREFIX)
    if start < 0:
        raise StateRejected("the comment holds no state marker")
    end = body.find("-->", start)
    marker_len = (end if end >= 0 else len(body)) - start
    if marker_len > MAX_ENCODED_CHARS + 200:
        raise StateRejected(
            f"the stored state is {marker_len:,} characters long; the limit is {MAX_ENCODED_CHARS:,}"
        )
    match = _STATE_MARKER.match(body, start)
    if match is None:
        raise StateRejected("the state marker is malformed (it was edited or cut short)")
    if int(match["version"]) != STATE_VERSION:
        raise StateRejected(
            f"the stored state has version {match['version']}; this k8s-autopilot reads version {STATE_VERSION}"
        )
    raw = _inflate(match["data"])
    if hashlib.sha256(raw).hexdigest() != match["digest"]:
        raise StateRejected("the stored state does not match its checksum (the comment was edited)")
    try:
        document = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StateRejected(f"the stored state is not JSON ({exc})") from None
    try:
        state = ActionState.model_validate(document)
    except ValidationError as err:
        raise StateRejected(f"the stored state is not valid: {_first_error(err)}") from None
    if state.thread_id != thread_id:
        raise StateRejected(
            f"the stored state belongs to {state.thread_id}, not to {thread_id} (it was copied here)"
        )
    return state


def state_comment(state: ActionState) -> str:
    """The bot's state comment: the hidden marker and a visible line saying what it is for."""
    return (
        f"{encode_state(state)}\n"
        "<sub>k8s-autopilot (GitHub Action) keeps this conversation's progress in this comment "
        "between workflow runs. Editing it stops the bot from continuing here.</sub>"
    )


def state_rejected_comment(thread_id: str, reason: str) -> str:
    """Told on the thread when its stored state cannot be used; nothing ran."""
    return (
        f"<!-- autopilot:reply thread={thread_id} -->\n"
        f"I cannot continue this conversation: its saved state was refused ({reason}). Nothing was run.\n\n"
        "If the state comment was edited, delete it and start again with `/autopilot chart <request>`."
    )


class StoredComment(BaseModel):
    """The fields of a comment the state lookup needs (`bot.github.Comment` has them)."""

    id: int
    body: str
    user: str


def find_state_comment(
    comments: Sequence[StoredComment], trusted_authors: Iterable[str]
) -> StoredComment | None:
    """The newest comment holding a state marker written by one of `trusted_authors` (the bot)."""
    trusted = {login.lower() for login in trusted_authors if login}
    for comment in reversed(comments):
        if STATE_MARKER_PREFIX in comment.body and comment.user.lower() in trusted:
            return comment
    return None


# --- recording and replaying session calls -----------------------------------------------------


class RecordingSession(ChartSession):
    """A `ChartSession` that journals its top-level calls so a later run can replay them."""

    def __init__(
        self,
        checkpointer: BaseCheckpointSaver[Any],
        *,
        steps: ChartSteps | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(checkpointer, steps=steps, **kwargs)
        self.calls: list[JournalEntry] = []
        self._depth = 0  # revise() and cancel() call resume(): journal only the outer call

    def _record(self, entry: JournalEntry) -> None:
        if self._depth == 0:
            self.calls.append(entry)

    @staticmethod
    def _entry(build: Any, **fields: Any) -> JournalEntry:
        """Validate a call before it runs: what cannot be stored must not change the thread either."""
        try:
            entry: JournalEntry = build(**fields)
        except ValidationError as err:
            raise StateRejected(
                f"this step cannot be kept between Action runs: {_first_error(err)}"
            ) from None
        return entry

    def start(
        self,
        thread_id: str,
        request: str,
        sets: Sequence[str] = (),
        options: GraphOptions | None = None,
        *,
        answers: Mapping[str, str] | None = None,
        kube_versions: Sequence[str] | None = None,
    ) -> RunResult:
        entry = self._entry(
            StartCall,
            request=request,
            sets=list(sets),
            answers=dict(answers or {}),
            options=options or GraphOptions(),
            kube_versions=list(kube_versions or []),
        )
        self._depth += 1
        try:
            result = super().start(
                thread_id, request, sets, options, answers=answers, kube_versions=kube_versions
            )
        finally:
            self._depth -= 1
        self._record(entry)
        return result

    def resume(self, thread_id: str, value: Any) -> RunResult:
        entry = self._entry(ResumeCall, value=value)
        self._depth += 1
        try:
            result = super().resume(thread_id, value)
        finally:
            self._depth -= 1
        self._record(entry)
        return result

    def revise(self, thread_id: str, feedback: str) -> RunResult:
        entry = self._entry(ReviseCall, feedback=feedback)
        self._depth += 1
        try:
            result = super().revise(thread_id, feedback)
        finally:
            self._depth -= 1
        self._record(entry)
        return result


def replay(session: ChartSession, thread_id: str, journal: Sequence[JournalEntry]) -> RunResult | None:
    """Rebuild the thread's checkpoint from the journal; `StateRejected` when it no longer replays."""
    result: RunResult | None = None
    for number, entry in enumerate(journal, start=1):
        try:
            if isinstance(entry, StartCall):
                result = session.start(
                    thread_id,
                    entry.request,
                    entry.sets,
                    entry.options,
                    answers=entry.answers,
                    kube_versions=entry.kube_versions,
                )
            elif isinstance(entry, ResumeCall):
                result = session.resume(thread_id, entry.value)
            else:
                result = session.revise(thread_id, entry.feedback)
        except Exception as exc:  # any failure means the recorded conversation no longer fits
            raise StateRejected(
                f"step {number} of the stored conversation ({entry.call}) no longer replays: {exc}"
            ) from exc
    return result
