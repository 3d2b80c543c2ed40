"""The durable store's contract: dedupe, jobs that survive crashes, run records, expiring locks.

Tests take a `make_store(path, clock)` factory so a PostgreSQL backend can join the
parametrisation later and be held to the same behaviour.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.store import JobStatus, RunRecord, SqliteStore, Store, StoreError, open_store
from bot.store.base import Delivery, Job


class FakeClock:
    """Time that moves only when the test says so."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


MakeStore = Callable[[], Store]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["sqlite"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock) -> Iterator[MakeStore]:
    """Opens a store over the same database each call, as a restarted process would."""
    opened: list[Store] = []

    def factory() -> Store:
        store = SqliteStore(tmp_path / "autopilot.db", clock=clock)
        opened.append(store)
        return store

    yield factory
    for store in opened:
        store.close()


@pytest.fixture
def store(make_store: MakeStore) -> Store:
    return make_store()


def deliver(store: Store, delivery_id: str, event: str = "issue_comment", enqueue: bool = True) -> bool:
    return store.record_delivery(
        delivery_id, event, "created", b'{"n": "' + delivery_id.encode() + b'"}', enqueue=enqueue
    )


# --- deliveries ------------------------------------------------------------------------------------


def test_delivery_is_recorded_once(store: Store) -> None:
    assert deliver(store, "d-1") is True
    assert deliver(store, "d-1") is False
    assert store.job_counts()[JobStatus.QUEUED] == 1


def test_duplicate_is_still_seen_after_restart(make_store: MakeStore) -> None:
    first = make_store()
    assert deliver(first, "d-1")
    first.close()
    assert deliver(make_store(), "d-1") is False


def test_batch_of_deliveries_in_one_commit(store: Store) -> None:
    batch = [
        Delivery(id="b-1", event="issue_comment", action="created", payload=b"{}"),
        Delivery(id="b-2", event="ping", action="", payload=b"{}", enqueue=False),
        Delivery(
            id="b-1", event="issue_comment", action="created", payload=b"{}"
        ),  # same id twice in a batch
    ]
    first, second, third = store.record_deliveries(batch)
    assert first.new and first.job is not None and first.job.status == JobStatus.QUEUED
    assert first.job == store.get_job("b-1")
    assert second.new and second.job is None
    assert not third.new and third.job is None
    assert [r.new for r in store.record_deliveries(batch[:2])] == [False, False]


def test_batch_larger_than_one_statement_records_every_delivery_once(store: Store) -> None:
    batch = [
        Delivery(id=f"big-{i}", event="issue_comment", action="created", payload=b"{}") for i in range(2500)
    ]
    batch += [batch[7], batch[2499]]  # repeats inside the batch, past the first statement's rows
    results = store.record_deliveries(batch)
    assert [r.new for r in results] == [True] * 2500 + [False, False]
    assert store.job_counts()[JobStatus.QUEUED] == 2500
    again = store.record_deliveries(
        [batch[1234], Delivery(id="big-new", event="ping", action="", payload=b"{}")]
    )
    assert [r.new for r in again] == [False, True]


def test_recorded_delivery_is_visible_to_another_connection(tmp_path: Path) -> None:
    import sqlite3

    store = SqliteStore(tmp_path / "x.db")
    deliver(store, "d-1")
    store.close()
    with sqlite3.connect(tmp_path / "x.db") as check:
        assert check.execute("SELECT COUNT(*) FROM jobs").fetchone()[0] == 1


WEBHOOK_BODY = (
    Path(__file__).parents[1] / "fixtures" / "webhooks" / "issue_comment.created.autopilot-chart.json"
).read_bytes()


def test_sqlite_keeps_payloads_compressed_and_reads_them_back(tmp_path: Path) -> None:
    import sqlite3

    store = SqliteStore(tmp_path / "x.db")
    store.record_deliveries(
        [Delivery(id="d-big", event="issue_comment", action="created", payload=WEBHOOK_BODY)]
    )
    with sqlite3.connect(tmp_path / "x.db") as check:
        (stored,) = check.execute("SELECT payload FROM jobs WHERE id = 'd-big'").fetchone()
    assert len(stored) < len(WEBHOOK_BODY) / 3
    job = store.claim_job("w", job_id="d-big")
    assert job is not None and job.payload == WEBHOOK_BODY
    store.close()


def test_sqlite_reads_payloads_stored_before_compression(tmp_path: Path) -> None:
    import sqlite3

    store = SqliteStore(tmp_path / "x.db")
    store.record_deliveries([Delivery(id="d-old", event="issue_comment", action="created", payload=b"{}")])
    with sqlite3.connect(tmp_path / "x.db") as old_writer:  # as an earlier version left the row
        old_writer.execute("UPDATE jobs SET payload = ? WHERE id = 'd-old'", (WEBHOOK_BODY,))
    job = store.get_job("d-old")
    assert job is not None and job.payload == WEBHOOK_BODY
    store.close()


def test_ignored_delivery_is_remembered_without_a_job(store: Store) -> None:
    assert deliver(store, "d-ping", event="ping", enqueue=False)
    assert store.get_job("d-ping") is None
    assert deliver(store, "d-ping", event="ping", enqueue=False) is False


def test_concurrent_redeliveries_accept_each_id_once(make_store: MakeStore) -> None:
    stores = [make_store() for _ in range(4)]  # separate connections, as separate processes have
    accepted: list[str] = []
    guard = threading.Lock()

    def worker(store: Store) -> None:
        for i in range(40):
            if deliver(store, f"d-{i}"):
                with guard:
                    accepted.append(f"d-{i}")

    threads = [threading.Thread(target=worker, args=(s,)) for s in stores for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(accepted) == sorted(f"d-{i}" for i in range(40))


# --- jobs ------------------------------------------------------------------------------------------


def test_claim_runs_oldest_first_and_counts_attempts(store: Store, clock: FakeClock) -> None:
    deliver(store, "d-1")
    clock.advance(1)
    deliver(store, "d-2")
    job = store.claim_job("w1")
    assert isinstance(job, Job)
    assert (job.id, job.status, job.attempts, job.lease_owner) == ("d-1", JobStatus.RUNNING, 1, "w1")
    assert job.payload == b'{"n": "d-1"}'
    second = store.claim_job("w2")
    assert second is not None and second.id == "d-2"
    assert store.claim_job("w3") is None


def test_claim_a_specific_job(store: Store) -> None:
    deliver(store, "d-1")
    deliver(store, "d-2")
    job = store.claim_job("w1", job_id="d-2")
    assert job is not None and job.id == "d-2"
    assert store.claim_job("w1", job_id="d-2") is None  # already leased
    assert store.claim_job("w1", job_id="missing") is None


def test_complete_needs_the_lease(store: Store) -> None:
    deliver(store, "d-1")
    assert store.claim_job("w1") is not None
    assert store.complete_job("d-1", "someone-else") is False
    assert store.complete_job("d-1", "w1") is True
    job = store.get_job("d-1")
    assert job is not None and job.status == JobStatus.DONE
    assert store.claim_job("w1") is None


def test_job_of_a_crashed_worker_is_retried_after_its_lease(make_store: MakeStore, clock: FakeClock) -> None:
    before_crash = make_store()
    deliver(before_crash, "d-1")
    assert before_crash.claim_job("dead-worker", lease_seconds=60) is not None
    before_crash.close()  # the process is killed mid-job

    after_restart = make_store()
    assert after_restart.claim_job("w2") is None  # the lease still holds
    clock.advance(61)
    job = after_restart.claim_job("w2")
    assert job is not None and job.id == "d-1" and job.attempts == 2 and job.lease_owner == "w2"
    assert after_restart.complete_job("d-1", "dead-worker") is False
    assert after_restart.complete_job("d-1", "w2") is True


def test_live_worker_extends_its_lease_and_a_lost_lease_stays_lost(store: Store, clock: FakeClock) -> None:
    deliver(store, "d-1")
    assert store.claim_job("w1", lease_seconds=60) is not None
    clock.advance(50)
    assert store.extend_lease("d-1", "w1", lease_seconds=60) is True
    assert store.extend_lease("d-1", "w2", lease_seconds=60) is False  # not its lease
    clock.advance(50)  # past the first lease, within the renewed one
    assert store.claim_job("w2") is None
    clock.advance(11)
    assert store.extend_lease("d-1", "w1", lease_seconds=60) is False  # expired: the job may be retried
    job = store.claim_job("w2")
    assert job is not None and job.lease_owner == "w2"
    assert store.extend_lease("d-1", "w1", lease_seconds=60) is False
    assert store.complete_job("d-1", "w2") is True
    assert store.extend_lease("d-1", "w2", lease_seconds=60) is False  # done: nothing to extend


def test_accepted_but_never_claimed_job_survives_restart(make_store: MakeStore) -> None:
    first = make_store()
    deliver(first, "d-1")
    first.close()
    job = make_store().claim_job("w1")
    assert job is not None and job.id == "d-1"


def test_failed_job_retries_later_then_gives_up(store: Store, clock: FakeClock) -> None:
    deliver(store, "d-1")
    for attempt in (1, 2):
        job = store.claim_job("w1")
        assert job is not None and job.attempts == attempt
        assert store.fail_job("d-1", "w1", f"boom {attempt}", retry_in=10) == JobStatus.QUEUED
        assert store.claim_job("w1") is None  # not due yet
        clock.advance(10)
    assert store.claim_job("w1") is not None
    assert store.fail_job("d-1", "w1", "boom 3") == JobStatus.FAILED
    clock.advance(1000)
    assert store.claim_job("w1") is None
    job = store.get_job("d-1")
    assert job is not None and job.status == JobStatus.FAILED and job.last_error == "boom 3"
    assert store.fail_job("d-1", "w1", "again") is None  # no lease any more


def test_worker_dying_on_last_attempt_marks_job_failed(store: Store, clock: FakeClock) -> None:
    deliver(store, "d-1")
    for _ in range(3):
        assert store.claim_job("w", lease_seconds=5) is not None
        clock.advance(6)
    assert store.claim_job("w") is None
    job = store.get_job("d-1")
    assert job is not None and job.status == JobStatus.FAILED
    assert job.last_error is not None and "lease expired" in job.last_error


def test_concurrent_claims_never_share_a_job(make_store: MakeStore) -> None:
    seed = make_store()
    for i in range(30):
        deliver(seed, f"d-{i:02d}")
    claimed: list[str] = []
    guard = threading.Lock()

    def worker(store: Store, name: str) -> None:
        while (job := store.claim_job(name)) is not None:
            with guard:
                claimed.append(job.id)
            store.complete_job(job.id, name)

    threads = [threading.Thread(target=worker, args=(make_store(), f"w{i}")) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(claimed) == [f"d-{i:02d}" for i in range(30)]
    assert seed.job_counts()[JobStatus.DONE] == 30


def test_prune_keeps_unfinished_work(store: Store, clock: FakeClock) -> None:
    deliver(store, "old-done")
    store.claim_job("w", job_id="old-done")
    store.complete_job("old-done", "w")
    deliver(store, "old-queued")
    clock.advance(100)
    assert store.prune(before=clock.now - 50) == 2  # the done job and its delivery
    assert store.get_job("old-done") is None
    assert store.get_job("old-queued") is not None
    assert deliver(store, "old-queued") is False


# --- run records -----------------------------------------------------------------------------------


def test_run_record_round_trip_and_lookups(make_store: MakeStore) -> None:
    store = make_store()
    saved = store.save_run(
        RunRecord(
            thread_id="acme/shop#12",
            stage="validate",
            status_comment_id=991,
            pr_number=13,
            branch="autopilot/nginx",
            heal_attempts={"abc123": 2},
        )
    )
    assert saved.updated_at > 0
    again = make_store().get_run("acme/shop#12")
    assert again == saved
    assert store.find_run_by_pr("acme/shop", 13) == saved
    assert store.find_run_by_branch("acme/shop", "autopilot/nginx") == saved
    assert store.find_run_by_pr("acme/other", 13) is None
    assert store.get_run("acme/shop#99") is None


def test_heal_attempts_count_per_head_sha(store: Store) -> None:
    assert store.add_heal_attempt("acme/shop#1", "sha-a") == 1
    assert store.add_heal_attempt("acme/shop#1", "sha-a") == 2
    assert store.add_heal_attempt("acme/shop#1", "sha-b") == 1
    run = store.get_run("acme/shop#1")
    assert run is not None and run.heal_attempts == {"sha-a": 2, "sha-b": 1}
    store.save_run(run.model_copy(update={"stage": "pr"}))
    kept = store.get_run("acme/shop#1")
    assert kept is not None and kept.heal_attempts == {"sha-a": 2, "sha-b": 1} and kept.stage == "pr"


def test_bot_commits_in_a_row_reset_by_a_human(store: Store) -> None:
    assert store.record_commit("acme/shop#1", by_bot=True) == 1
    assert store.record_commit("acme/shop#1", by_bot=True) == 2
    assert store.record_commit("acme/shop#1", by_bot=False) == 0
    assert store.record_commit("acme/shop#1", by_bot=True) == 1


@pytest.mark.parametrize("bad", ["acme/shop", "shop#1", "acme/shop#0", "a/b/c#1", "acme/shop#x"])
def test_run_record_rejects_bad_thread_ids(store: Store, bad: str) -> None:
    with pytest.raises(ValidationError, match="is not 'owner/repo#number'"):
        store.add_heal_attempt(bad, "sha")


# --- locks -----------------------------------------------------------------------------------------


def test_lock_is_exclusive_until_released(store: Store) -> None:
    assert store.acquire_lock("acme/shop#1", "w1", ttl_seconds=30)
    assert not store.acquire_lock("acme/shop#1", "w2", ttl_seconds=30)
    assert store.acquire_lock("acme/shop#2", "w2", ttl_seconds=30)  # other threads are independent
    assert not store.release_lock("acme/shop#1", "w2")
    assert store.release_lock("acme/shop#1", "w1")
    assert store.acquire_lock("acme/shop#1", "w2", ttl_seconds=30)


def test_owner_renews_its_lock(store: Store, clock: FakeClock) -> None:
    assert store.acquire_lock("t", "w1", ttl_seconds=30)
    clock.advance(25)
    assert store.acquire_lock("t", "w1", ttl_seconds=30)  # renewed to now + 30
    clock.advance(25)
    assert not store.acquire_lock("t", "w2", ttl_seconds=30)
    lock = store.get_lock("t")
    assert lock is not None and lock.owner == "w1"


def test_dead_workers_lock_is_taken_over_after_expiry(make_store: MakeStore, clock: FakeClock) -> None:
    dead = make_store()
    assert dead.acquire_lock("acme/shop#1", "dead", ttl_seconds=30)
    dead.close()
    alive = make_store()
    assert not alive.acquire_lock("acme/shop#1", "w2", ttl_seconds=30)
    clock.advance(30)
    assert alive.get_lock("acme/shop#1") is None
    assert alive.acquire_lock("acme/shop#1", "w2", ttl_seconds=30)
    assert not alive.release_lock("acme/shop#1", "dead")  # the late worker cannot free the new owner's lock
    lock = alive.get_lock("acme/shop#1")
    assert lock is not None and lock.owner == "w2"


# --- opening ---------------------------------------------------------------------------------------


def test_open_store_urls(tmp_path: Path) -> None:
    for url in (f"sqlite:///{tmp_path}/a/x.db", str(tmp_path / "b" / "y.db"), "sqlite://:memory:"):
        store = open_store(url)
        assert deliver(store, "d")
        store.ping()
        store.close()
    assert (tmp_path / "a" / "x.db").exists() and (tmp_path / "b" / "y.db").exists()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # port 1 on loopback: nothing listens there, so the refusal is immediate on any machine
        ("postgresql://u@127.0.0.1:1/db", "cannot connect to PostgreSQL at postgresql://u@127.0.0.1:1/db"),
        ("mysql://u@localhost/db", "scheme 'mysql' is not supported"),
        ("sqlite:///", "names no file"),
    ],
)
def test_open_store_refuses_what_it_cannot_open(url: str, expected: str) -> None:
    with pytest.raises(StoreError, match=expected):
        open_store(url)


def test_unwritable_location_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StoreError, match="cannot open the SQLite store"):
        SqliteStore(blocker / "sub" / "x.db")


def test_ping_fails_on_a_closed_store(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "x.db")
    store.ping()
    store.close()
    with pytest.raises(StoreError, match="does not answer"):
        store.ping()
