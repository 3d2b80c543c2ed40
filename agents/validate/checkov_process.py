"""checkov imported in a child process while the command plans, generates and renders.

Importing checkov and loading its checks is a third of a cold `autopilot chart`; Python imports
hold the GIL, so a thread cannot overlap them with the rest of the command, a process can. A
one-shot command (bot.cli) forks the child first thing: it imports checkov and waits; the chart's
scan is sent to it as manifest file paths and comes back as `CheckovFailure` records, which the
parent maps to findings exactly as for an in-process scan (agents.validate.checkov_scan).

Long-lived processes (the App's worker, the benches) never start one: they import checkov once
and scan in-process. A child that dies or cannot be reached is not an error: the scan runs
in-process instead.
"""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing
import pickle
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from agents.validate.checkov_scan import CheckovFailure

StartMethod = Literal["fork", "spawn"]
# imported by checkov and by LangChain (the parent's graph) alike: imported once, before the fork,
# the child does not import them again (~0.15 s of a cold command's CPU)
IMPORTED_BEFORE_THE_FORK = ("requests",)
STOP_SECONDS = 2.0  # a child that ignores SIGTERM this long is killed


class CheckovProcessGone(Exception):
    """The child cannot answer (it died, or its pipe broke): scan in-process instead."""


def _serve(conn: Connection) -> None:
    """The child: import checkov, then scan each list of files sent until the pipe closes."""
    # Ctrl-C reaches the whole process group: the parent answers it (exit 130) and stops us;
    # SIGINT was blocked across the start (CheckovProcess), so none arrived before this line
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    from agents.validate.checkov_scan import failures, warm_up

    with contextlib.suppress(Exception):  # each scan raises it again, and the parent reports it
        warm_up()
    while True:
        try:
            request_id, files = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer: tuple[int, str, Any] = (request_id, "ok", failures(files))
        except Exception as exc:  # noqa: BLE001 - sent back, raised in the parent as in-process
            answer = (request_id, "error", _picklable(exc))
        try:
            conn.send(answer)
        except (BrokenPipeError, OSError):
            return


def _picklable(exc: Exception) -> Exception:
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001 - any exception type may refuse pickling
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


class CheckovProcess:
    """A child process with checkov imported, scanning manifest files for its parent."""

    def __init__(self, start_method: StartMethod = "fork") -> None:
        context = (
            multiprocessing.get_context("fork")
            if start_method == "fork"
            else multiprocessing.get_context("spawn")
        )
        self._conn, child_end = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(child_end,), name="autopilot-checkov", daemon=True
        )
        blocking = hasattr(signal, "pthread_sigmask")
        # a Ctrl-C during the start waits in this process until the start is done, and never
        # reaches the child before it ignores SIGINT (a traceback of its own)
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}) if blocking else set()
        try:
            self._process.start()
        finally:
            if blocking:
                signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        child_end.close()
        self._lock = threading.Lock()
        self._last_request = 0

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def failures(self, files: list[str]) -> list[CheckovFailure]:
        """checkov's failed checks for the files, from the child; raises what checkov raised there."""
        with self._lock:
            self._last_request += 1
            request_id = self._last_request
            try:
                self._conn.send((request_id, files))
                while True:
                    answered, status, payload = self._conn.recv()
                    if answered == request_id:
                        break  # an earlier answer nobody waited for (an interrupted call) is dropped
            except (EOFError, OSError) as exc:
                raise CheckovProcessGone(f"checkov's process stopped answering: {exc}") from exc
        if status == "error":
            raise payload
        result: list[CheckovFailure] = payload
        return result

    def stop(self) -> None:
        """End the child whatever it is doing (importing, scanning, waiting); never blocks for long."""
        self._conn.close()
        process = self._process
        if process.is_alive():
            process.terminate()
            process.join(STOP_SECONDS)
        if process.is_alive():
            process.kill()
        process.join()
        process.close()


_current: CheckovProcess | None = None


def current_checkov_process() -> CheckovProcess | None:
    """The child started by `checkov_in_child_process`, while it runs; None means scan in-process."""
    return _current


def forget_checkov_process(process: CheckovProcess) -> None:
    """Stop sending scans to a child that stopped answering."""
    global _current
    if _current is process:
        _current = None


def can_fork_checkov() -> bool:
    """True in a fresh process where forking is safe and pays: Linux, no other thread, no Go runtime
    loaded (the Helm SDK's threads could hold a lock the child would wait on forever), and checkov
    not imported already (then an in-process scan costs nothing more)."""
    return (
        sys.platform.startswith("linux")
        and threading.active_count() == 1
        and "helm_python._native" not in sys.modules
        and "checkov.kubernetes.runner" not in sys.modules
    )


@contextmanager
def checkov_in_child_process(
    wanted: bool = True, start_method: StartMethod = "fork"
) -> Iterator[CheckovProcess | None]:
    """Scans in the block go to a child started now (when `wanted`, and for a fork when
    `can_fork_checkov()`); the child is stopped when the block ends, also on an exception or Ctrl-C.
    Tests start theirs with "spawn", safe in any process."""
    global _current
    if not wanted or _current is not None or (start_method == "fork" and not can_fork_checkov()):
        yield None
        return
    for name in IMPORTED_BEFORE_THE_FORK:
        importlib.import_module(name)
    try:
        process = CheckovProcess(start_method)
    except OSError:  # no processes left to start: scan in-process
        yield None
        return
    _current = process
    try:
        yield process
    finally:
        forget_checkov_process(process)
        process.stop()
