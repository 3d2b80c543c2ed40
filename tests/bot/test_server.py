"""The webhook route: signed deliveries are recorded then dispatched once; everything else is refused."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from bot.config import Settings, SettingsError
from bot.metrics import BotMetrics
from bot.server import create_app
from bot.store import Job, JobStatus, SqliteStore, Store
from bot.store.base import Delivery, RecordedDelivery
from tests.fakes.webhooks import sign as signature_for

SECRET = "webhook-secret-for-tests"
FIXTURES = Path(__file__).parents[1] / "fixtures" / "webhooks"
COMMENT = (FIXTURES / "issue_comment.created.autopilot-chart.json").read_bytes()
PING = (FIXTURES / "ping.json").read_bytes()


def sign(body: bytes, secret: str = SECRET) -> str:
    return signature_for(body, secret)


def headers(
    body: bytes, delivery: str = "d-1", event: str = "issue_comment", signature: str | None = None
) -> dict[str, str]:
    return {
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery,
        "X-Hub-Signature-256": sign(body) if signature is None else signature,
        "Content-Type": "application/json",
    }


class RecordingDispatch:
    """A dispatch that records which jobs it was given (the runner plugs in here for real)."""

    def __init__(self) -> None:
        self.jobs: list[Job] = []
        self._lock = threading.Lock()

    async def __call__(self, job: Job) -> None:
        with self._lock:
            self.jobs.append(job)

    def wait_for(self, count: int, timeout: float = 3.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.jobs) < count:
            time.sleep(0.01)
        return [job.id for job in self.jobs]

    def wait_for_id(self, delivery: str, timeout: float = 3.0) -> list[str]:
        """Every delivery dispatched up to and including `delivery`, once it has been."""
        deadline = time.monotonic() + timeout
        while delivery not in (ids := [job.id for job in self.jobs]):
            assert time.monotonic() < deadline, f"{delivery} was never dispatched (got {ids})"
            time.sleep(0.01)
        return ids[: ids.index(delivery) + 1]


def make_settings(tmp_path: Path, **changes: object) -> Settings:
    base: dict[str, object] = {
        "webhook_secret": SecretStr(SECRET),
        "data_dir": tmp_path,
        "max_body_bytes": 64 * 1024,
    }
    return Settings.model_validate({**base, **changes})


class Server:
    def __init__(self, tmp_path: Path) -> None:
        self.settings = make_settings(tmp_path)
        self.store: Store = SqliteStore(tmp_path / "autopilot.db")
        self.dispatch = RecordingDispatch()
        self.metrics = BotMetrics()
        self.client = TestClient(create_app(self.settings, self.store, self.dispatch, metrics=self.metrics))


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path)
    with running.client:
        yield running
    running.store.close()


def post(server: Server, body: bytes, **kw: str) -> tuple[int, dict[str, object]]:
    response = server.client.post("/webhook", content=body, headers=headers(body, **kw))
    return response.status_code, response.json()


def dispatched_so_far(server: Server) -> list[str]:
    """The deliveries dispatched until now, known to be all of them without waiting a fixed time.

    A delivery is dispatched by a task created before its 202 is sent, and the event loop starts
    tasks in the order they were created: so once a fresh delivery posted now (the barrier) has
    been dispatched, any dispatch scheduled by an earlier request has been too."""
    barrier = f"barrier-{len(server.dispatch.jobs)}-{time.monotonic_ns()}"
    assert post(server, COMMENT, delivery=barrier)[0] == 202
    ids = server.dispatch.wait_for_id(barrier)
    assert ids[-1] == barrier
    return ids[:-1]


# --- accepted deliveries ---------------------------------------------------------------------------


def test_signed_delivery_is_recorded_then_dispatched_once(server: Server) -> None:
    status, body = post(server, COMMENT, delivery="d-1")
    assert (status, body) == (202, {"status": "queued", "delivery": "d-1"})
    assert server.dispatch.wait_for(1) == ["d-1"]
    job = server.dispatch.jobs[0]
    assert (job.event, job.action, job.payload, job.status) == (
        "issue_comment",
        "created",
        COMMENT,
        JobStatus.QUEUED,
    )
    stored = server.store.get_job("d-1")
    assert stored is not None and stored.payload == COMMENT


def test_duplicate_delivery_is_not_dispatched_again(server: Server) -> None:
    assert post(server, COMMENT, delivery="d-1")[0] == 202
    assert post(server, COMMENT, delivery="d-1") == (200, {"status": "duplicate", "delivery": "d-1"})
    assert dispatched_so_far(server) == ["d-1"]


def test_duplicate_after_restart_is_not_dispatched(tmp_path: Path) -> None:
    first = Server(tmp_path)
    with first.client:
        assert post(first, COMMENT, delivery="d-restart")[0] == 202
        first.dispatch.wait_for(1)
    first.store.close()

    second = Server(tmp_path)  # a new process over the same SQLite file
    with second.client:
        assert post(second, COMMENT, delivery="d-restart")[1]["status"] == "duplicate"
        assert dispatched_so_far(second) == []
    second.store.close()


def test_unknown_event_is_recorded_as_ignored(server: Server) -> None:
    assert post(server, PING, delivery="d-ping", event="ping") == (
        202,
        {"status": "ignored", "delivery": "d-ping"},
    )
    assert post(server, PING, delivery="d-ping", event="ping")[1]["status"] == "duplicate"
    assert dispatched_so_far(server) == []
    assert server.store.get_job("d-ping") is None


def test_failing_dispatch_leaves_the_job_for_a_worker(tmp_path: Path) -> None:
    async def broken(job: Job) -> None:
        raise RuntimeError("runner is down")

    store = SqliteStore(tmp_path / "x.db")
    with TestClient(create_app(make_settings(tmp_path), store, broken, metrics=BotMetrics())) as client:
        response = client.post("/webhook", content=COMMENT, headers=headers(COMMENT, delivery="d-9"))
        assert response.status_code == 202
    job = store.claim_job("worker")
    assert job is not None and job.id == "d-9"
    store.close()


# --- refused deliveries ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "signature",
    [
        "",
        "sha256=" + "0" * 64,
        sign(COMMENT, secret="another-secret"),
        "sha1=" + hmac.new(SECRET.encode(), COMMENT, hashlib.sha1).hexdigest(),
        sign(COMMENT).upper(),
    ],
    ids=["missing", "zeros", "wrong-secret", "sha1-only", "upper-case"],
)
def test_bad_or_missing_signature_is_401(server: Server, signature: str) -> None:
    status, body = post(server, COMMENT, signature=signature)
    assert status == 401
    assert body["error"] == "missing or invalid X-Hub-Signature-256"
    assert server.store.get_job("d-1") is None


def test_signature_must_cover_the_exact_body(server: Server) -> None:
    tampered = COMMENT.replace(b"nginx", b"nginX")
    response = server.client.post("/webhook", content=tampered, headers=headers(COMMENT))
    assert response.status_code == 401


def test_oversized_declared_body_is_413(server: Server) -> None:
    big = b"{" + b" " * (64 * 1024) + b"}"
    status, body = post(server, big)
    assert status == 413 and body["status"] == "too_large"


def test_oversized_streamed_body_is_413(server: Server) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b"x" * 4096  # 400 KiB without a Content-Length

    response = server.client.post("/webhook", content=chunks(), headers=headers(b"irrelevant"))
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("drop", "value"),
    [("X-GitHub-Event", None), ("X-GitHub-Delivery", None), ("X-GitHub-Delivery", "bad id with spaces")],
)
def test_missing_event_or_delivery_header_is_400(server: Server, drop: str, value: str | None) -> None:
    sent = headers(COMMENT)
    if value is None:
        del sent[drop]
    else:
        sent[drop] = value
    response = server.client.post("/webhook", content=COMMENT, headers=sent)
    assert response.status_code == 400
    assert "X-GitHub-Event and X-GitHub-Delivery" in response.json()["error"]


def test_signed_body_that_is_not_json_is_400(server: Server) -> None:
    status, body = post(server, b"not json", delivery="d-bad")
    assert status == 400 and body["error"] == "body is not a JSON object"
    assert post(server, COMMENT, delivery="d-bad")[0] == 202  # nothing was recorded for the bad one


def test_server_refuses_to_start_without_a_secret(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="AUTOPILOT_WEBHOOK_SECRET is not set"):
        create_app(make_settings(tmp_path, webhook_secret=None), SqliteStore(":memory:"), RecordingDispatch())


# --- health and metrics ----------------------------------------------------------------------------


def test_healthz_reports_the_store(server: Server) -> None:
    post(server, COMMENT, delivery="d-1")
    response = server.client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "jobs": {"queued": 1, "running": 0, "done": 0, "failed": 0}}
    server.store.close()
    broken = server.client.get("/healthz")
    assert broken.status_code == 503 and broken.json()["status"] == "unavailable"


def test_store_failure_is_503_so_github_retries(server: Server) -> None:
    server.store.close()
    status, body = post(server, COMMENT, delivery="d-1")
    assert status == 503 and body["status"] == "store_unavailable"


def test_other_methods_on_the_webhook_are_405(server: Server) -> None:
    response = server.client.get("/webhook")
    assert response.status_code == 405 and response.headers["allow"] == "POST"


class _StoreThatBreaks(SqliteStore):
    """A store with a bug the server did not foresee (not a StoreError)."""

    def record_deliveries(self, deliveries: Sequence[Delivery]) -> list[RecordedDelivery]:
        if any(d.id.startswith("boom") for d in deliveries):
            raise RuntimeError("unforeseen")
        return super().record_deliveries(deliveries)


def test_unexpected_error_is_500_and_the_next_delivery_still_works(tmp_path: Path) -> None:
    store = _StoreThatBreaks(tmp_path / "autopilot.db")
    app = create_app(make_settings(tmp_path), store, RecordingDispatch(), metrics=BotMetrics())
    with TestClient(app, raise_server_exceptions=False) as client:
        broken = client.post("/webhook", content=COMMENT, headers=headers(COMMENT, delivery="boom-1"))
        assert broken.status_code == 500 and broken.json()["status"] == "error"
        fine = client.post("/webhook", content=COMMENT, headers=headers(COMMENT, delivery="d-after"))
        assert fine.status_code == 202
    store.close()


def test_metrics_count_outcomes(server: Server) -> None:
    post(server, COMMENT, delivery="d-1")
    post(server, COMMENT, delivery="d-1")
    post(server, PING, delivery="d-2", event="ping")
    post(server, COMMENT, delivery="d-3", signature="sha256=bad")
    response = server.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = response.text
    assert 'autopilot_webhook_deliveries_total{event="issue_comment",outcome="queued"} 1' in text
    assert 'autopilot_webhook_deliveries_total{event="issue_comment",outcome="duplicate"} 1' in text
    assert 'autopilot_webhook_deliveries_total{event="other",outcome="ignored"} 1' in text
    assert 'autopilot_webhook_deliveries_total{event="other",outcome="unauthorized"} 1' in text
    assert 'autopilot_webhook_response_seconds_count{outcome="queued"} 1' in text
    assert "# TYPE autopilot_github_api_calls_total counter" in text


def test_metrics_text_format() -> None:
    """prometheus-client writes the text format; the names, labels and escaping are the bot's."""
    metrics = BotMetrics()
    metrics.observe_github_call('/repos/{owner}/"x"\n', "ok")
    metrics.observe_github_call("pulls.create", "5xx")
    metrics.observe_github_call("pulls.create", "5xx")
    for seconds in (0.001, 0.0011, 10.0, 11.0):  # a bound itself falls in its own bucket (le)
        metrics.webhook_seconds.labels(outcome="queued").observe(seconds)
    lines = metrics.render().splitlines()
    assert "# TYPE autopilot_github_api_calls_total counter" in lines
    assert 'autopilot_github_api_calls_total{route="/repos/{owner}/\\"x\\"\\n",status="ok"} 1.0' in lines
    assert 'autopilot_github_api_calls_total{route="pulls.create",status="5xx"} 2.0' in lines
    assert 'autopilot_github_api_errors_total{route="pulls.create"} 2.0' in lines
    assert "# TYPE autopilot_webhook_response_seconds histogram" in lines
    buckets = [line.rsplit(" ", 1)[1] for line in lines if "_bucket" in line]
    assert (buckets[0], buckets[1], buckets[-2], buckets[-1]) == ("1.0", "2.0", "3.0", "4.0")
    assert 'autopilot_webhook_response_seconds_count{outcome="queued"} 4.0' in lines
    assert not [line for line in lines if "_created" in line]


def test_metrics_refuse_wrong_labels() -> None:
    metrics = BotMetrics()
    with pytest.raises(ValueError):
        metrics.runs.labels(status="200")
    with pytest.raises(ValueError):
        metrics.runs.labels(stage="plan").inc(-1)


def test_concurrent_burst_is_group_committed_and_dispatched_once(tmp_path: Path) -> None:
    """60 deliveries at once (30 ids, each sent twice): 30 queued, 30 duplicates, 30 dispatches."""
    import asyncio

    import httpx

    store = SqliteStore(tmp_path / "burst.db")
    dispatch = RecordingDispatch()
    app = create_app(make_settings(tmp_path), store, dispatch, metrics=BotMetrics())

    async def burst() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
            ids = [f"burst-{i % 30}" for i in range(60)]
            responses = await asyncio.gather(
                *(client.post("/webhook", content=COMMENT, headers=headers(COMMENT, delivery=d)) for d in ids)
            )
            # a last delivery's dispatch runs after every earlier one (dispatched_so_far): once it
            # is in, every dispatch is, before asyncio.run ends the loop
            barrier = await client.post(
                "/webhook", content=COMMENT, headers=headers(COMMENT, delivery="last")
            )
            assert barrier.status_code == 202
            deadline = time.monotonic() + 3
            while "last" not in [job.id for job in dispatch.jobs]:
                assert time.monotonic() < deadline, "the last delivery was never dispatched"
                await asyncio.sleep(0.001)
            return [r.status_code for r in responses]

    statuses = asyncio.run(burst())
    assert sorted(statuses) == [200] * 30 + [202] * 30
    assert sorted(job.id for job in dispatch.jobs) == sorted([*(f"burst-{i}" for i in range(30)), "last"])
    assert store.job_counts()[JobStatus.QUEUED] == 31  # and the last one
    store.close()
