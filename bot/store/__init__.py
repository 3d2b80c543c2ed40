"""The durable store: deliveries (dedupe), jobs (retry after a crash), run records and thread locks.

`open_store(database_url)` picks the backend from the URL (SQLite file or PostgreSQL);
every backend implements `Store`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from bot.store.base import Delivery, Job, JobStatus, LockInfo, RecordedDelivery, RunRecord, Store, StoreError
from bot.store.sqlite import SqliteStore

__all__ = [
    "Delivery",
    "Job",
    "JobStatus",
    "LockInfo",
    "RecordedDelivery",
    "RunRecord",
    "SqliteStore",
    "Store",
    "StoreError",
    "open_store",
]


def sqlite_path(database_url: str) -> str:
    """The file behind `sqlite:///relative.db`, `sqlite:////abs/path.db`, `sqlite://:memory:` or a bare path."""
    if database_url.startswith("sqlite:///"):
        path = database_url.removeprefix("sqlite:///")
    elif database_url.startswith("sqlite://"):
        path = database_url.removeprefix("sqlite://")
    elif database_url.startswith("sqlite:"):
        path = database_url.removeprefix("sqlite:")
    else:
        path = database_url
    path = path.split("?", 1)[0]
    if not path:
        raise StoreError(f"database URL {database_url!r} names no file; use e.g. sqlite:///data/autopilot.db")
    return path if path == ":memory:" else str(Path(path).expanduser())


def open_store(database_url: str, *, clock: Callable[[], float] = time.time) -> Store:
    """Open (and create if needed) the store named by `database_url`; `clock` dates its leases,
    locks and retry times (tests move it instead of sleeping)."""
    scheme = database_url.split(":", 1)[0].lower() if "://" in database_url else ""
    if scheme in ("postgres", "postgresql", "postgresql+psycopg"):
        from bot.store.postgres import PostgresStore  # psycopg loads only for PostgreSQL URLs

        return PostgresStore(database_url.replace("postgresql+psycopg://", "postgresql://", 1), clock=clock)
    if scheme not in ("", "sqlite"):
        raise StoreError(
            f"database URL scheme {scheme!r} is not supported; use sqlite:///path/autopilot.db or a file path"
        )
    return SqliteStore(sqlite_path(database_url), clock=clock)
