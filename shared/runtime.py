"""One composition of the core per service process: MongoDB, broker, consumer, outbox relay,
HTTP app. A service describes itself with a ServiceDefinition; `create_app` wires the rest."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from fastapi import APIRouter, FastAPI, Request
from faststream import AckPolicy
from faststream.message import StreamMessage
from faststream.rabbit import RabbitBroker
from faststream.rabbit.annotations import RabbitMessage
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from shared.contract import ServiceContract, consumed_models
from shared.events import CATALOG
from shared.events.base import EventPayload
from shared.http.contract import contract_router
from shared.http.health import health_router
from shared.http.limits import BodySizeLimit
from shared.http.metrics import metrics_router
from shared.http.middleware import install_correlation_middleware
from shared.http.openapi import install_problem_responses
from shared.http.problems import install_problem_handlers
from shared.logging import configure_logging, get_logger
from shared.messaging.broker import build_broker, declare_topology
from shared.messaging.consumer import EventConsumer, EventHandler
from shared.messaging.failures import DeadLetterer, RetryPolicy
from shared.messaging.publisher import EventPublisher
from shared.messaging.relay import OutboxRelay
from shared.metrics import ServiceMetrics
from shared.settings import ServiceSettings
from shared.storage.leases import LeasedQueue
from shared.storage.mongo import OUTBOX, Document, create_client, ensure_core_indexes
from shared.storage.unit_of_work import UnitOfWork
from shared.topology import EVENTS_EXCHANGE, ServiceQueues

log = get_logger(__name__)


class BackgroundWorker(Protocol):
    def start(self) -> None: ...
    async def stop(self) -> None: ...


@dataclass
class Runtime:
    """The live resources of one service process."""

    settings: ServiceSettings
    client: AsyncMongoClient[Document]
    database: AsyncDatabase[Document]
    broker: RabbitBroker
    unit_of_work: UnitOfWork
    relay: OutboxRelay
    metrics: ServiceMetrics
    broker_connector: asyncio.Task[None] | None = None


@dataclass(frozen=True)
class ServiceDefinition:
    name: str
    title: str
    description: str
    settings: ServiceSettings
    routers: Sequence[APIRouter] = ()
    handlers: Mapping[str, EventHandler] = field(default_factory=dict)
    emits: Sequence[type[EventPayload]] = ()
    ensure_indexes: Callable[[AsyncDatabase[Document]], Awaitable[None]] | None = None
    workers: Sequence[Callable[[Runtime], BackgroundWorker]] = ()
    # Objects the service's routes share with its handlers, set on `app.state` by name.
    app_state: Mapping[str, Any] = field(default_factory=dict)


def create_app(definition: ServiceDefinition) -> FastAPI:
    settings = definition.settings
    _check_handlers_are_routed(definition)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.service_name, json=settings.log_json, level=settings.log_level)
        runtime = await _start(definition)
        app.state.runtime = runtime
        workers = [make(runtime) for make in definition.workers]
        for worker in workers:
            worker.start()
        log.info("service.started", http=settings.base_url, database=settings.database_name)
        try:
            yield
        finally:
            for worker in workers:
                await worker.stop()
            await _stop(runtime)
            log.info("service.stopped")

    app = FastAPI(title=definition.title, description=definition.description, lifespan=lifespan)
    app.state.settings = settings
    for name, value in definition.app_state.items():
        setattr(app.state, name, value)
    install_problem_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.http_max_body_bytes)
    install_correlation_middleware(app)  # outside the limit: a 413 carries the id too
    app.include_router(health_router)
    app.include_router(metrics_router)
    app.include_router(contract_router(service_contract(definition)))
    for router in definition.routers:
        app.include_router(router)
    install_problem_responses(app)
    return app


async def _start(definition: ServiceDefinition) -> Runtime:
    settings = definition.settings
    metrics = ServiceMetrics()
    client = create_client(settings.mongodb_url, settings.service_name, metrics.db_commands)
    database = client[settings.database_name]
    await ensure_core_indexes(database)
    if definition.ensure_indexes is not None:
        await definition.ensure_indexes(database)

    broker = build_broker(settings)
    publisher = EventPublisher(broker, settings.publish_timeout_seconds)
    outbox = LeasedQueue(
        database[OUTBOX],
        lease_seconds=settings.outbox_lease_seconds,
        max_attempts=settings.outbox_max_attempts,
    )
    relay = OutboxRelay(
        outbox,
        publisher,
        settings.outbox_poll_seconds,
        metrics,
        mark_delay_seconds=settings.outbox_mark_delay_seconds,
    )
    unit_of_work = UnitOfWork(
        client, database, settings.service_name, relay, settings.transaction_timeout_seconds
    )
    if definition.handlers:
        _subscribe(broker, definition, unit_of_work, metrics)

    runtime = Runtime(settings, client, database, broker, unit_of_work, relay, metrics)
    if not await _try_to_connect(runtime):
        runtime.broker_connector = asyncio.create_task(_keep_connecting(runtime))
    return runtime


async def _keep_connecting(runtime: Runtime) -> None:
    """A service started while RabbitMQ is away serves HTTP, reports not ready and keeps
    committing events to its outbox; they go out once the broker appears. After the first
    connection, aio-pika's robust connection restores channels, queues and consumers."""
    delay = 0.5
    while not await _try_to_connect(runtime):
        await asyncio.sleep(delay)
        delay = min(delay * 2, 10.0)


async def _try_to_connect(runtime: Runtime) -> bool:
    try:
        await runtime.broker.connect()
        await declare_topology(runtime.broker, runtime.settings.service_name)
        await runtime.broker.start()
    except Exception as error:
        log.warning("broker.unavailable", error=repr(error))
        await _forget_failed_connection(runtime.broker)
        return False
    runtime.relay.start()
    log.info("broker.connected")
    return True


async def _forget_failed_connection(broker: RabbitBroker) -> None:
    with contextlib.suppress(Exception):
        await broker.stop()


def _subscribe(
    broker: RabbitBroker, definition: ServiceDefinition, uow: UnitOfWork, metrics: ServiceMetrics
) -> None:
    settings = definition.settings
    consumer = EventConsumer(
        settings.service_name,
        CATALOG,
        definition.handlers,
        uow,
        DeadLetterer(broker, settings.service_name, settings.publish_timeout_seconds),
        RetryPolicy(
            settings.consumer_max_attempts,
            settings.retry_base_seconds,
            settings.retry_max_seconds,
        ),
        metrics,
    )

    # MANUAL: the consumer acks only after the effect is committed, and rejects or
    # dead-letters itself; FastStream must never ack or nack on its own.
    @broker.subscriber(
        ServiceQueues(settings.service_name).events_queue(),
        EVENTS_EXCHANGE,
        ack_policy=AckPolicy.MANUAL,
        no_reply=True,
        decoder=_keep_raw_body,
    )
    async def on_event(message: RabbitMessage) -> None:
        await consumer(message)


async def _keep_raw_body(message: StreamMessage[Any]) -> bytes:
    """Parsing is the consumer's job, under the failure policy; FastStream's own JSON decoding
    would fail outside it and leave a malformed message unacked."""
    return message.body


async def _stop(runtime: Runtime) -> None:
    if runtime.broker_connector is not None and not runtime.broker_connector.done():
        runtime.broker_connector.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runtime.broker_connector
    await runtime.relay.stop()
    try:
        await runtime.broker.stop()
    except Exception as error:
        # After a hard broker restart a channel can be beyond a clean basic.cancel; the
        # rest of the shutdown must still happen (unacked deliveries return to the queue).
        log.warning("broker.stop_failed", error=repr(error))
    await runtime.client.close()


def _check_handlers_are_routed(definition: ServiceDefinition) -> None:
    from shared.topology import topic_matches

    patterns = ServiceQueues(definition.name).bindings
    for event_type in definition.handlers:
        if event_type not in CATALOG.event_types():
            raise ValueError(f"{definition.name} handles {event_type}, not in the catalog")
        if not any(topic_matches(pattern, event_type) for pattern in patterns):
            raise ValueError(f"{definition.name} handles {event_type} but no binding routes it")


def service_contract(definition: ServiceDefinition) -> ServiceContract:
    return ServiceContract(
        name=definition.name,
        title=definition.title,
        description=definition.description,
        emits=list(definition.emits),
        consumes=consumed_models(definition.handlers),
    )


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime
