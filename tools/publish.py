"""Validate an event file against the catalog and publish it as an external system would."""

from __future__ import annotations

import json
from pathlib import Path

import aio_pika

from shared.envelope import EventEnvelope
from shared.errors import PermanentError
from shared.events import CATALOG
from shared.topology import EVENTS_EXCHANGE_NAME


class InvalidEvent(Exception):
    pass


def load_event(path: Path) -> EventEnvelope:
    """The same checks the consumers make: an envelope, a known type and version, a payload
    that matches its schema."""
    try:
        envelope = EventEnvelope.model_validate(json.loads(path.read_text(encoding="utf-8")))
        CATALOG.payload_of(envelope)
    except (ValueError, PermanentError) as error:
        raise InvalidEvent(str(error)) from error
    return envelope


async def publish(amqp_url: str, envelope: EventEnvelope) -> None:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        exchange = await channel.get_exchange(EVENTS_EXCHANGE_NAME, ensure=False)
        await exchange.publish(
            aio_pika.Message(
                envelope.model_dump_json().encode(),
                content_type="application/json",
                message_id=str(envelope.event_id),
                correlation_id=envelope.correlation_id,
                type=envelope.event_type,
                timestamp=envelope.occurred_at,
                headers=envelope.amqp_headers(),
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            ),
            routing_key=envelope.event_type,
            mandatory=True,
        )
