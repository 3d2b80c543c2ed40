"""The `autopilot action` subcommand: argument handling only; the work is in `bot.action`."""

from __future__ import annotations

import argparse
import sys
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
    """A standalone parser for `python -m bot.action`."""
    parser = argparse.ArgumentParser(
        prog="autopilot action", description="Run as the k8s-autopilot GitHub Action."
    )
    _add_arguments(parser)
    return parser


def cmd_action(args: argparse.Namespace, out: TextIO) -> int:
    """Handler for the `action` subcommand (called by `agents.cli.run_command`)."""
    from bot.action import run_action

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
