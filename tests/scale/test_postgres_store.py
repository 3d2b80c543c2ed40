"""The PostgreSQL store held to the SQLite store's contract, plus what only many processes need.

The contract cases are the ones in tests/bot/test_store.py, collected here again with a
`make_store` that opens `PostgresStore`s on one fresh, migrated database.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest

from bot.store import JobStatus, Store, StoreError, open_store
from bot.store.postgres import PostgresStore
from tests.bot.test_store import (  # noqa: F401 - collected again against PostgreSQL
    FakeClock,
    clock,
    deliver,
    store,
    test_accepted_but_never_claimed_job_survives_restart,
    test_batch_of_deliveries_in_one_commit,
    test_bot_commits_in_a_row_reset_by_a_human,
    test_claim_a_specific_job,
    test_claim_runs_oldest_first_and_counts_attempts,
    test_complete_needs_the_lease,
    test_concurrent_claims_never_share_a_job,
    test_concurrent_redeliveries_accept_each_id_once,
    test_dead_workers_lock_is_taken_over_after_expiry,
    test_delivery_is_recorded_once,
    test_duplicate_is_still_seen_after_restart,
    test_failed_job_retries_later_then_gives_up,
    test_heal_attempts_count_per_head_sha,
    test_ignored_delivery_is_remembered_without_a_job,
    test_job_of_a_crashed_worker_is_retried_after_its_lease,
    test_live_worker_extends_its_lease_and_a_lost_lease_stays_lost,
    test_lock_is_exclusive_until_released,
    test_owner_renews_its_lock,
    test_prune_keeps_unfinished_work,
    test_run_record_rejects_bad_thread_ids,
    test_run_record_round_trip_and_lookups,
    test_worker_dying_on_last_attempt_marks_job_failed,
)

pytestmark = pytest.mark.postgres

MakeStore = Callable[[], Store]


@pytest.fixture
def make_store(migrated_url: str, clock: FakeClock) -> Iterator[MakeStore]:  # noqa: F811 - overrides test_store's
    """Opens another `PostgresStore` on the same database each call, as another process would."""
    opened: list[Store] = []

    def factory() -> Store:
        opened.append(PostgresStore(migrated_url, clock=clock))
        return opened[-1]

    yield factory
    for s in opened:
        s.close()


# --- what only PostgreSQL adds -----------------------------------------------------------------------


def test_open_store_picks_postgres_for_its_urls(migrated_url: str) -> None:
    for url in (migrated_url, migrated_url.replace("postgresql://", "postgresql+psycopg://", 1)):
        opened = open_store(url)
        assert isinstance(opened, PostgresStore)
        opened.ping()
        opened.close()


def test_unmigrated_database_is_refused_with_the_command_to_run(postgres_url: str) -> None:
    with pytest.raises(
        StoreError, match=r"is not migrated \(missing: 0001_store.*run `autopilot db upgrade`"
    ):
        PostgresStore(postgres_url)


def test_unreachable_server_names_the_url_without_its_password() -> None:
    with pytest.raises(
        StoreError, match=r"cannot connect to PostgreSQL at postgresql://u:\*\*\*@127.0.0.1:9/x"
    ):
        open_store("postgresql://u:hunter2@127.0.0.1:9/x")


def test_ping_fails_on_a_closed_store(migrated_url: str) -> None:
    opened = PostgresStore(migrated_url)
    opened.ping()
    opened.close()
    with pytest.raises(StoreError, match="does not answer"):
        opened.ping()


def test_dead_workers_lease_and_thread_lock_are_freed_for_the_retry(make_store: MakeStore) -> None:
    s = make_store()
    deliver(s, "d-1")
    claimed = s.claim_job("run-7.1@worker-a", lease_seconds=600)
    assert claimed is not None
    assert s.acquire_lock("thread:acme/shop#1", "run-7.1@worker-a:d-1", ttl_seconds=900)
    assert s.acquire_lock(
        "thread:acme/shop#2", "run-7.1@worker-a:d-2", ttl_seconds=900
    )  # another job's: kept
    assert s.claim_job("worker-b", job_id="d-1") is None  # the lease still holds

    assert isinstance(s, PostgresStore)
    assert s.release_dead_lease("d-1", "run-6.") is None  # someone else's run: untouched
    assert s.release_dead_lease("d-1", "run-7.1@") == "run-7.1@worker-a"
    retried = s.claim_job("worker-b", job_id="d-1")
    assert retried is not None and retried.attempts == 2 and retried.lease_owner == "worker-b"
    assert s.acquire_lock("thread:acme/shop#1", "worker-b:d-1", ttl_seconds=900)
    assert not s.acquire_lock("thread:acme/shop#2", "worker-b:d-1", ttl_seconds=900)
    assert s.release_dead_lease("missing", "run-7.1@") is None
    assert s.release_dead_lease("d-1", "run-7.1@") is None  # a late call cannot free the retry's lease
    assert s.complete_job("d-1", "run-7.1@worker-a") is False and s.complete_job("d-1", "worker-b") is True


def test_due_jobs_finds_queued_work_nobody_enqueued(make_store: MakeStore, clock: FakeClock) -> None:  # noqa: F811
    s = make_store()
    assert isinstance(s, PostgresStore)
    deliver(s, "d-1")
    deliver(s, "d-2")
    s.claim_job("w", job_id="d-2")
    assert s.due_jobs(older_than=30) == []  # just recorded: its server is enqueueing it
    clock.advance(31)
    assert s.due_jobs(older_than=30) == ["d-1"]


def test_many_processes_claim_and_lock_without_double_work(make_store: MakeStore) -> None:
    seed = make_store()
    for i in range(40):
        deliver(seed, f"d-{i:02d}")
    ran: list[str] = []
    inside: set[str] = set()  # threads whose lock is held right now
    overlaps: list[str] = []
    guard = threading.Lock()

    def worker(name: str) -> None:
        s = make_store()
        while (job := s.claim_job(name)) is not None:
            thread = f"acme/shop#{int(job.id[2:]) % 5 + 1}"
            while not s.acquire_lock(f"thread:{thread}", f"{name}:{job.id}", ttl_seconds=60):
                time.sleep(0.001)
            with guard:
                if thread in inside:
                    overlaps.append(thread)
                inside.add(thread)
                ran.append(job.id)
            s.record_commit(thread, by_bot=True)
            with guard:
                inside.discard(thread)
            assert s.release_lock(f"thread:{thread}", f"{name}:{job.id}")
            assert s.complete_job(job.id, name)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert overlaps == []
    assert sorted(ran) == [f"d-{i:02d}" for i in range(40)]
    assert seed.job_counts()[JobStatus.DONE] == 40
    commits = [seed.get_run(f"acme/shop#{n}") for n in range(1, 6)]
    assert [r.bot_commits_in_a_row if r else 0 for r in commits] == [8] * 5
