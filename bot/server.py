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
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from githubkit.webhooks import verify

from bot.config import Settings, SettingsError
from bot.events import HANDLED_EVENTS
from bot.metrics import CONTENT_TYPE, BotMetrics, process_metrics
from bot.store import Job, Store, StoreError

log = logging.getLogger("autopilot.server")

Dispatch = Callable[[Job], Awaitable[None]]

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


def _accept(store: Store, delivery_id: str, event: str, body: bytes) -> _Accepted:
    """Runs in a worker thread: parse `action`, record the delivery (and its job) in one transaction."""
    action = _action_of(body)
    if action is None:
        return _Accepted("bad_request", detail="body is not a JSON object")
    handled = event in HANDLED_EVENTS
    if not store.record_delivery(delivery_id, event, action[:64], body, enqueue=handled):
        return _Accepted("duplicate")
    if not handled:
        return _Accepted("ignored")
    return _Accepted("queued", job=store.get_job(delivery_id))


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

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if pending:  # let scheduled dispatches finish; their jobs stay in the store either way
            await asyncio.wait(set(pending), timeout=SHUTDOWN_GRACE_SECONDS)

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
            accepted = await anyio.to_thread.run_sync(_accept, store, delivery_id, event, body)
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
            counts = await anyio.to_thread.run_sync(lambda: (store.ping(), store.job_counts())[1])
        except StoreError as err:
            return JSONResponse({"status": "unavailable", "error": str(err)}, status_code=503)
        return JSONResponse({"status": "ok", "jobs": {status.value: n for status, n in counts.items()}})

    @app.get("/metrics")
    async def metrics_text() -> PlainTextResponse:
        return PlainTextResponse(counters.render(), media_type=CONTENT_TYPE)

    return app
