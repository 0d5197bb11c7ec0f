"""Dead-letter queues: read them with their reasons, and redrive messages to their service.
Used by `etwinning dlq` (tools/dlq.py) and every service's `/dead-letters` API.

A redrive publishes the message, unchanged and with the same message_id, straight to the
service's own queue (not to the exchange: the other services that already handled it never
see it again), waits for the broker's confirm, then removes it from the DLQ. The service's
inbox makes this safe to repeat.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustChannel

from shared.messaging.failures import (
    ATTEMPTS_HEADER,
    DETAIL_HEADER,
    EXCEPTION_HEADER,
    FAILED_AT_HEADER,
    ORIGINAL_ROUTING_KEY_HEADER,
    REASON_HEADER,
)
from shared.topology import ServiceQueues

# Headers that describe a past failure; a redriven message starts clean without them.
FAILURE_HEADERS = {
    REASON_HEADER, DETAIL_HEADER, EXCEPTION_HEADER, FAILED_AT_HEADER, ATTEMPTS_HEADER,
    ORIGINAL_ROUTING_KEY_HEADER, "x-original-exchange", "x-failed-service", "x-death",
    "x-first-death-exchange", "x-first-death-queue", "x-first-death-reason",
    "x-last-death-exchange", "x-last-death-queue", "x-last-death-reason", "x-delivery-count",
}  # fmt: skip


@dataclass(frozen=True)
class DeadLetter:
    message_id: str | None
    event_type: str | None
    reason: str
    detail: str
    original_routing_key: str | None
    failed_at: str | None
    attempts: int | None
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    """Every AMQP header, as text (`x-death` is a list of tables)."""

    @classmethod
    def of(cls, message: AbstractIncomingMessage) -> DeadLetter:
        headers: dict[str, Any] = dict(message.headers or {})
        deaths = headers.get("x-death") or []
        first_death: dict[str, Any] = dict(deaths[-1]) if deaths else {}
        routing_keys = list(first_death.get("routing-keys") or [])
        return cls(
            message_id=message.message_id,
            # The AMQP `type` property, or the envelope's own (an external publisher may
            # not set the property).
            event_type=message.type or _event_type_in(message.body),
            # Our own dead-lettering names the reason; the broker's (delivery limit) does too.
            reason=str(headers.get(REASON_HEADER) or first_death.get("reason") or "unknown"),
            detail=str(headers.get(DETAIL_HEADER) or ""),
            original_routing_key=headers.get(ORIGINAL_ROUTING_KEY_HEADER)
            or (str(routing_keys[0]) if routing_keys else None),
            failed_at=str(headers.get(FAILED_AT_HEADER) or first_death.get("time") or "") or None,
            attempts=_int_or_none(headers.get(ATTEMPTS_HEADER) or first_death.get("count")),
            body=message.body,
            headers={key: _text(value) for key, value in headers.items()},
        )


@asynccontextmanager
async def _channel(amqp_url: str) -> AsyncIterator[AbstractRobustChannel]:
    connection = await aio_pika.connect_robust(amqp_url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        yield channel
    finally:
        await connection.close()


async def peek(
    amqp_url: str,
    service: str,
    limit: int,
    *,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> list[DeadLetter]:
    """Read up to `limit` dead letters without removing them (they return when we close)."""
    async with _channel(amqp_url) as channel:
        queue = await channel.get_queue(ServiceQueues(service).dead_letter_queue_name)
        total = min(limit, queue.declaration_result.message_count or 0)
        letters: list[DeadLetter] = []
        while len(letters) < limit:
            message = await queue.get(no_ack=False, fail=False)
            if message is None:
                break
            letters.append(DeadLetter.of(message))
            progress(len(letters), max(total, len(letters)))
        return letters


async def redrive(
    amqp_url: str,
    service: str,
    *,
    limit: int | None = None,
    message_id: str | None = None,
    message_ids: frozenset[str] | None = None,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> int:
    """Move dead letters back to the service's queue; returns how many were moved.

    `message_id` or `message_ids` pick which (the others stay in the DLQ, in their order)."""
    wanted = message_ids
    if message_id is not None:
        wanted = frozenset({message_id}) | (wanted or frozenset())
    queues = ServiceQueues(service)
    async with _channel(amqp_url) as channel:
        dlq = await channel.get_queue(queues.dead_letter_queue_name)
        waiting = dlq.declaration_result.message_count or 0
        total = min(waiting, limit) if limit is not None else waiting
        if wanted is not None:
            total = min(total, len(wanted))
        moved = seen = 0
        while seen < waiting and moved < total:
            message = await dlq.get(no_ack=False, fail=False)
            if message is None:
                break
            seen += 1
            if wanted is not None and message.message_id not in wanted:
                continue  # left unacked: back in the DLQ when the channel closes
            await channel.default_exchange.publish(
                _clean_copy(message), routing_key=queues.events_queue_name, mandatory=True
            )
            await message.ack()
            moved += 1
            progress(moved, total)
        return moved


def _clean_copy(message: AbstractIncomingMessage) -> aio_pika.Message:
    headers = {k: v for k, v in (message.headers or {}).items() if k not in FAILURE_HEADERS}
    return aio_pika.Message(
        message.body,
        headers=headers,
        content_type=message.content_type,
        correlation_id=message.correlation_id,
        message_id=message.message_id,
        type=message.type,
        timestamp=message.timestamp,
        app_id=message.app_id,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
    )


def _event_type_in(body: bytes) -> str | None:
    try:
        event_type = json.loads(body).get("event_type")
    except (ValueError, AttributeError):
        return None
    return event_type if isinstance(event_type, str) else None


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)
