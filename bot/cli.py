"""`autopilot`: the one command line for the engine (chart, plan, validate, fix) and the bot."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from agents.cli import add_engine_commands, run_command


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autopilot",
        description="Turn a request such as 'nginx' into a validated, production-grade Helm chart.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_engine_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run_command(args)


if __name__ == "__main__":
    sys.exit(main())
