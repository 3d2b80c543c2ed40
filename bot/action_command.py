"""`autopilot action` (and `python -m bot.action_command`): the GitHub Action's entry, which runs one mode.

The composite action (`action.yml`, contract in docs/action.md) hands everything over in environment
variables, read once into `bot.action_settings.ActionSettings`; the work is in `bot.action_validate`
and `bot.action_respond`. Exit status: 0 done, 1 validate found errors (or respond failed), 2 the run
could not start (one line says why).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from typing import TextIO

MODES = ("respond", "validate")


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--mode",
        choices=MODES,
        default=None,
        help="respond (act on /autopilot commands and reviews) or validate (check the PR's charts); "
        "default: $AUTOPILOT_MODE",
    )


def build_action_parser() -> argparse.ArgumentParser:
    """A standalone parser for `python -m bot.action_command`."""
    parser = argparse.ArgumentParser(
        prog="autopilot action", description="Run as the k8s-autopilot GitHub Action."
    )
    _add_arguments(parser)
    return parser


def run_action(
    mode: str | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    """Run one mode as the composite action calls it; every failure to start is one line and exit 2.

    `environ` replaces the process environment (tests run the Action in-process with it).
    """
    # imported here, not with the CLI: each mode loads only the engine parts it uses
    from bot.action_outputs import EXIT_CANNOT_START
    from bot.action_settings import ActionError, read_action_settings

    try:
        settings = read_action_settings(mode, environ)
        if settings.mode == "validate":
            from bot.action_validate import run_validate

            return run_validate(settings, out, err)
        from bot.action_respond import run_respond

        return run_respond(settings, out, err)
    except ActionError as exc:
        err.write(f"::error title=k8s-autopilot::{exc}\n")
        return EXIT_CANNOT_START


def cmd_action(args: argparse.Namespace, out: TextIO) -> int:
    """Handler for the `action` subcommand (called by `agents.cli.run_command`)."""
    return run_action(args.mode, out=out, err=sys.stderr)


def add_action_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `autopilot action` on the CLI's subparsers."""
    action = sub.add_parser(
        "action",
        help="run as the GitHub Action (mode respond or validate; reads the GITHUB_* environment)",
        description="Run as the k8s-autopilot GitHub Action; see docs/action.md for the environment it reads.",
    )
    _add_arguments(action)
    action.set_defaults(handler=cmd_action)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m bot.action_command [--mode respond|validate]`, the same as `autopilot action`."""
    args = build_action_parser().parse_args(argv)
    return run_action(args.mode)


if __name__ == "__main__":
    sys.exit(main())
