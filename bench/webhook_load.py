"""Load test for the webhook front door: time to 202 under concurrent signed deliveries.

Starts the real app under uvicorn in a child process (127.0.0.1, ephemeral port, a SQLite
store in a temporary directory, a dispatch that only marks jobs done), sends N signed
deliveries (some with repeated delivery ids) from C concurrent httpx clients, prints
p50/p99 and checks every unique delivery was dispatched exactly once. Stops after
`--deadline` seconds whatever happens.

    .venv/bin/python bench/webhook_load.py [--requests 1000] [--clients 50] [--duplicates 50]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAYLOAD = ROOT / "tests" / "fixtures" / "webhooks" / "issue_comment.created.autopilot-chart.json"
SECRET_ENV = "AUTOPILOT_BENCH_SECRET"


# --- child: the server -------------------------------------------------------------------------


def serve(db: Path, port_file: Path) -> None:
    """Run the app with a dispatch that claims and completes each job, counting dispatches."""
    import anyio.to_thread
    import uvicorn
    from pydantic import SecretStr

    sys.path.insert(0, str(ROOT))
    from bot.config import Settings
    from bot.server import create_app
    from bot.store import Job, SqliteStore

    store = SqliteStore(db)
    dispatched: Counter[str] = Counter()

    def mark_done(job_id: str) -> None:
        claimed = store.claim_job("bench", job_id=job_id)
        if claimed is not None:
            store.complete_job(job_id, "bench")

    async def dispatch(job: Job) -> None:
        dispatched[job.id] += 1
        await anyio.to_thread.run_sync(mark_done, job.id)

    settings = Settings(webhook_secret=SecretStr(os.environ[SECRET_ENV]), data_dir=db.parent)
    app = create_app(settings, store, dispatch)

    @app.get("/bench/dispatched")
    async def report() -> dict[str, object]:
        counts = await anyio.to_thread.run_sync(store.job_counts)
        return {"dispatched": dict(dispatched), "jobs": {k.value: v for k, v in counts.items()}}

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port_file.write_text(str(sock.getsockname()[1]))
    config = uvicorn.Config(app, log_level="warning", access_log=False, backlog=512)
    uvicorn.Server(config).run(sockets=[sock])


# --- parent: the load ----------------------------------------------------------------------------


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _server_side_quantiles(metrics_text: str) -> dict[str, str]:
    """p50/p99 of the server's own time to 202 (its histogram): the bucket bound each falls under."""
    prefix = 'autopilot_webhook_response_seconds_bucket{outcome="queued",le="'
    buckets: list[tuple[str, float]] = []
    for line in metrics_text.splitlines():
        if line.startswith(prefix):
            bound, value = line.removeprefix(prefix).split('"} ')
            buckets.append((bound, float(value)))
    total = buckets[-1][1] if buckets else 0.0
    result = {}
    for name, q in (("p50", 0.5), ("p99", 0.99)):
        bound = next((b for b, n in buckets if total and n >= q * total), "?")
        result[name] = f"<= {bound} s"
    return result


async def load(base: str, secret: str, total: int, clients: int, duplicates: int) -> dict[str, object]:
    import httpx

    body = PAYLOAD.read_bytes()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    unique = [f"bench-{i:05d}" for i in range(total - duplicates)]
    rng = random.Random(7)
    ids = unique + [rng.choice(unique) for _ in range(duplicates)]
    rng.shuffle(ids)
    queue: asyncio.Queue[str] = asyncio.Queue()
    for delivery in ids:
        queue.put_nowait(delivery)
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    accepted: Counter[str] = Counter()

    async def client_loop() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=30.0) as client:
            while True:
                try:
                    delivery = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                headers = {
                    "X-GitHub-Event": "issue_comment",
                    "X-GitHub-Delivery": delivery,
                    "X-Hub-Signature-256": signature,
                    "Content-Type": "application/json",
                }
                started = time.perf_counter()
                response = await client.post("/webhook", content=body, headers=headers)
                latencies.append(time.perf_counter() - started)
                statuses[response.status_code] += 1
                if response.status_code == 202:
                    accepted[delivery] += 1

    started = time.perf_counter()
    cpu_started = time.process_time()
    await asyncio.gather(*(client_loop() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    client_cpu = time.process_time() - cpu_started

    async with httpx.AsyncClient(base_url=base, timeout=10.0) as client:
        report: dict[str, object] = {}
        for _ in range(200):  # dispatch runs in the background: wait for it to catch up
            report = (await client.get("/bench/dispatched")).json()
            if sum(report["dispatched"].values()) >= len(unique):  # type: ignore[union-attr]
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # a late duplicate dispatch would show up now
        report = (await client.get("/bench/dispatched")).json()
        server_side = _server_side_quantiles((await client.get("/metrics")).text)

    dispatched: dict[str, int] = report["dispatched"]  # type: ignore[assignment]
    problems = []
    if set(dispatched) != set(unique):
        problems.append(f"{len(set(unique) - set(dispatched))} unique deliveries never dispatched")
    twice = [d for d, n in dispatched.items() if n != 1]
    if twice:
        problems.append(f"{len(twice)} deliveries dispatched more than once, e.g. {twice[:3]}")
    if sorted(accepted) != sorted(unique) or any(n != 1 for n in accepted.values()):
        problems.append("the set of 202 answers does not match the unique deliveries")
    return {
        "requests": len(ids),
        "unique_deliveries": len(unique),
        "duplicate_requests": duplicates,
        "clients": clients,
        "statuses": dict(statuses),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(_percentile(latencies, 0.99) * 1000, 2),
        "max_ms": round(max(latencies) * 1000, 2),
        "throughput_rps": round(len(ids) / elapsed, 1),
        "wall_seconds": round(elapsed, 2),
        "client_cpu_seconds": round(client_cpu, 2),
        "server_side_time_to_202": server_side,
        "jobs": report["jobs"],
        "dispatched_exactly_once": not problems,
        "problems": problems,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duplicates", type=int, default=50)
    parser.add_argument("--deadline", type=float, default=120.0, help="stop after this many seconds")
    parser.add_argument("--serve", nargs=2, metavar=("DB", "PORT_FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(Path(args.serve[0]), Path(args.serve[1]))
        return 0
    if not 0 <= args.duplicates < args.requests or args.clients < 1:
        parser.error("need 0 <= --duplicates < --requests and --clients >= 1")

    secret = os.urandom(16).hex()
    deadline = time.monotonic() + args.deadline
    with tempfile.TemporaryDirectory(prefix="autopilot-bench-") as tmp:
        port_file = Path(tmp) / "port"
        child = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(Path(tmp) / "bench.db"), str(port_file)],
            env={**os.environ, SECRET_ENV: secret},
        )
        try:
            while not port_file.exists() or not port_file.read_text():
                if child.poll() is not None or time.monotonic() > deadline:
                    print("server did not start", file=sys.stderr)
                    return 2
                time.sleep(0.05)
            base = f"http://127.0.0.1:{port_file.read_text()}"
            time.sleep(0.5)  # uvicorn starts listening right after it writes the port
            remaining = max(1.0, deadline - time.monotonic())
            result = asyncio.run(
                asyncio.wait_for(load(base, secret, args.requests, args.clients, args.duplicates), remaining)
            )
        except TimeoutError:
            print(f"gave up after {args.deadline:.0f} s", file=sys.stderr)
            return 3
        finally:
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
    child_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    result["server_process_cpu_seconds_incl_startup"] = round(child_cpu.ru_utime + child_cpu.ru_stime, 2)
    result["load_average_1m"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result, indent=2))
    return 0 if result["dispatched_exactly_once"] else 1


if __name__ == "__main__":
    sys.exit(main())
