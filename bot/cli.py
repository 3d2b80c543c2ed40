"""`autopilot`: the one command line for the engine (chart, plan, validate, fix) and the bot."""

from __future__ import annotations

import argparse
import atexit
import contextlib
import gc
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from agents.cli import add_engine_commands, run_command
from agents.validate.checkov_process import checkov_in_child_process
from bot.action_command import add_action_commands
from bot.environment import warn_unknown_variables
from bot.serve_command import add_serve_commands
from bot.worker_command import add_worker_commands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autopilot",
        description="Turn a request such as 'nginx' into a validated, production-grade Helm chart.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_engine_commands(sub)
    add_serve_commands(sub)
    add_action_commands(sub)
    add_worker_commands(sub)
    return parser


VALIDATING_COMMANDS = frozenset({"chart", "validate", "fix", "serve", "worker", "action"})
# one chart, one answer, then exit: the collector would only walk the ~2,500 modules being imported
# (checkov, LangGraph) again and again; without it a cold `chart` spends ~15% less CPU
ONE_SHOT_COMMANDS = frozenset({"chart", "plan", "validate", "fix"})


def helm_engine_problem() -> str | None:
    """Why `AUTOPILOT_HELM_ENGINE` cannot be used, found before any work starts (None: it can)."""
    from agents.validate.engine import get_engine

    try:
        get_engine()
    except ValueError as err:
        return str(err)
    return None


def scans_with_checkov(args: argparse.Namespace) -> bool:
    """A one-shot command that will (or may) run checkov: its import can start in a child at once."""
    return (
        args.command in ONE_SHOT_COMMANDS
        and args.command != "plan"
        and not getattr(args, "no_security", False)
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit code (tests and benches call it in their own process)."""
    return _main(build_parser().parse_args(argv))


def run() -> NoReturn:
    """`autopilot` as a program (the console script, `python -m bot.cli`): a one-shot command
    leaves without tearing the interpreter down. Freeing the ~2,500 modules checkov and LangGraph
    imported, object by object, cost a cold `autopilot chart` a few tenths of a second of CPU,
    for memory the process gives back whole. Exit handlers still run and the output is flushed."""
    args = build_parser().parse_args()
    code = _main(args, exiting=True)
    if args.command not in ONE_SHOT_COMMANDS:
        sys.exit(code)  # serve, worker, action: the interpreter's own exit joins their threads
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (`| head`): nothing to add
            stream.flush()
    atexit._run_exitfuncs()
    os._exit(code)


def _main(args: argparse.Namespace, *, exiting: bool = False) -> int:
    """`exiting`: the process ends after this command, so the collector is not turned back on
    (its first full pass over everything imported would run just before the exit)."""
    collecting = gc.isenabled() and not exiting
    if args.command in ONE_SHOT_COMMANDS:
        gc.disable()
    try:
        # forked before anything starts a thread or loads Helm's Go runtime; stopped on the way out
        with checkov_in_child_process(scans_with_checkov(args)):
            return _run(args)
    except KeyboardInterrupt:  # Ctrl-C outside the command itself (run_command answers it inside)
        print("autopilot: interrupted", file=sys.stderr)
        return 130
    finally:
        if collecting:  # main() called in a longer-lived process (tests) gives the collector back
            gc.enable()


def _run(args: argparse.Namespace) -> int:
    warn_unknown_variables(os.environ, sys.stderr)
    if args.command in VALIDATING_COMMANDS and (problem := helm_engine_problem()):
        print(f"autopilot {args.command}: {problem}", file=sys.stderr)
        return 2
    if hasattr(args, "func"):  # bot commands that own their process (serve, worker) run directly
        code: int = args.func(args)
        return code
    return run_command(args)


if __name__ == "__main__":
    run()
