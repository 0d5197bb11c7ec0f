"""The one consumer of a service's queue: decode, dispatch by event_type, record in the inbox
in the same transaction as the effect, then ack. Nothing is acked before its effect commits.

Every delivery ends acked, redelivered or dead-lettered: whatever a body holds (not JSON,
nesting too deep to parse, numbers too long to read, wrong types, a routing key that is not
its event type), reading it fails as a permanent error, and a fault in the consumer's own path
still settles the delivery. A delivery left held would stall the queue once a prefetch's worth
are (see `deliveries.py`, which readiness reads).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import structlog
from faststream.rabbit.message import RabbitMessage
from pydantic import ValidationError

from shared.context import flow
from shared.envelope import EventEnvelope
from shared.errors import MalformedMessage, PermanentError
from shared.events.base import EventPayload
from shared.events.registry import EventRegistry
from shared.faults import fault_point
from shared.logging import get_logger
from shared.messaging.deliveries import HeldDeliveries
from shared.messaging.failures import (
    CONSUMER_ERROR,
    MALFORMED,
    ROUTING_KEY_MISMATCH,
    DeadLetterer,
    RetryPolicy,
    delivery_count,
    exception_type_of,
    is_permanent,
    reason_of,
)
from shared.metrics import ServiceMetrics
from shared.storage.unit_of_work import AlreadyProcessed, Transaction, UnitOfWork
from shared.topology import EVENTS_EXCHANGE_NAME

log = get_logger(__name__)

EventHandler = Callable[[Any, EventEnvelope, Transaction], Awaitable[None]]
MAX_MESSAGE_BYTES = 256 * 1024
# No BSON value holds a wider integer, and Python refuses to read one of more than 4,300 digits.
MAX_INTEGER_DIGITS = 20
INT64_BOUND = 2**63
DEFAULT_STALL_SECONDS = 180.0


@dataclass(frozen=True)
class IdempotentHandler:
    """A handler whose every write is queued and idempotent (an upsert keyed by the event, as
    `insert_if_absent` and `Transaction.enqueue` are) and which emits no event: it runs without
    a transaction (`UnitOfWork.run(atomic=False)`). Read-then-write handlers (read models
    ordered by `occurred_at`) must not be marked so: concurrent messages would race."""

    handle: EventHandler

    async def __call__(self, event: Any, envelope: EventEnvelope, tx: Transaction) -> None:
        await self.handle(event, envelope, tx)


class EventConsumer:
    def __init__(
        self,
        service: str,
        registry: EventRegistry,
        handlers: Mapping[str, EventHandler],
        unit_of_work: UnitOfWork,
        dead_letterer: DeadLetterer,
        retry_policy: RetryPolicy,
        metrics: ServiceMetrics | None = None,
        held: HeldDeliveries | None = None,
    ) -> None:
        self._service = service
        self._registry = registry
        self._handlers = handlers
        self._uow = unit_of_work
        self._dead_letterer = dead_letterer
        self._retry = retry_policy
        self._metrics = metrics or ServiceMetrics()
        self._held = held or HeldDeliveries(DEFAULT_STALL_SECONDS)

    @property
    def held(self) -> HeldDeliveries:
        return self._held

    async def __call__(self, message: RabbitMessage) -> None:
        self._held.received(message)
        try:
            await self._consume(message)
        except Exception as error:
            # A fault in our own path (the dead-lettering included): never leave the delivery
            # unsettled, which would stall the consumer once a prefetch's worth are held.
            log.exception("consumer.unexpected_error", message_id=message.raw_message.message_id)
            if message.committed is None:
                await self._settle_after_fault(message, error)
        finally:
            if message.committed is not None:
                self._held.settled(message)

    async def _consume(self, message: RabbitMessage) -> None:
        attempt = delivery_count(message)
        raw = message.raw_message
        with structlog.contextvars.bound_contextvars(
            message_id=raw.message_id, routing_key=raw.routing_key, delivery_count=attempt
        ):
            try:
                envelope, payload = self._decode(raw.body, raw.exchange, raw.routing_key)
            except PermanentError as error:  # MalformedMessage, or UnknownEvent from the registry
                await self._give_up(message, error, attempt)
                return
            except Exception as error:  # nothing else may escape before the handler runs
                malformed = MalformedMessage(
                    f"unreadable message: {type(error).__name__}: {_describe(error)}",
                    reason=MALFORMED,
                )
                malformed.__cause__ = error
                await self._give_up(message, malformed, attempt)
                return
            with flow(
                envelope.correlation_id,
                str(envelope.event_id),
                event_id=str(envelope.event_id),
                event_type=envelope.event_type,
            ):
                await self._handle(message, envelope, payload, attempt)

    def _decode(
        self, body: bytes, exchange: str | None, routing_key: str | None
    ) -> tuple[EventEnvelope, EventPayload]:
        if len(body) > MAX_MESSAGE_BYTES:
            raise MalformedMessage(
                f"message of {len(body)} bytes exceeds {MAX_MESSAGE_BYTES}", reason="oversized"
            )
        try:
            document = json.loads(body, parse_int=_bounded_int, parse_constant=_no_constant)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise MalformedMessage(f"body is not JSON: {error}", reason="invalid_json") from error
        try:
            envelope = EventEnvelope.model_validate(document)
        except ValidationError as error:
            raise MalformedMessage(
                f"not an event envelope: {error}", reason="invalid_envelope"
            ) from error
        # Through the events exchange the routing key is the event type (the contract says
        # so); a redrive goes straight to the queue through the default exchange.
        if exchange == EVENTS_EXCHANGE_NAME and routing_key != envelope.event_type:
            raise MalformedMessage(
                f"routing key {routing_key!r} is not the envelope's event_type "
                f"{envelope.event_type!r}",
                reason=ROUTING_KEY_MISMATCH,
            )
        return envelope, self._registry.payload_of(envelope)

    async def _handle(
        self, message: RabbitMessage, envelope: EventEnvelope, payload: EventPayload, attempt: int
    ) -> None:
        event_id = str(envelope.event_id)
        await fault_point("consumer.received", event_id)
        handler = self._handlers.get(envelope.event_type)
        if handler is None:
            log.debug("event.ignored")
            await message.ack()
            return
        started = time.perf_counter()

        async def handle_in(transaction: Transaction) -> None:
            await handler(payload, envelope, transaction)
            await fault_point("consumer.before_commit", event_id)

        try:
            await self._uow.run(
                handle_in,
                inbox=(self._service, event_id),
                atomic=not isinstance(handler, IdempotentHandler),
            )
        except AlreadyProcessed:
            log.info("event.duplicate_skipped")
            self._metrics.consumed.labels(envelope.event_type, "duplicate").inc()
            await message.ack()
            return
        except Exception as error:
            await self._on_failure(message, error, attempt, envelope.event_type)
            return
        self._metrics.handler_seconds.labels(envelope.event_type).observe(
            time.perf_counter() - started
        )
        self._metrics.consumed.labels(envelope.event_type, "handled").inc()
        log.info("event.handled")
        await fault_point("consumer.after_commit", event_id)
        await message.ack()

    async def _on_failure(
        self, message: RabbitMessage, error: Exception, attempt: int, event_type: str
    ) -> None:
        permanent = is_permanent(error)
        kind = "permanent" if permanent else "transient"
        self._metrics.failed.labels(event_type, kind).inc()
        if permanent or self._retry.gives_up_after(attempt):
            await self._give_up(message, error, attempt, event_type)
            return
        delay = self._retry.delay_before_retry(attempt)
        log.warning(
            "event.retry_scheduled", error=repr(error), attempt=attempt + 1, delay_seconds=delay
        )
        await asyncio.sleep(delay)
        # basic.reject counts toward the quorum delivery limit on RabbitMQ 3.10 and 4.x alike.
        await message.reject(requeue=True)

    async def _give_up(
        self, message: RabbitMessage, error: Exception, attempt: int, event_type: str = "unknown"
    ) -> None:
        reason = reason_of(error)
        self._metrics.dead_lettered.labels(event_type, reason).inc()
        log.error(
            "event.dead_lettered",
            reason=reason,
            error=str(error)[:1000],
            exception_type=exception_type_of(error),
            attempts=attempt + 1,
        )
        try:
            await self._dead_letterer.dead_letter(
                message, error, reason=reason, attempts=attempt + 1
            )
        except Exception as publish_error:
            # The broker's own dead-lettering still keeps the message (x-death holds the queue).
            log.error("event.dead_letter_publish_failed", error=repr(publish_error))
            await message.reject(requeue=False)
            return
        await message.ack()

    async def _settle_after_fault(self, message: RabbitMessage, fault: Exception) -> None:
        error = PermanentError(
            f"the consumer failed: {type(fault).__name__}: {_describe(fault)}",
            reason=CONSUMER_ERROR,
        )
        error.__cause__ = fault
        try:
            await self._give_up(message, error, delivery_count(message))
        except Exception:
            log.exception("consumer.settle_failed")
            if message.committed is None:
                # The queue's own dead-lettering keeps it (x-first-death-reason: rejected).
                await message.reject(requeue=False)


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise ValueError(f"an integer of {len(text)} characters is beyond 64 bits")
    value = int(text)
    if not -INT64_BOUND <= value < INT64_BOUND:
        raise ValueError(f"the integer {value} is beyond 64 bits")
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _describe(error: BaseException) -> str:
    try:
        return str(error)[:300]
    except Exception:  # an exception whose own text fails
        return "(no description)"
