"""The webhook front door: verify, deduplicate, record durably, answer 202, dispatch in the background.

The route does nothing else (no GitHub calls, no parsing beyond `action`), so GitHub gets
its answer in milliseconds; the runner plugged in as `dispatch` does the work.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import TypeVar

import orjson
from fastapi import FastAPI
from fastapi.responses import JSONResponse, PlainTextResponse
from githubkit.webhooks import verify
from starlette.types import Receive, Scope, Send

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
CONTENT_LENGTH_HEADER = "content-length"
_WANTED = {
    name.encode(): name for name in (SIGNATURE_HEADER, EVENT_HEADER, DELIVERY_HEADER, CONTENT_LENGTH_HEADER)
}
WEBHOOK_PATH = "/webhook"
SHUTDOWN_GRACE_SECONDS = 5.0


class _BodyTooLarge(Exception):
    pass


@dataclass(frozen=True)
class _Accepted:
    outcome: str  # "queued", "duplicate", "ignored" or "bad_request"
    job: Job | None = None
    detail: str = ""


def _wanted_headers(scope: Scope) -> dict[str, str]:
    """The few request headers the front door reads (ASGI gives names lower-cased)."""
    found: dict[str, str] = {}
    for name, value in scope["headers"]:
        wanted = _WANTED.get(name)
        if wanted is not None and wanted not in found:
            found[wanted] = value.decode("latin-1")
    return found


def _action_of(body: bytes) -> str | None:
    """The payload's `action` ("" when it has none); None when the body is not a JSON object."""
    try:
        data = orjson.loads(body)  # a 16 KiB payload parses ~5x faster than with json
    except orjson.JSONDecodeError:
        try:  # orjson refuses what json accepts: lone surrogate escapes (\ud800) in user text
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


class _ClientGone(Exception):
    """The sender disconnected before the whole body arrived."""


async def _read_body(receive: Receive, limit: int) -> bytes:
    """Read at most `limit` bytes; stop as soon as the stream goes over it."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _send_json(
    send: Send, status: int, body: dict[str, str], extra: Sequence[tuple[bytes, bytes]] = ()
) -> None:
    encoded = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(encoded)).encode()),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": encoded})


def _route_path(scope: Scope) -> str:
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


WebhookHandler = Callable[[Scope, Receive, Send], Awaitable[None]]


class _AutopilotApp(FastAPI):
    """FastAPI for `/healthz` and `/metrics`; `/webhook` is answered before FastAPI sees it.

    Why: FastAPI's per-request machinery (telemetry checks, middleware, routing, dependency
    solving) costs more CPU than verifying and recording a delivery (measured with
    bench/webhook_load.py), and the front door must answer in milliseconds under bursts.
    """

    webhook: WebhookHandler | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.webhook is None or scope["type"] != "http" or _route_path(scope) != WEBHOOK_PATH:
            await super().__call__(scope, receive, send)
            return
        if scope["method"] != "POST":
            await _send_json(send, 405, {"detail": "Method Not Allowed"}, [(b"allow", b"POST")])
            return
        try:
            await self.webhook(scope, receive, send)
        except Exception:  # what ServerErrorMiddleware does for FastAPI routes: log, answer 500
            log.exception("webhook handler failed")
            with suppress(Exception):  # the response may have started; the connection is lost then
                await _send_json(send, 500, {"status": "error", "error": "internal error; GitHub redelivers"})


def freeze_startup_heap() -> None:
    """Take everything allocated at start-up out of the garbage collector's sight; call once, before serving.

    Why: the server holds FastAPI, pydantic and githubkit models and LangGraph, hundreds of
    thousands of long-lived objects. A full collection walks them all, and under sustained
    load it paused the event loop for ~100 ms (bench/webhook_load.py --requests 5000: max
    time to answer 130–140 ms without this, 50–60 ms with it).
    """
    gc.collect()
    gc.freeze()


# How `autopilot serve` runs uvicorn (both modes). No access log: the server logs one line per
# delivery with its event and outcome, which says more, and /healthz probes stay quiet. No
# proxy-header rewriting: the bot never reads the client address.
UVICORN_OPTIONS: dict[str, object] = {"access_log": False, "proxy_headers": False}


def run_server(app: FastAPI, host: str, port: int, log_level: str) -> None:
    """Serve `app` under uvicorn until it is stopped (uvloop and httptools when installed)."""
    import uvicorn

    freeze_startup_heap()
    uvicorn.run(app, host=host, port=port, log_level=log_level.lower(), **UVICORN_OPTIONS)  # type: ignore[arg-type]


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

    app = _AutopilotApp(
        title="k8s-autopilot", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan
    )

    def run_dispatch(job: Job) -> None:
        async def guarded() -> None:
            try:
                await dispatch(job)
            except Exception:  # the job stays in the store; a worker retries it after its lease
                log.exception("dispatch of delivery %s (%s) failed", job.id, job.event)

        task = asyncio.create_task(guarded(), name=f"dispatch-{job.id}")
        pending.add(task)
        task.add_done_callback(pending.discard)

    async def webhook(scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        headers = _wanted_headers(scope)

        async def answer(status: int, outcome: str, event: str, **body: str) -> None:
            label = event if event in HANDLED_EVENTS else "other"
            counters.deliveries.labels(event=label, outcome=outcome).inc()
            counters.webhook_seconds.labels(outcome=outcome).observe(time.perf_counter() - started)
            await _send_json(send, status, {"status": outcome, **body})

        declared = headers.get(CONTENT_LENGTH_HEADER)
        if declared is not None:
            if not declared.isdigit():
                return await answer(400, "bad_request", "", error="Content-Length is not a number")
            if int(declared) > limit:
                return await answer(413, "too_large", "", error=f"body over {limit} bytes")
        try:
            body = await _read_body(receive, limit)
        except _BodyTooLarge:
            return await answer(413, "too_large", "", error=f"body over {limit} bytes")
        except _ClientGone:
            return None  # GitHub gave up on this delivery; it redelivers with the same id

        signature = headers.get(SIGNATURE_HEADER, "")
        if not signature.startswith("sha256=") or not verify(secret, body, signature):
            log.warning("rejected webhook with %s signature", "a bad" if signature else "no")
            return await answer(401, "unauthorized", "", error="missing or invalid X-Hub-Signature-256")

        event = headers.get(EVENT_HEADER, "")
        delivery_id = headers.get(DELIVERY_HEADER, "")
        if not _EVENT_NAME.match(event) or not _DELIVERY_ID.match(delivery_id):
            return await answer(
                400, "bad_request", "", error="X-GitHub-Event and X-GitHub-Delivery headers are required"
            )

        try:
            accepted = await writer.submit(_Incoming(delivery_id, event, body))
        except StoreError as err:
            log.error("could not record delivery %s: %s", delivery_id, err)
            return await answer(
                503, "store_unavailable", event, error="cannot record the delivery; retry later"
            )
        log.info("delivery %s event=%s outcome=%s", delivery_id, event, accepted.outcome)
        if accepted.outcome == "bad_request":
            return await answer(400, "bad_request", event, error=accepted.detail)
        if accepted.outcome == "duplicate":
            return await answer(200, "duplicate", event, delivery=delivery_id)
        if accepted.outcome == "ignored":
            return await answer(202, "ignored", event, delivery=delivery_id)
        if accepted.job is not None:
            run_dispatch(accepted.job)
        return await answer(202, "queued", event, delivery=delivery_id)

    app.webhook = webhook

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
