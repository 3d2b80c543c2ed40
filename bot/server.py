"""The webhook front door: verify, deduplicate, record durably, answer 202, dispatch in the background.

The route does nothing else (no GitHub calls, no parsing beyond `action`), so GitHub gets
its answer in milliseconds; the runner plugged in as `dispatch` does the work.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TypeVar

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from githubkit.webhooks import verify

from bot.config import Settings, SettingsError
from bot.events import HANDLED_EVENTS
from bot.metrics import CONTENT_TYPE, BotMetrics, process_metrics
from bot.store import Delivery, Job, Store, StoreError

log = logging.getLogger("autopilot.server")

Dispatch = Callable[[Job], Awaitable[None]]
_T = TypeVar("_T")

SIGNATURE_HEADER = "x-hub-signature-256"
EVENT_HEADER = "x-github-event"
DELIVERY_HEADER = "x-github-delivery"
_DELIVERY_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_EVENT_NAME = re.compile(r"^[a-z_]{1,64}$")
SHUTDOWN_GRACE_SECONDS = 5.0


class _BodyTooLarge(Exception):
    pass


@dataclass(frozen=True)
class _Accepted:
    outcome: str  # "queued", "duplicate", "ignored" or "bad_request"
    job: Job | None = None
    detail: str = ""


def _action_of(body: bytes) -> str | None:
    """The payload's `action` ("" when it has none); None when the body is not a JSON object."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    action = data.get("action")
    return action if isinstance(action, str) else ""


@dataclass(frozen=True)
class _Incoming:
    delivery_id: str
    event: str
    body: bytes


def _accept_batch(store: Store, batch: Sequence[_Incoming]) -> list[_Accepted]:
    """Runs on the store thread: read each `action`, record the whole batch in one durable commit."""
    accepted: list[_Accepted | None] = []
    deliveries: list[Delivery] = []
    for item in batch:
        action = _action_of(item.body)
        if action is None:
            accepted.append(_Accepted("bad_request", detail="body is not a JSON object"))
            continue
        accepted.append(None)
        deliveries.append(
            Delivery(
                id=item.delivery_id,
                event=item.event,
                action=action[:64],
                payload=item.body,
                enqueue=item.event in HANDLED_EVENTS,
            )
        )
    recorded = iter(store.record_deliveries(deliveries) if deliveries else [])
    results = []
    for slot in accepted:
        if slot is not None:
            results.append(slot)
            continue
        outcome = next(recorded)
        if not outcome.new:
            results.append(_Accepted("duplicate"))
        elif outcome.job is None:
            results.append(_Accepted("ignored"))
        else:
            results.append(_Accepted("queued", job=outcome.job))
    return results


class _DeliveryWriter:
    """Group commit: deliveries that arrive while a commit is syncing share the next one.

    One fsync per batch instead of per delivery keeps the answer in milliseconds under
    bursts while every 202 is still backed by a synced write. One store thread serves it,
    so SQLite sees writes in arrival order.
    """

    MAX_BATCH = 256

    def __init__(self, store: Store) -> None:
        self._store = store
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="autopilot-store")
        self._waiting: list[tuple[_Incoming, asyncio.Future[_Accepted]]] = []
        self._flushing: asyncio.Task[None] | None = None

    async def submit(self, item: _Incoming) -> _Accepted:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[_Accepted] = loop.create_future()
        self._waiting.append((item, future))
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        loop = asyncio.get_running_loop()
        while self._waiting:
            batch, self._waiting = self._waiting[: self.MAX_BATCH], self._waiting[self.MAX_BATCH :]
            try:
                results = await loop.run_in_executor(
                    self._thread, _accept_batch, self._store, [item for item, _ in batch]
                )
            except Exception as err:  # every waiter gets the store's error (→ 503, GitHub retries)
                for _, future in batch:
                    if not future.done():
                        future.set_exception(err)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)

    async def run(self, call: Callable[[], _T]) -> _T:
        """Run a small store call on the store thread (health checks)."""
        return await asyncio.get_running_loop().run_in_executor(self._thread, call)

    def close(self) -> None:
        self._thread.shutdown(wait=True)


async def _read_body(request: Request, limit: int) -> bytes:
    """Read at most `limit` bytes; stop as soon as the stream goes over it."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(
    settings: Settings, store: Store, dispatch: Dispatch, *, metrics: BotMetrics | None = None
) -> FastAPI:
    """The FastAPI app: `POST /webhook`, `GET /healthz`, `GET /metrics`."""
    if settings.webhook_secret is None or not settings.webhook_secret.get_secret_value():
        raise SettingsError(
            "AUTOPILOT_WEBHOOK_SECRET is not set: the server refuses unsigned webhooks; "
            "use the secret configured in the App's webhook settings"
        )
    secret = settings.webhook_secret.get_secret_value()
    limit = settings.max_body_bytes
    counters = metrics or process_metrics()
    pending: set[asyncio.Task[None]] = set()
    writer = _DeliveryWriter(store)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if pending:  # let scheduled dispatches finish; their jobs stay in the store either way
            await asyncio.wait(set(pending), timeout=SHUTDOWN_GRACE_SECONDS)
        writer.close()

    app = FastAPI(title="k8s-autopilot", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)

    def answer(status: int, outcome: str, event: str, started: float, **body: str) -> JSONResponse:
        label = event if event in HANDLED_EVENTS else "other"
        counters.deliveries.inc(event=label, outcome=outcome)
        counters.webhook_seconds.observe(time.perf_counter() - started, outcome=outcome)
        return JSONResponse({"status": outcome, **body}, status_code=status)

    def run_dispatch(job: Job) -> None:
        async def guarded() -> None:
            try:
                await dispatch(job)
            except Exception:  # the job stays in the store; a worker retries it after its lease
                log.exception("dispatch of delivery %s (%s) failed", job.id, job.event)

        task = asyncio.create_task(guarded(), name=f"dispatch-{job.id}")
        pending.add(task)
        task.add_done_callback(pending.discard)

    @app.post("/webhook")
    async def webhook(request: Request) -> Response:
        started = time.perf_counter()
        headers = request.headers
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.isdigit():
                return answer(400, "bad_request", "", started, error="Content-Length is not a number")
            if int(declared) > limit:
                return answer(413, "too_large", "", started, error=f"body over {limit} bytes")
        try:
            body = await _read_body(request, limit)
        except _BodyTooLarge:
            return answer(413, "too_large", "", started, error=f"body over {limit} bytes")

        signature = headers.get(SIGNATURE_HEADER, "")
        if not signature.startswith("sha256=") or not verify(secret, body, signature):
            log.warning("rejected webhook with %s signature", "a bad" if signature else "no")
            return answer(401, "unauthorized", "", started, error="missing or invalid X-Hub-Signature-256")

        event = headers.get(EVENT_HEADER, "")
        delivery_id = headers.get(DELIVERY_HEADER, "")
        if not _EVENT_NAME.match(event) or not _DELIVERY_ID.match(delivery_id):
            return answer(
                400,
                "bad_request",
                "",
                started,
                error="X-GitHub-Event and X-GitHub-Delivery headers are required",
            )

        try:
            accepted = await writer.submit(_Incoming(delivery_id, event, body))
        except StoreError as err:
            log.error("could not record delivery %s: %s", delivery_id, err)
            return answer(
                503, "store_unavailable", event, started, error="cannot record the delivery; retry later"
            )
        log.info("delivery %s event=%s outcome=%s", delivery_id, event, accepted.outcome)
        if accepted.outcome == "bad_request":
            return answer(400, "bad_request", event, started, error=accepted.detail)
        if accepted.outcome == "duplicate":
            return answer(200, "duplicate", event, started, delivery=delivery_id)
        if accepted.outcome == "ignored":
            return answer(202, "ignored", event, started, delivery=delivery_id)
        if accepted.job is not None:
            run_dispatch(accepted.job)
        return answer(202, "queued", event, started, delivery=delivery_id)

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        try:
            counts = await writer.run(lambda: (store.ping(), store.job_counts())[1])
        except StoreError as err:
            return JSONResponse({"status": "unavailable", "error": str(err)}, status_code=503)
        return JSONResponse({"status": "ok", "jobs": {status.value: n for status, n in counts.items()}})

    @app.get("/metrics")
    async def metrics_text() -> PlainTextResponse:
        return PlainTextResponse(counters.render(), media_type=CONTENT_TYPE)

    return app
