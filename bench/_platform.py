"""What the pipeline benchmarks need around the processes tools.localrun starts: a RabbitMQ
vhost of their own, an SMTP sink that timestamps each mail, a scrape of /metrics, the peak RSS
of a process and a wait until the broker and the outboxes are quiet."""

from __future__ import annotations

import asyncio
import contextlib
import email.policy
import os
import re
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

import httpx
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from bench.core_throughput import _rabbitmqctl, percentile

HEADERS = BytesHeaderParser(policy=email.policy.default)
MAILS_PER_COMPLETION = 4  # four members, an NQL application and so an e-mail for each


@asynccontextmanager
async def rabbitmq_vhost(amqp_base: str) -> AsyncIterator[str]:
    """A fresh vhost for one benchmark run; yields its AMQP URL."""
    vhost = f"bench-{uuid.uuid4().hex[:8]}"
    await _rabbitmqctl("add_vhost", vhost)
    await _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    try:
        yield f"{amqp_base.rstrip('/')}/{vhost}"
    finally:
        # Best effort: the figures are in by now, and a shared broker may be restarting.
        with contextlib.suppress(subprocess.CalledProcessError):
            await _rabbitmqctl("delete_vhost", vhost)


async def queue_depths(amqp_url: str) -> dict[str, int]:
    """Ready + unacknowledged messages of every queue of the vhost in `amqp_url`."""
    vhost = amqp_url.rsplit("/", 1)[-1].split("?")[0]
    result = await asyncio.to_thread(
        subprocess.run,
        ["rabbitmqctl", "-q", "list_queues", "-p", vhost, "name", "messages"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    depths: dict[str, int] = {}
    for line in result.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            depths[parts[0]] = int(parts[1])
    return depths


@dataclass
class TimedSink:
    """An SMTP server that keeps, for each mail, when it arrived and its subject: the finish
    line of the pipeline. Headers only are parsed; nothing is written to disk."""

    port: int
    caught: list[tuple[float, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        headers = HEADERS.parsebytes(envelope.original_content or b"")
        self.caught.append((time.perf_counter(), str(headers["Subject"])))
        return "250 Message accepted for delivery"

    def start(self) -> TimedSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def arrivals(self, pattern: re.Pattern[str], since: int = 0) -> dict[str, list[float]]:
        """Arrival times per title matched in the subject, for mails caught after `since`."""
        found: dict[str, list[float]] = {}
        for at, subject in self.caught[since:]:
            if match := pattern.search(subject):
                found.setdefault(match.group(0), []).append(at)
        return found


async def scrape(http: httpx.AsyncClient, url: str) -> dict[str, float]:
    """The samples of GET /metrics, keyed by `name{labels}`."""
    response = await http.get(f"{url}/metrics")
    response.raise_for_status()
    samples: dict[str, float] = {}
    for line in response.text.splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.rpartition(" ")
            samples[key] = float(value)
    return samples


def delta(before: dict[str, float], after: dict[str, float], prefix: str) -> Counter[str]:
    return Counter(
        {k: after[k] - before.get(k, 0.0) for k in after if k.startswith(prefix)}
        | {k: 0.0 for k in before if k.startswith(prefix) and k not in after}
    )


def commands_by_name(samples: Counter[str]) -> dict[str, int]:
    """etwinning_db_commands_total{database="…",command="find"} → {"find": n} (all databases)."""
    totals: Counter[str] = Counter()
    for key, value in samples.items():
        if match := re.search(r'command="([^"]+)"', key):
            totals[match.group(1)] += int(value)
    return {name: count for name, count in sorted(totals.items()) if count}


def consumed(samples: Counter[str]) -> int:
    return int(sum(v for k, v in samples.items() if 'outcome="handled"' in k))


def peak_rss_mb(pid: int) -> float | None:
    """VmHWM of a live process, in MiB (Linux)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return round(int(match.group(1)) / 1024, 1) if match else None


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a live process has used so far (Linux), 0 when gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rabbitmq_pid() -> int | None:
    """The broker's Erlang VM (the oldest beam.smp of the rabbitmq user), if visible."""
    found = subprocess.run(
        ["pgrep", "-o", "-u", "rabbitmq", "beam.smp"], capture_output=True, text=True
    )
    return int(found.stdout.split()[0]) if found.stdout.strip() else None


@dataclass
class CpuMeter:
    """CPU seconds each named process spends between start() and per_item()."""

    pids: dict[str, int]
    _start: dict[str, float] = field(default_factory=dict)

    def start(self) -> CpuMeter:
        self._start = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        return self

    def per_item(self, items: int) -> dict[str, float]:
        used = {name: cpu_seconds(pid) - self._start[name] for name, pid in self.pids.items()}
        return {name: round(seconds / max(items, 1), 4) for name, seconds in used.items()}


async def wait_quiet(
    amqp_url: str, http: httpx.AsyncClient, urls: list[str], within_seconds: float
) -> None:
    """Until every queue of the vhost is empty and no outbox holds a pending entry."""
    deadline = time.monotonic() + within_seconds
    while True:
        depths = await queue_depths(amqp_url)
        pending = 0.0
        for url in urls:
            pending += (await scrape(http, url)).get("etwinning_outbox_pending", 0.0)
        busy = {name: n for name, n in depths.items() if n and not name.endswith(".dlq")}
        if not busy and pending == 0:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"not quiet after {within_seconds}s: {depths}, pending={pending}")
        await asyncio.sleep(1.0)


def percentiles_ms(latencies: list[float]) -> dict[str, float]:
    if not latencies:
        return {}
    points = {"p50": 0.5, "p95": 0.95, "p99": 0.99, "max": 1.0}
    return {name: round(percentile(latencies, at) * 1000, 1) for name, at in points.items()}


async def bounded(limit: int, work: Iterable[Awaitable[Any]]) -> list[Any]:
    """Run the awaitables with at most `limit` in flight."""
    gate = asyncio.Semaphore(limit)

    async def one(step: Awaitable[Any]) -> Any:
        async with gate:
            return await step

    return await asyncio.gather(*(one(step) for step in work))


async def time_completions(
    requests: list[tuple[str, Callable[[], Awaitable[object]]]],
    sink: TimedSink,
    pattern: re.Pattern[str],
    *,
    concurrency: int = 0,
    rate: float = 0.0,
    within_seconds: float,
) -> dict[str, Any]:
    """Sends every (title, request) — `concurrency` in flight, or paced at `rate` per second —
    and waits for the mails. Throughput: completions whose mails all arrived ÷ (last mail -
    first request). Latency per project: its request sent → its last mail caught."""
    since = len(sink.caught)
    requested: dict[str, float] = {}

    async def send(title: str, request: Callable[[], Awaitable[object]]) -> None:
        requested[title] = time.perf_counter()
        await request()

    first = time.perf_counter()
    if rate > 0:
        tasks = []
        for n, (title, request) in enumerate(requests):
            await asyncio.sleep(max(0.0, first + n / rate - time.perf_counter()))
            tasks.append(asyncio.create_task(send(title, request)))
        await asyncio.gather(*tasks)
    else:
        await bounded(concurrency, (send(title, request) for title, request in requests))
    requests_done = time.perf_counter()
    deadline = time.monotonic() + within_seconds
    while len(sink.caught) - since < len(requests) * MAILS_PER_COMPLETION:
        if time.monotonic() > deadline:
            break
        await asyncio.sleep(0.05)
    arrivals = sink.arrivals(pattern, since)
    done = [
        t for t, times in arrivals.items() if t in requested and len(times) >= MAILS_PER_COMPLETION
    ]
    last = max((max(arrivals[t]) for t in done), default=requests_done)
    return {
        "completions": len(requests),
        "all_mails_caught": len(done) == len(requests),
        "seconds": round(last - first, 2),
        "completions_per_second": round(len(done) / (last - first), 2),
        "requests_seconds": round(requests_done - first, 2),
        "latency_ms": percentiles_ms([max(arrivals[t]) - requested[t] for t in done]),
    }
