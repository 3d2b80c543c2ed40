"""SQL that both stores run, written once in SQLite's `?` style; `for_postgres` turns the
marks into psycopg's `%s` (the statements hold no literal `?`)."""

from __future__ import annotations

from typing import Any

from bot.store.base import RunRecord

UPSERT_RUN = (
    "INSERT INTO runs (thread_id, repo, stage, status_comment_id, pr_number, branch,"
    " bot_commits_in_a_row, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (thread_id) DO UPDATE SET stage = excluded.stage,"
    " status_comment_id = excluded.status_comment_id, pr_number = excluded.pr_number,"
    " branch = excluded.branch, bot_commits_in_a_row = excluded.bot_commits_in_a_row,"
    " updated_at = excluded.updated_at"
)
FORGET_HEAL_ATTEMPTS = "DELETE FROM heal_attempts WHERE thread_id = ?"
INSERT_HEAL_ATTEMPT = "INSERT INTO heal_attempts (thread_id, head_sha, attempts) VALUES (?, ?, ?)"
LATEST_RUN_WHERE = "SELECT thread_id FROM runs WHERE {where} ORDER BY updated_at DESC LIMIT 1"


def for_postgres(sql: str) -> str:
    return sql.replace("?", "%s")


def run_params(run: RunRecord) -> tuple[Any, ...]:
    """The parameters of `UPSERT_RUN` for one run."""
    return (
        run.thread_id,
        run.repo,
        run.stage,
        run.status_comment_id,
        run.pr_number,
        run.branch,
        run.bot_commits_in_a_row,
        run.updated_at,
    )


def heal_attempt_rows(run: RunRecord) -> list[tuple[str, str, int]]:
    """The parameters of `INSERT_HEAL_ATTEMPT`, one row per head commit."""
    return [(run.thread_id, sha, n) for sha, n in run.heal_attempts.items()]
