"""`autopilot serve`: run the GitHub App (webhook server + background runner) under uvicorn."""

from __future__ import annotations

import argparse
import logging
import sys

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080


def add_serve_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `serve --host --port` to the CLI's subcommands; its handler is `args.func(args)`."""
    serve = sub.add_parser("serve", help="run the GitHub App: webhook server and background runner")
    serve.add_argument("--host", default=DEFAULT_HOST, help=f"address to bind (default {DEFAULT_HOST})")
    serve.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port to bind (default {DEFAULT_PORT})"
    )
    serve.set_defaults(func=serve_command)


def serve_command(args: argparse.Namespace) -> int:
    """Start the App; a missing or invalid setting stops start-up with one line naming it."""
    from agents.checkpoint import is_postgres_url
    from bot.app import build_bot
    from bot.config import SettingsError, load_settings
    from bot.metrics import check_multiproc_dir
    from bot.redact import install_redaction
    from bot.server import run_server

    try:
        settings = load_settings(require_app=True, require_webhook_secret=True)
        check_multiproc_dir()
        logging.basicConfig(
            level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
        install_redaction()
        if is_postgres_url(settings.database_url):
            # PostgreSQL mode: this process only verifies, records and enqueues; `autopilot worker` runs jobs
            from bot.worker_command import serve_queued

            return serve_queued(settings, args.host, args.port)
        bot = build_bot(settings)
    except SettingsError as err:
        print(f"autopilot serve: {err}", file=sys.stderr)
        return 2
    assert bot.asgi is not None
    try:
        run_server(bot.asgi, args.host, args.port, settings.log_level)
    finally:
        bot.close()
    return 0
