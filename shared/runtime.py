"""One composition of the core per service process: MongoDB, broker, consumer, outbox relay,
HTTP app. A service describes itself with a ServiceDefinition; `create_app` wires the rest.

Start-up never fails for want of a server: the app serves HTTP at once and reports not ready
(with the reason) until, in this order, the database answers and its indexes are created (then
the background workers start), and the broker answers (then the relay and the consumer start).
What is not there at the first try is tried again in the background."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

import pymongo
from fastapi import APIRouter, FastAPI, Request
from fastapi_offline import FastAPIOffline
from faststream import AckPolicy
from faststream.message import StreamMessage
from faststream.rabbit import RabbitBroker
from faststream.rabbit.annotations import RabbitMessage
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from shared.contract import ServiceContract, consumed_models
from shared.events import CATALOG
from shared.events.base import EventPayload
from shared.http.auth import TeacherOfSubject
from shared.http.contract import contract_router
from shared.http.dead_letters import dead_letters_router
from shared.http.health import health_router
from shared.http.limits import BodySizeLimit
from shared.http.me import me_router
from shared.http.metrics import metrics_router
from shared.http.middleware import install_correlation_middleware
from shared.http.openapi import install_problem_responses
from shared.http.problems import install_problem_handlers
from shared.identity.verifier import token_verifier_for
from shared.logging import configure_logging, get_logger
from shared.messaging.broker import build_broker, declare_topology
from shared.messaging.consumer import EventConsumer, EventHandler
from shared.messaging.deliveries import HeldDeliveries
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
DOCS_ASSETS = "/docs/assets"  # Swagger UI, ReDoc and a favicon, from fastapi-offline


class BackgroundWorker(Protocol):
    def start(self) -> None: ...
    async def stop(self) -> None: ...


@dataclass
class StartUp:
    """How far start-up got: what readiness reports while a server is still away."""

    database_prepared: bool = False
    broker_connected: bool = False
    waiting_for: str | None = "database"
    last_error: str | None = None

    @property
    def done(self) -> bool:
        return self.database_prepared and self.broker_connected


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
    held: HeldDeliveries
    startup: StartUp = field(default_factory=StartUp)
    start_up_task: asyncio.Task[None] | None = None


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
    # How this service finds the teacher linked to a provider subject, in its own read models.
    teacher_of_subject: TeacherOfSubject | None = None


def create_app(definition: ServiceDefinition) -> FastAPI:
    settings = definition.settings
    _check_handlers_are_routed(definition)
    token_verifier = token_verifier_for(settings)  # refuses to start without an identity

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.service_name, json=settings.log_json, level=settings.log_level)
        if token_verifier.dev_mode:
            log.warning(
                "auth.development_mode",
                detail="HS256 tokens signed with JWT_SECRET are accepted (AUTH_DEV_MODE): "
                "anyone with the secret can mint any role; never in production",
            )
        runtime = _assemble(definition)
        app.state.runtime = runtime
        workers = [make(runtime) for make in definition.workers]
        await _start(runtime, definition, workers)
        log.info("service.started", http=settings.base_url, database=settings.database_name)
        try:
            yield
        finally:
            for worker in workers:
                await worker.stop()
            await _stop(runtime)
            log.info("service.stopped")

    # /docs and /redoc with Swagger UI's and ReDoc's assets served by the service itself, at
    # DOCS_ASSETS: FastAPI's defaults load them from a CDN and render blank without internet.
    app = FastAPIOffline(
        title=definition.title,
        description=definition.description,
        lifespan=lifespan,
        static_url=DOCS_ASSETS,
    )
    app.state.settings = settings
    app.state.token_verifier = token_verifier
    app.state.teacher_of_subject = definition.teacher_of_subject
    for name, value in definition.app_state.items():
        setattr(app.state, name, value)
    install_problem_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.http_max_body_bytes)
    install_correlation_middleware(app)  # outside the limit: a 413 carries the id too
    app.include_router(health_router)
    app.include_router(metrics_router)
    app.include_router(me_router)
    app.include_router(dead_letters_router)
    app.include_router(contract_router(service_contract(definition)))
    for router in definition.routers:
        app.include_router(router)
    install_problem_responses(app)
    return app


def _assemble(definition: ServiceDefinition) -> Runtime:
    """Every resource of the process, built without a single round trip to a server."""
    settings = definition.settings
    metrics = ServiceMetrics()
    client = create_client(settings.mongodb_url, settings.service_name, metrics.db_commands)
    database = client[settings.database_name]
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
    held = HeldDeliveries(settings.consumer_stall_seconds)
    metrics.watch(held)
    if definition.handlers:
        _subscribe(broker, definition, unit_of_work, metrics, held)
    return Runtime(settings, client, database, broker, unit_of_work, relay, metrics, held)


async def _start(
    runtime: Runtime, definition: ServiceDefinition, workers: Sequence[BackgroundWorker]
) -> None:
    if not await _try_to_start(runtime, definition, workers):
        runtime.start_up_task = asyncio.create_task(_keep_starting(runtime, definition, workers))


async def _keep_starting(
    runtime: Runtime, definition: ServiceDefinition, workers: Sequence[BackgroundWorker]
) -> None:
    """A service started while MongoDB or RabbitMQ is away serves HTTP, reports not ready and
    keeps trying. After the first broker connection, aio-pika's robust connection restores
    channels, queues and consumers; the database driver reconnects by itself."""
    delay = 0.5
    while not await _try_to_start(runtime, definition, workers):
        await asyncio.sleep(delay)
        delay = min(delay * 2, 10.0)


async def _try_to_start(
    runtime: Runtime, definition: ServiceDefinition, workers: Sequence[BackgroundWorker]
) -> bool:
    startup = runtime.startup
    if not startup.database_prepared:
        if not await _try_to_prepare_database(runtime, definition):
            return False
        startup.database_prepared = True
        startup.waiting_for, startup.last_error = "broker", None
        for worker in workers:
            worker.start()
    if not await _try_to_connect(runtime):
        return False
    startup.broker_connected = True
    startup.waiting_for = None
    return True


async def _try_to_prepare_database(runtime: Runtime, definition: ServiceDefinition) -> bool:
    """Indexes (and collections) are created outside transactions, before anything consumes:
    implicit creation inside concurrent transactions can fail with 'namespace already in use'.
    A bounded ping first: an absent server would otherwise hold start-up for the driver's
    30 s server selection."""
    try:
        with pymongo.timeout(runtime.settings.startup_database_timeout_seconds):
            await runtime.database.command("ping")
        await ensure_core_indexes(runtime.database)
        if definition.ensure_indexes is not None:
            await definition.ensure_indexes(runtime.database)
    except Exception as error:
        runtime.startup.last_error = _first_line(error)
        log.warning("database.unavailable", error=runtime.startup.last_error)
        return False
    log.info("database.prepared")
    return True


async def _try_to_connect(runtime: Runtime) -> bool:
    try:
        await runtime.broker.connect()
        await declare_topology(runtime.broker, runtime.settings.service_name)
        await runtime.broker.start()
    except Exception as error:
        runtime.startup.last_error = _first_line(error)
        log.warning("broker.unavailable", error=repr(error))
        await _forget_failed_connection(runtime.broker)
        return False
    runtime.relay.start()
    log.info("broker.connected")
    return True


def _first_line(error: BaseException) -> str:
    """What an operator needs of an error at a glance (PyMongo's carry a whole topology)."""
    text = f"{type(error).__name__}: {error}"
    return text.split(", Timeout:")[0].splitlines()[0][:300]


async def _forget_failed_connection(broker: RabbitBroker) -> None:
    with contextlib.suppress(Exception):
        await broker.stop()


def _subscribe(
    broker: RabbitBroker,
    definition: ServiceDefinition,
    uow: UnitOfWork,
    metrics: ServiceMetrics,
    held: HeldDeliveries,
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
        held,
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
    if runtime.start_up_task is not None and not runtime.start_up_task.done():
        runtime.start_up_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runtime.start_up_task
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
