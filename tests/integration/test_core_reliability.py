"""Fault injection against the real broker and SecantusDB (design A.5, B.2, C.4, C.5).

Every test ends on the same invariants: the service queue is drained (0 ready, 0 unacked),
the outbox holds nothing pending, the DLQ holds exactly the expected messages, and each
handled event id has exactly one effect and one inbox record.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import aio_pika
import pytest
import structlog
from fastapi import FastAPI
from faststream.rabbit import RabbitBroker
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from shared.envelope import EventEnvelope
from shared.errors import TransientError
from shared.events.registration import TeacherRegistered
from shared.messaging.broker import declare_topology
from shared.messaging.consumer import EventHandler
from shared.messaging.failures import (
    ATTEMPTS_HEADER,
    EXCEPTION_HEADER,
    FAILED_SERVICE_HEADER,
    ORIGINAL_ROUTING_KEY_HEADER,
    REASON_HEADER,
    RETRIES_EXHAUSTED,
)
from shared.messaging.relay import OutboxRelay
from shared.runtime import Runtime, create_app
from shared.settings import ServiceSettings
from shared.storage.leases import PENDING, LeasedQueue
from shared.storage.mongo import INBOX, OUTBOX, create_client, ensure_core_indexes
from shared.storage.outbox import PUBLISHED
from shared.storage.unit_of_work import Transaction, UnitOfWork
from shared.topology import EVENTS_EXCHANGE_NAME, ServiceQueues
from tests.support.probes import (
    CRASH_EXIT_CODE,
    EFFECTS,
    LogEvents,
    ReceivedMessage,
    captured_logs,
    effect_count,
    envelope_of,
    eventually,
    publish_envelope,
    publish_raw,
    record_effect,
    service_definition,
    start_dying_service,
    take_all,
    teacher_registered,
    wait_queue_drained,
)
from tests.support.projects_helpers import new_teacher, validated
from tests.support.servers import Vhost, connected_broker, queue_depths
from tests.support.services import running, service_settings

pytestmark = pytest.mark.integration

SERVICE = "notifications"
EVENTS_QUEUE = ServiceQueues(SERVICE).events_queue_name
DLQ = ServiceQueues(SERVICE).dead_letter_queue_name
TEACHER_REGISTERED = TeacherRegistered.event_type
CONSUMER_LOGS = "shared.messaging.consumer"
RELAY_LOGS = "shared.messaging.relay"

Database = AsyncDatabase[dict[str, Any]]


@dataclass(frozen=True)
class Stack:
    """The servers of one test, and how to assemble a service on them."""

    vhost: Vhost
    mongodb_url: str
    prefix: str

    def settings_fields(self, service: str = SERVICE, **overrides: Any) -> dict[str, Any]:
        return service_settings(
            service,
            amqp_url=self.vhost.url,
            mongodb_url=self.mongodb_url,
            prefix=self.prefix,
            **overrides,
        )

    def settings(self, service: str = SERVICE, **overrides: Any) -> ServiceSettings:
        return ServiceSettings(**self.settings_fields(service, **overrides))

    def app(
        self,
        handlers: dict[str, EventHandler] | None = None,
        service: str = SERVICE,
        **overrides: Any,
    ) -> FastAPI:
        if handlers is None and service == SERVICE:
            handlers = {TEACHER_REGISTERED: record_effect}
        return create_app(service_definition(self.settings(service, **overrides), handlers))


@pytest.fixture
def stack(vhost: Vhost, mongodb_url: str, database_prefix: str) -> Stack:
    return Stack(vhost, mongodb_url, database_prefix)


@pytest.fixture
async def bus(vhost: Vhost) -> AsyncIterator[RabbitBroker]:
    """A broker of the test's own, for publishing as another system would."""
    broker = await connected_broker(vhost)
    yield broker
    await broker.stop()


@pytest.fixture
def database(mongo_client: AsyncMongoClient[dict[str, Any]], stack: Stack) -> Database:
    return mongo_client[stack.settings().database_name]


@pytest.fixture
async def arm_fail_point(
    mongo_client: AsyncMongoClient[dict[str, Any]],
) -> AsyncIterator[Any]:
    """Arm SecantusDB's server-wide failCommand fail point; always disarmed afterwards."""

    async def arm(mode: Any, data: dict[str, Any]) -> None:
        await mongo_client.admin.command(
            {"configureFailPoint": "failCommand", "mode": mode, "data": data}
        )

    yield arm
    await arm("off", {})


def runtime_of(app: FastAPI) -> Runtime:
    runtime: Runtime = app.state.runtime
    return runtime


async def assert_settled(
    stack: Stack,
    database: Database,
    *,
    handled: Iterable[object] = (),
    dead_lettered: Iterable[str] = (),
) -> dict[str, ReceivedMessage]:
    """The end-of-test invariants; returns the DLQ's messages by message_id."""
    await wait_queue_drained(stack.vhost, EVENTS_QUEUE)

    async def outbox_settled() -> bool:  # published entries are marked a little later
        return await database[OUTBOX].count_documents({"status": PENDING}) == 0

    await eventually(outbox_settled, what="no outbox entry pending")

    dead = await take_all(stack.vhost, DLQ)
    assert sorted(str(message.message_id) for message in dead) == sorted(dead_lettered)

    handled_ids = {str(event_id) for event_id in handled}
    for event_id in handled_ids:
        assert await effect_count(database, event_id) == 1, f"effects of {event_id}"
        assert await database[INBOX].count_documents({"event_id": event_id}) == 1
    assert await database[EFFECTS].count_documents({}) == len(handled_ids)
    assert await database[INBOX].count_documents({}) == len(handled_ids)
    return {str(message.message_id): message for message in dead}


# --- a. duplicate delivery -----------------------------------------------------------------


async def test_a_redelivered_duplicate_is_acked_without_a_second_effect(
    stack: Stack, bus: RabbitBroker, database: Database
) -> None:
    envelope = envelope_of(teacher_registered())

    with captured_logs(CONSUMER_LOGS) as logs:
        async with running(stack.app()):
            await publish_envelope(bus, envelope)
            await eventually(lambda: logs.named("event.handled"), what="first delivery handled")
            await publish_envelope(bus, envelope)
            await eventually(
                lambda: logs.named("event.duplicate_skipped"), what="duplicate skipped"
            )

            await assert_settled(stack, database, handled=[envelope.event_id])
            assert len(logs.named("event.handled")) == 1


# --- b. concurrent duplicate on two instances ----------------------------------------------


async def slow_effect(payload: Any, envelope: EventEnvelope, tx: Transaction) -> None:
    """Holds the transaction open, so the copies delivered elsewhere race against it."""
    await record_effect(payload, envelope, tx)
    await asyncio.sleep(0.3)


async def start_as(instance: str, app: FastAPI, apps: AsyncExitStack) -> None:
    """Start an app whose log lines carry `instance`: its AMQP connection tasks copy the
    context they are created in, and every delivery is handled in a task of theirs."""
    with structlog.contextvars.bound_contextvars(instance=instance):
        await apps.enter_async_context(running(app))


def outcomes_of(logs: LogEvents) -> list[dict[str, Any]]:
    return [*logs.named("event.handled"), *logs.named("event.duplicate_skipped")]


async def test_two_instances_receiving_the_same_event_at_once_make_one_effect(
    stack: Stack, bus: RabbitBroker, database: Database
) -> None:
    envelope = envelope_of(teacher_registered())
    copies = 4
    handlers: dict[str, EventHandler] = {TEACHER_REGISTERED: slow_effect}

    with captured_logs(CONSUMER_LOGS) as logs:
        async with AsyncExitStack() as apps:
            await start_as("first", stack.app(handlers), apps)
            await start_as("second", stack.app(handlers), apps)
            await asyncio.gather(*(publish_envelope(bus, envelope) for _ in range(copies)))

            await eventually(
                lambda: len(outcomes_of(logs)) == copies, what="every copy handled or skipped"
            )
            await assert_settled(stack, database, handled=[envelope.event_id])

    assert len(logs.named("event.handled")) == 1
    assert {outcome["instance"] for outcome in outcomes_of(logs)} == {"first", "second"}, (
        "both instances received a copy"
    )


# --- c. malformed messages -----------------------------------------------------------------


def raw_envelope(**overrides: Any) -> tuple[str, bytes]:
    document = json.loads(envelope_of(teacher_registered()).model_dump_json())
    document.update(overrides)
    return document["event_id"], json.dumps(document).encode()


def malformed_messages() -> list[tuple[str, bytes, str, str]]:
    """(message_id, body, routing_key, expected reason), each bound to the service's queue."""
    schema_id, schema_body = raw_envelope(payload={"teacher_id": "t-9"})
    unknown_id, unknown_body = raw_envelope(event_type="registration.teacher.promoted")
    version_id, version_body = raw_envelope(event_version=2)
    return [
        ("m-invalid-json", b'{"event_id": "oops', TEACHER_REGISTERED, "invalid_json"),
        ("m-not-an-envelope", b'{"hello": "world"}', TEACHER_REGISTERED, "invalid_envelope"),
        (schema_id, schema_body, TEACHER_REGISTERED, "schema_violation"),
        (unknown_id, unknown_body, "registration.teacher.promoted", "unknown_event_type"),
        (version_id, version_body, TEACHER_REGISTERED, "unsupported_event_version"),
    ]


async def test_malformed_messages_go_to_the_dlq_on_the_first_attempt_and_do_not_block(
    stack: Stack, bus: RabbitBroker, database: Database
) -> None:
    malformed = malformed_messages()
    good = envelope_of(teacher_registered("t-good"))

    with captured_logs(CONSUMER_LOGS) as logs:
        async with running(stack.app()):
            for message_id, body, routing_key, _ in malformed:
                await publish_raw(bus, body, routing_key=routing_key, message_id=message_id)
            await publish_envelope(bus, good)
            await eventually(lambda: logs.named("event.handled"), what="good message handled")
            await eventually(
                lambda: len(logs.named("event.dead_lettered")) == len(malformed),
                what="every malformed message dead-lettered",
            )

            dead = await assert_settled(
                stack,
                database,
                handled=[good.event_id],
                dead_lettered=[message_id for message_id, *_ in malformed],
            )

    assert not logs.named("event.retry_scheduled")
    for message_id, body, routing_key, reason in malformed:
        headers = dead[message_id].headers
        assert headers[REASON_HEADER] == reason, message_id
        assert headers[ATTEMPTS_HEADER] == 1, message_id
        assert headers[FAILED_SERVICE_HEADER] == SERVICE
        assert headers[ORIGINAL_ROUTING_KEY_HEADER] == routing_key
        assert dead[message_id].body == body


# --- d. crash after commit, before ack -----------------------------------------------------


async def test_a_consumer_dying_after_commit_before_ack_does_not_repeat_the_effect(
    stack: Stack, bus: RabbitBroker, database: Database, tmp_path: Path
) -> None:
    await declare_topology(bus, SERVICE)  # the queue exists, so the event waits for a consumer
    envelope = envelope_of(teacher_registered())
    await publish_envelope(bus, envelope)

    log_path = tmp_path / "dying-service.log"
    process = await start_dying_service(stack.settings_fields(), log_path)
    try:
        exit_code = await asyncio.wait_for(process.wait(), timeout=15)
    finally:
        if process.returncode is None:  # it never reached the message: do not leave it running
            process.kill()
            await process.wait()
    assert exit_code == CRASH_EXIT_CODE, log_path.read_text()[-3000:]
    assert await effect_count(database, envelope.event_id) == 1, "committed before dying"

    with captured_logs(CONSUMER_LOGS) as logs:
        async with running(stack.app()):
            skipped = await eventually(
                lambda: logs.named("event.duplicate_skipped"), what="redelivery skipped"
            )
            await assert_settled(stack, database, handled=[envelope.event_id])

    assert skipped[0]["delivery_count"] >= 1, "the broker redelivered the unacked message"
    assert skipped[0]["event_id"] == str(envelope.event_id)
    assert not logs.named("event.handled")


# --- e. relay down at commit time ----------------------------------------------------------


async def commit_event_without_relay(stack: Stack) -> EventEnvelope:
    """What a producer does when its relay is not running: the outbox entry just waits."""
    settings = stack.settings("registration")
    client = create_client(settings.mongodb_url, "registration-without-relay")
    try:
        database = client[settings.database_name]
        await ensure_core_indexes(database)
        unit_of_work = UnitOfWork(client, database, "registration")
        envelope: EventEnvelope = await unit_of_work.run(
            lambda tx: tx.emit(teacher_registered("t-offline"))
        )
    finally:
        await client.close()
    return envelope


async def test_an_event_committed_while_the_relay_is_down_is_published_when_it_starts(
    stack: Stack, database: Database, mongo_client: AsyncMongoClient[dict[str, Any]]
) -> None:
    envelope = await commit_event_without_relay(stack)
    producer_outbox = mongo_client[stack.settings("registration").database_name][OUTBOX]
    entry = await producer_outbox.find_one({"_id": str(envelope.event_id)})
    assert entry is not None and entry["status"] == PENDING

    # The consumer starts first, so its queue exists when the producer's relay publishes.
    async with running(stack.app()), running(stack.app(service="registration")):
        await eventually(lambda: effect_count(database, envelope.event_id), what="event consumed")
        entry = await eventually(
            lambda: producer_outbox.find_one({"_id": str(envelope.event_id), "status": PUBLISHED}),
            what="outbox entry marked published",
        )
        await assert_settled(stack, database, handled=[envelope.event_id])

    assert entry is not None
    assert entry["attempts"] == 1
    assert "published_at" in entry
    assert await producer_outbox.count_documents({"status": PENDING}) == 0


# --- f. transient database error -----------------------------------------------------------


async def test_a_transient_database_error_is_retried_and_then_processed_once(
    stack: Stack, bus: RabbitBroker, database: Database, arm_fail_point: Any
) -> None:
    envelope = envelope_of(teacher_registered())

    with captured_logs(CONSUMER_LOGS) as logs:
        async with running(stack.app()):
            # The service's next two inserts time out on the server (MaxTimeMSExpired).
            # mongod labels that error with nothing, so the driver's with_transaction does
            # not rerun it: the failure reaches the consumer's own retry policy.
            await arm_fail_point(
                {"times": 2},
                {"failCommands": ["insert"], "appName": SERVICE, "errorCode": 50},
            )
            await publish_envelope(bus, envelope)
            handled = await eventually(lambda: logs.named("event.handled"), what="event handled")

            await assert_settled(stack, database, handled=[envelope.event_id])

    retries = logs.named("event.retry_scheduled")
    assert [retry["attempt"] for retry in retries] == [1, 2]
    assert all("ExecutionTimeout" in retry["error"] for retry in retries)
    assert handled[0]["delivery_count"] == 2
    assert not logs.named("event.dead_lettered")


async def test_a_database_error_the_driver_retries_is_invisible_to_the_consumer(
    stack: Stack, bus: RabbitBroker, database: Database, arm_fail_point: Any
) -> None:
    envelope = envelope_of(teacher_registered())

    with captured_logs(CONSUMER_LOGS) as logs:
        async with running(stack.app()):
            # A dropped connection inside a transaction is labelled
            # TransientTransactionError: with_transaction reruns the attempt itself.
            await arm_fail_point(
                {"times": 1},
                {"failCommands": ["insert"], "appName": SERVICE, "closeConnection": True},
            )
            await publish_envelope(bus, envelope)
            handled = await eventually(lambda: logs.named("event.handled"), what="handled")

            await assert_settled(stack, database, handled=[envelope.event_id])

    assert handled[0]["delivery_count"] == 0
    assert not logs.named("event.retry_scheduled")


# --- g. retry budget exhausted -------------------------------------------------------------


async def test_a_transient_failure_beyond_the_retry_budget_is_dead_lettered(
    stack: Stack, bus: RabbitBroker, database: Database
) -> None:
    envelope = envelope_of(teacher_registered())
    deliveries: list[str] = []

    async def smtp_down(payload: Any, event: EventEnvelope, tx: Transaction) -> None:
        deliveries.append(str(event.event_id))
        await record_effect(payload, event, tx)  # rolled back with the failed transaction
        raise TransientError("mail relay unreachable")

    app = stack.app({TEACHER_REGISTERED: smtp_down}, consumer_max_attempts=3)
    with captured_logs(CONSUMER_LOGS) as logs:
        async with running(app):
            await publish_envelope(bus, envelope)
            await eventually(lambda: logs.named("event.dead_lettered"), what="dead-lettered")

            dead = await assert_settled(
                stack, database, handled=[], dead_lettered=[str(envelope.event_id)]
            )

    headers = dead[str(envelope.event_id)].headers
    assert headers[REASON_HEADER] == RETRIES_EXHAUSTED
    assert headers[ATTEMPTS_HEADER] == 3
    assert headers[EXCEPTION_HEADER] == "TransientError"
    assert deliveries == [str(envelope.event_id)] * 3
    assert len(logs.named("event.retry_scheduled")) == 2


# --- h. unroutable publish -----------------------------------------------------------------


async def test_the_relay_keeps_an_unroutable_event_pending_with_its_error(
    stack: Stack,
) -> None:
    producer = stack.app(service="registration")  # declares the exchanges, binds no queue

    with captured_logs(RELAY_LOGS) as logs:
        async with running(producer):
            runtime = runtime_of(producer)
            envelope: EventEnvelope = await runtime.unit_of_work.run(
                lambda tx: tx.emit(teacher_registered())
            )
            # The relay logs a failure after recording it; wait for the retry's failure too.
            await eventually(
                lambda: len(logs.named("outbox.publish_failed")) >= 2,
                what="a second failed publish",
            )
            entry = await runtime.database[OUTBOX].find_one({"_id": str(envelope.event_id)})

    assert entry is not None
    assert entry["status"] == PENDING
    assert entry["attempts"] >= 2
    assert "published_at" not in entry
    assert "NO_ROUTE" in entry["last_error"]
    failures = logs.named("outbox.publish_failed")
    assert len(failures) >= 2
    assert {failure["status"] for failure in failures} == {PENDING}
    assert not logs.named("outbox.published")
    depths = await asyncio.to_thread(queue_depths, stack.vhost)
    assert all(depth == (0, 0) for depth in depths.values()), depths  # it landed nowhere


async def test_an_unroutable_event_does_not_hold_back_the_events_behind_it(
    stack: Stack, bus: RabbitBroker
) -> None:
    producer = stack.app(service="registration")  # declares the exchanges, binds no queue
    routed = teacher_registered()
    unroutable = validated(new_teacher("ES"))
    connection = await aio_pika.connect(stack.vhost.url)
    async with connection:
        channel = await connection.channel()
        with captured_logs(RELAY_LOGS) as logs:
            async with running(producer):  # declares the exchange the queue binds to
                queue = await channel.declare_queue("only-registered", auto_delete=True)
                await queue.bind(EVENTS_EXCHANGE_NAME, routing_key=routed.event_type)
                runtime = runtime_of(producer)

                async def emit_both(tx: Transaction) -> None:
                    await tx.emit(unroutable)  # first in commit order
                    await tx.emit(routed)

                await runtime.unit_of_work.run(emit_both)
                await eventually(
                    lambda: logs.named("outbox.published"), what="the routed event published"
                )
                outbox = runtime.database[OUTBOX]
                first = await outbox.find_one({"event_type": unroutable.event_type})
        delivered = await queue.get(timeout=5)
        await delivered.ack()

    assert json.loads(delivered.body)["event_type"] == routed.event_type
    assert first is not None and first["status"] == PENDING
    assert "NO_ROUTE" in first["last_error"]
    failure = logs.named("outbox.publish_failed")[0]
    assert failure["unroutable"] is True


# --- i. outbox hand-over -------------------------------------------------------------------


async def test_a_committed_event_goes_out_by_hand_over_without_any_poll(stack: Stack) -> None:
    """The relay polls once at start, then not for an hour: only the hand-over can publish."""
    producer = stack.app(service="registration", outbox_poll_seconds=3600)
    connection = await aio_pika.connect(stack.vhost.url)
    async with connection, running(producer):
        queue = await _registrations_queue(connection, "handed-over")
        runtime = runtime_of(producer)
        envelope: EventEnvelope = await runtime.unit_of_work.run(
            lambda tx: tx.emit(teacher_registered("t-handed-over"))
        )
        delivered = await eventually(lambda: queue.get(fail=False), what="the event delivered")
        await delivered.ack()
        entry = await eventually(
            lambda: runtime.database[OUTBOX].find_one(
                {"_id": str(envelope.event_id), "status": PUBLISHED}
            ),
            what="the entry marked published",
        )

    assert delivered.message_id == str(envelope.event_id)
    assert entry["attempts"] == 1
    assert "lease_owner" not in entry


async def test_entries_published_within_the_mark_delay_are_marked_in_one_write(
    stack: Stack,
) -> None:
    producer = stack.app(
        service="registration", outbox_poll_seconds=3600, outbox_mark_delay_seconds=5
    )
    connection = await aio_pika.connect(stack.vhost.url)
    async with connection, running(producer):
        await _registrations_queue(connection, "marked-together")  # so the events route
        runtime = runtime_of(producer)
        ids = [
            str((await runtime.unit_of_work.run(_registers(f"t{n}"))).event_id) for n in range(5)
        ]
        marked = await eventually(
            lambda: _all_or_none(runtime.database[OUTBOX].find({"status": PUBLISHED}), 5),
            seconds=15,
            what="the five entries marked published",
        )

    assert sorted(entry["_id"] for entry in marked) == sorted(ids)
    assert len({entry["published_at"] for entry in marked}) == 1


async def test_a_relay_stopping_marks_what_it_published(
    stack: Stack, mongo_client: AsyncMongoClient[dict[str, Any]]
) -> None:
    """Published but not marked yet (the mark delay is an hour): a graceful stop marks them,
    so the next start does not publish them again."""
    producer = stack.app(
        service="registration",
        outbox_poll_seconds=3600,
        outbox_mark_delay_seconds=3600,
        outbox_lease_seconds=7200,
    )
    connection = await aio_pika.connect(stack.vhost.url)
    async with connection:
        async with running(producer):
            queue = await _registrations_queue(connection, "marked-at-stop")
            runtime = runtime_of(producer)
            envelope: EventEnvelope = await runtime.unit_of_work.run(
                lambda tx: tx.emit(teacher_registered("t-marked-at-stop"))
            )
            delivered = await eventually(lambda: queue.get(fail=False), what="the event")
            await delivered.ack()
            outbox = mongo_client[runtime.database.name][OUTBOX]
            before_stop = await outbox.find_one({"_id": str(envelope.event_id)})
        after_stop = await outbox.find_one({"_id": str(envelope.event_id)})

    assert before_stop is not None and before_stop["status"] == PENDING
    assert after_stop is not None and after_stop["status"] == PUBLISHED


async def _registrations_queue(connection: Any, name: str) -> Any:
    """A queue of the test's own that receives every teacher registration published."""
    channel = await connection.channel()
    queue = await channel.declare_queue(name, auto_delete=True)
    await queue.bind(EVENTS_EXCHANGE_NAME, routing_key=TEACHER_REGISTERED)
    return queue


def _registers(teacher_id: str) -> Any:
    return lambda tx: tx.emit(teacher_registered(teacher_id))


async def _all_or_none(cursor: Any, expected: int) -> list[dict[str, Any]] | None:
    found = [document async for document in cursor]
    return found if len(found) == expected else None


async def test_an_entry_whose_writer_died_before_handing_it_over_waits_for_its_lease(
    stack: Stack,
) -> None:
    """Entries are born leased to their writer's relay; when that process dies after the
    commit, another replica publishes them once the lease runs out, not before."""
    settings = stack.settings("registration")
    client = create_client(settings.mongodb_url, "registration-that-dies")
    try:
        database = client[settings.database_name]
        await ensure_core_indexes(database)
        outbox = database[OUTBOX]
        doomed = OutboxRelay(LeasedQueue(outbox, lease_seconds=1.5, max_attempts=3), None, 1.0)  # type: ignore[arg-type]
        unit_of_work = UnitOfWork(client, database, "registration", doomed)  # never started
        envelope: EventEnvelope = await unit_of_work.run(
            lambda tx: tx.emit(teacher_registered("t-orphan"))
        )
        other_replica = LeasedQueue(outbox, lease_seconds=30, max_attempts=3)
        assert await other_replica.claim_batch(10) == []  # leased to the dead writer

        survivor = stack.app(service="registration", outbox_poll_seconds=0.1)
        connection = await aio_pika.connect(stack.vhost.url)
        async with connection:
            channel = await connection.channel()
            await channel.declare_exchange(
                EVENTS_EXCHANGE_NAME, aio_pika.ExchangeType.TOPIC, durable=True
            )  # as the services declare it, so the queue is bound before the survivor polls
            queue = await channel.declare_queue("orphans", auto_delete=True)
            await queue.bind(EVENTS_EXCHANGE_NAME, routing_key=TEACHER_REGISTERED)
            async with running(survivor):
                entry = await eventually(
                    lambda: outbox.find_one({"_id": str(envelope.event_id), "status": PUBLISHED}),
                    seconds=10,
                    what="published by the surviving replica",
                )
    finally:
        await client.close()

    assert entry["attempts"] == 2  # born leased (1), claimed again after the lease (2)
    assert entry["published_at"] - entry["enqueued_at"] >= timedelta(seconds=1.5)
