"""Probes for reliability tests: polling, log capture, DLQ reading, a minimal test service,
and a service process that dies between its database commit and its ack.

Nothing here hooks into product code: the probes look at what a service leaves behind
(documents, queues, log records) or replace whole collaborators from the outside.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import os
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, overload

import aio_pika
from bson import ObjectId
from faststream.rabbit import RabbitBroker
from pymongo.asynchronous.database import AsyncDatabase

from shared.envelope import EventEnvelope
from shared.events.base import EventPayload
from shared.events.registration import TeacherRegistered
from shared.messaging.consumer import EventHandler
from shared.runtime import ServiceDefinition, create_app
from shared.settings import ServiceSettings
from shared.storage.unit_of_work import Transaction
from shared.topology import EVENTS_EXCHANGE
from tests.support.servers import Vhost, queue_depths

T = TypeVar("T")

EFFECTS = "effects"
CRASH_EXIT_CODE = 75
REPOSITORY_ROOT = Path(__file__).resolve().parents[2]


# --- polling -------------------------------------------------------------------------------


@overload
async def eventually(
    check: Callable[[], Awaitable[T]],
    *,
    seconds: float = ...,
    interval: float = ...,
    what: str = ...,
) -> T: ...


@overload
async def eventually(
    check: Callable[[], T], *, seconds: float = ..., interval: float = ..., what: str = ...
) -> T: ...


async def eventually(
    check: Callable[[], Any],
    *,
    seconds: float = 5.0,
    interval: float = 0.05,
    what: str = "condition",
) -> Any:
    """Poll `check` (plain or async) until it returns a truthy value, and return that value."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {seconds}s (last: {value!r})")
        await asyncio.sleep(interval)


async def wait_queue_drained(vhost: Vhost, queue: str, *, seconds: float = 5.0) -> None:
    """Wait until `queue` has 0 ready and 0 unacknowledged messages (rabbitmqctl's view)."""

    async def depth() -> bool:
        depths = await asyncio.to_thread(queue_depths, vhost)
        return depths.get(queue) == (0, 0)

    await eventually(depth, seconds=seconds, interval=0.2, what=f"{queue} drained")


# --- log capture ---------------------------------------------------------------------------


class LogEvents(logging.Handler):
    """Collects the structlog event dicts that reach the named stdlib loggers."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.events: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if isinstance(record.msg, dict):
            self.events.append(dict(record.msg))

    def named(self, event: str) -> list[dict[str, Any]]:
        return [entry for entry in self.events if entry.get("event") == event]


@contextmanager
def captured_logs(*logger_names: str) -> Iterator[LogEvents]:
    """Attach a collector to loggers (not the root, which configure_logging resets)."""
    collector = LogEvents()
    loggers = [logging.getLogger(name) for name in logger_names]
    for logger in loggers:
        logger.addHandler(collector)
    try:
        yield collector
    finally:
        for logger in loggers:
            logger.removeHandler(collector)


# --- the bus -------------------------------------------------------------------------------


def teacher_registered(teacher_id: str = "t-1") -> TeacherRegistered:
    return TeacherRegistered(
        teacher_id=teacher_id,
        name="Ana Teacher",
        email="ana@example.org",
        language="es",
        role="teacher",
        school_id="s-1",
        country="ES",
    )


def envelope_of(payload: EventPayload, **overrides: Any) -> EventEnvelope:
    fields: dict[str, Any] = {
        "event_type": payload.event_type,
        "event_version": payload.event_version,
        "producer": "tests",
        "correlation_id": "corr-tests",
        "aggregate_id": payload.aggregate_id(),
        "payload": payload.model_dump(mode="json"),
        **overrides,
    }
    return EventEnvelope(**fields)


PUBLISH_TIMEOUT_SECONDS = 15.0


async def publish_raw(
    broker: RabbitBroker, body: bytes, *, routing_key: str, message_id: str
) -> None:
    # A bounded wait for the confirm: a lost one fails the test instead of hanging it.
    await broker.publish(
        body, exchange=EVENTS_EXCHANGE, routing_key=routing_key, message_id=message_id,
        timeout=PUBLISH_TIMEOUT_SECONDS,
    )  # fmt: skip


async def publish_envelope(broker: RabbitBroker, envelope: EventEnvelope) -> None:
    await publish_raw(
        broker,
        envelope.model_dump_json().encode(),
        routing_key=envelope.event_type,
        message_id=str(envelope.event_id),
    )


@dataclass(frozen=True)
class ReceivedMessage:
    message_id: str | None
    headers: dict[str, Any]
    body: bytes


async def take_all(vhost: Vhost, queue_name: str) -> list[ReceivedMessage]:
    """Remove and return every message in a queue (basic.get until empty)."""
    connection = await aio_pika.connect(vhost.url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(queue_name, ensure=True)
        taken: list[ReceivedMessage] = []
        while (message := await queue.get(no_ack=True, fail=False)) is not None:
            taken.append(ReceivedMessage(message.message_id, dict(message.headers), message.body))
        return taken


# --- a minimal service ---------------------------------------------------------------------


async def record_effect(payload: Any, envelope: EventEnvelope, tx: Transaction) -> None:
    """The business effect of the test service: one document per handling, never keyed by
    the event id, so a second effect would show up as a second document."""
    await tx.collection(EFFECTS).insert_one(
        {"_id": ObjectId(), "event_id": str(envelope.event_id), "teacher_id": payload.teacher_id},
        session=tx.session,
    )


async def effect_count(database: AsyncDatabase[Any], event_id: object) -> int:
    return await database[EFFECTS].count_documents({"event_id": str(event_id)})


def service_definition(
    settings: ServiceSettings, handlers: dict[str, EventHandler] | None = None
) -> ServiceDefinition:
    return ServiceDefinition(
        name=settings.service_name,
        title=f"test {settings.service_name}",
        description="a minimal service assembled by the tests",
        settings=settings,
        handlers=handlers or {},
    )


# --- a service process that dies after commit, before ack ----------------------------------


def die_after_commit_main(settings_json: str) -> None:
    """Run the test service with a unit of work that, after committing a handled message,
    kills the process (os._exit: no ack, no cleanup, sockets dropped by the OS).

    Run in a subprocess: `python -c "from tests.support.probes import die_after_commit_main;
    die_after_commit_main(settings_json)"`.
    """
    import shared.runtime
    from shared.storage.unit_of_work import UnitOfWork, Work

    class DieAfterCommit(UnitOfWork):
        async def run(
            self, work: Work[T], *, inbox: tuple[str, str] | None = None, atomic: bool = True
        ) -> T:
            result = await super().run(work, inbox=inbox, atomic=atomic)
            if inbox is not None:
                sys.stderr.flush()
                os._exit(CRASH_EXIT_CODE)
            return result

    shared.runtime.UnitOfWork = DieAfterCommit  # type: ignore[attr-defined]
    settings = ServiceSettings(**json.loads(settings_json))
    app = create_app(service_definition(settings, {TeacherRegistered.event_type: record_effect}))

    async def serve() -> None:
        async with app.router.lifespan_context(app):
            await asyncio.Event().wait()

    asyncio.run(serve())


async def start_dying_service(
    settings: dict[str, Any], log_path: Path
) -> asyncio.subprocess.Process:
    """Start the service of `die_after_commit_main` in a subprocess; its logs go to a file."""
    code = (
        "import sys; from tests.support.probes import die_after_commit_main; "
        "die_after_commit_main(sys.argv[1])"
    )
    with log_path.open("wb") as log_file:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            code,
            json.dumps(settings),
            cwd=REPOSITORY_ROOT,
            stdout=log_file,
            stderr=log_file,
        )
