"""Throughput of the core: N events committed through the outbox of one service, published by
its relay, consumed (inbox + effect, one transaction each) by another, on the local RabbitMQ and
an embedded SecantusDB. Prints one line of JSON.

    .venv/bin/python -m bench.core_throughput --events 2000

Figures: events/s end to end, p50/p95/p99 latency from commit to consumed, and MongoDB round
trips per event on each side (PyMongo command monitoring). SecantusDB is far slower than
mongod and is connected with retryWrites=false; compare runs on the same machine only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import tempfile
import time
import uuid
from collections import Counter
from typing import Any

from pymongo import monitoring

from bench._embedded import percentile
from shared.envelope import EventEnvelope
from shared.events.registration import TeacherRegistered
from shared.runtime import ServiceDefinition, create_app
from shared.settings import ServiceSettings
from shared.storage.unit_of_work import Transaction


class RoundTrips(monitoring.CommandListener):
    def __init__(self) -> None:
        self.by_app: Counter[str] = Counter()
        self.commands: Counter[str] = Counter()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.commands[event.command_name] += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


async def _rabbitmqctl(*args: str) -> None:
    await asyncio.to_thread(subprocess.run, ["rabbitmqctl", "-q", *args], check=True)


async def run(events: int, amqp_base: str) -> dict[str, Any]:
    from secantus import SecantusDBServer

    vhost = f"bench-{uuid.uuid4().hex[:8]}"
    await _rabbitmqctl("add_vhost", vhost)
    await _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    received: dict[str, float] = {}
    done = asyncio.Event()

    async def consume(payload: Any, envelope: EventEnvelope, tx: Transaction) -> None:
        await tx.collection("effects").insert_one(
            {"_id": str(envelope.event_id)}, session=tx.session
        )
        received[payload.teacher_id] = time.perf_counter()
        if len(received) >= events:
            done.set()

    with (
        tempfile.TemporaryDirectory() as storage,
        SecantusDBServer(storage_path=storage, port=0) as server,
    ):
        mongodb_url = server.uri + ("&" if "?" in server.uri else "?") + "retryWrites=false"
        common = {
            "amqp_url": f"{amqp_base}{vhost}",
            "mongodb_url": mongodb_url,
            "log_level": "WARNING",
            "log_json": True,
        }
        producer = create_app(
            ServiceDefinition(
                "registration",
                "bench producer",
                "",
                ServiceSettings(service_name="registration", **common),
            )
        )
        consumer = create_app(
            ServiceDefinition(
                "notifications",
                "bench consumer",
                "",
                ServiceSettings(service_name="notifications", **common),
                handlers={TeacherRegistered.event_type: consume},
            )
        )
        listener = RoundTrips()
        monitoring.register(listener)
        async with (
            consumer.router.lifespan_context(consumer),
            producer.router.lifespan_context(producer),
        ):
            uow = producer.state.runtime.unit_of_work
            committed: dict[str, float] = {}
            listener.commands.clear()
            started = time.perf_counter()
            for n in range(events):
                teacher_id = f"t{n}"
                payload = TeacherRegistered(
                    teacher_id=teacher_id,
                    name="Bench",
                    email=f"{teacher_id}@bench.example",
                    language="en",
                    role="teacher",
                    school_id="s1",
                    country="ES",
                )
                await uow.run(lambda tx, p=payload: tx.emit(p))
                committed[teacher_id] = time.perf_counter()
            await asyncio.wait_for(done.wait(), timeout=600)
            elapsed = time.perf_counter() - started
            commands = dict(listener.commands)
    await _rabbitmqctl("delete_vhost", vhost)
    latencies = [received[t] - committed[t] for t in committed]
    total_round_trips = sum(
        v
        for k, v in commands.items()
        if k not in ("hello", "isMaster", "ismaster", "ping", "endSessions")
    )
    return {
        "bench": "core_throughput",
        "events": events,
        "events_per_second": round(events / elapsed, 1),
        "latency_ms": {
            "p50": round(statistics.median(latencies) * 1000, 1),
            "p95": round(percentile(latencies, 0.95) * 1000, 1),
            "p99": round(percentile(latencies, 0.99) * 1000, 1),
        },
        "db_round_trips_per_event_all_hops": round(total_round_trips / events, 2),
        "db_commands": commands,
        "database": "SecantusDB (retryWrites=false)",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--amqp", default="amqp://guest:guest@127.0.0.1:5672/")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.events, args.amqp))))


if __name__ == "__main__":
    main()
