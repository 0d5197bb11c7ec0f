"""Events published by the notifications service.

`notifications.delivery.failed` is for operators' alerting: it is emitted through the outbox in
the same transaction that marks an e-mail or webhook delivery `failed`, once its retry budget
is spent. It is routed to the operators' alerts queue (`operators.alerts`, shared/topology.py).
It carries no personal data (no address, no text): whoever acts on it looks the delivery up
with `GET /deliveries?status=failed` or `GET /webhooks/{id}/deliveries`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from shared.events.base import EventPayload
from shared.events.fields import EntityId


class DeliveryFailed(EventPayload):
    """An e-mail or a webhook POST spent its retry budget without being accepted."""

    event_type = "notifications.delivery.failed"
    event_version = 1
    aggregate_field = "delivery_id"

    delivery_id: EntityId = Field(
        description="The delivery; an e-mail's Message-ID is derived from it."
    )
    channel: Literal["email", "webhook"]
    recipient_id: EntityId = Field(
        description="Teacher id or staff id for an e-mail; the subscription id for a webhook."
    )
    recipient_kind: Literal["teacher", "staff", "webhook"]
    source_event_id: str = Field(description="The event that caused the notification.")
    source_event_type: str = Field(examples=["awards.nql.granted"])
    attempts: int = Field(ge=1, description="Attempts made, the last one included.")
    last_error: str = Field(
        description="The last attempt's error, with any e-mail address masked.",
        examples=["SMTPServerDisconnected: Connection unexpectedly closed"],
    )
    failed_at: datetime
