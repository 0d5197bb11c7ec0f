"""RabbitBroker construction and topology declaration, the same for every service."""

from __future__ import annotations

import logging

from aio_pika import RobustExchange
from faststream.rabbit import Channel, RabbitBroker

from shared.logging import get_logger
from shared.settings import ServiceSettings
from shared.topology import ALERTS, DEAD_LETTER_EXCHANGE, EVENTS_EXCHANGE, ServiceQueues

log = get_logger(__name__)


def build_broker(settings: ServiceSettings) -> RabbitBroker:
    return RabbitBroker(
        settings.amqp_url,
        app_id=settings.service_name,
        # on_return_raises: an unroutable publish raises instead of passing silently;
        # prefetch bounds concurrency (without it aiormq starts a task per delivery).
        default_channel=Channel(prefetch_count=settings.amqp_prefetch, on_return_raises=True),
        graceful_timeout=settings.graceful_timeout_seconds,
        reconnect_interval=2.0,
        logger=logging.getLogger(f"faststream.{settings.service_name}"),
        log_level=logging.DEBUG,
    )


async def declare_topology(broker: RabbitBroker, service: str) -> None:
    """Declare the exchanges and, for a consuming service, its queues and every binding.

    The operators' alerts queue has no process of its own to declare it, so the service that
    produces alert events declares it too: an alert must never be unroutable. A subscriber binds
    one routing key; the others are bound here. aio-pika's robust objects restore these bindings
    after a reconnect.
    """
    events = await broker.declare_exchange(EVENTS_EXCHANGE)
    dead_letters = await broker.declare_exchange(DEAD_LETTER_EXCHANGE)
    for queues in (ServiceQueues(service), *_alert_queues_produced_by(service)):
        if queues.bindings:
            await _declare_queues(broker, events, dead_letters, queues)


def _alert_queues_produced_by(service: str) -> tuple[ServiceQueues, ...]:
    produces_alerts = any(pattern.split(".")[0] == service for pattern in ALERTS.bindings)
    return (ALERTS,) if produces_alerts else ()


async def _declare_queues(
    broker: RabbitBroker,
    events: RobustExchange,
    dead_letters: RobustExchange,
    queues: ServiceQueues,
) -> None:
    dlq = await broker.declare_queue(queues.dead_letter_queue())
    await dlq.bind(dead_letters, routing_key=queues.dead_letter_queue_name)
    queue = await broker.declare_queue(queues.events_queue())
    for pattern in queues.bindings:
        await queue.bind(events, routing_key=pattern)
    log.debug("topology.declared", queue=queues.events_queue_name, bindings=queues.bindings)
