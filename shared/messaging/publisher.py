"""Publishing an event: persistent, confirmed, mandatory, with its envelope mirrored in AMQP
properties."""

from __future__ import annotations

from faststream.rabbit import RabbitBroker
from pamqp.commands import Basic

from shared.envelope import EventEnvelope
from shared.errors import TransientError
from shared.topology import EVENTS_EXCHANGE


class EventPublisher:
    def __init__(self, broker: RabbitBroker, timeout_seconds: float) -> None:
        self._broker = broker
        self._timeout = timeout_seconds

    async def publish(self, envelope: EventEnvelope) -> None:
        confirmation = await self._broker.publish(
            envelope.model_dump_json().encode(),
            exchange=EVENTS_EXCHANGE,
            routing_key=envelope.event_type,
            message_id=str(envelope.event_id),
            message_type=envelope.event_type,
            correlation_id=envelope.correlation_id,
            timestamp=envelope.occurred_at,
            headers=envelope.amqp_headers(),
            content_type="application/json",
            persist=True,
            mandatory=True,
            timeout=self._timeout,
        )
        # With on_return_raises an unroutable message raises; a nack raises DeliveryError.
        # Anything but a confirm here means the broker did not take responsibility.
        if not isinstance(confirmation, Basic.Ack):
            raise TransientError(f"publish of {envelope.event_id} not confirmed: {confirmation!r}")
