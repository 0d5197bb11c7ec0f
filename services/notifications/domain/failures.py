"""What operators are told when a delivery spends its retry budget. Plain Python: no I/O."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from shared.events.notifications import DeliveryFailed

# An SMTP error may quote the recipient ("SMTPRecipientsRefused: {'ana@x.example': …}"):
# personal data stays out of events, so anything shaped like an address is masked.
_ADDRESS = re.compile(r"[^\s<>()\[\]{}'\",;:@]+@[^\s<>()\[\]{}'\",;:@]+")
MAX_ERROR_LENGTH = 500


def without_addresses(error: str) -> str:
    return _ADDRESS.sub("<address>", error)[:MAX_ERROR_LENGTH]


def delivery_failed(
    delivery: dict[str, object],
    channel: Literal["email", "webhook"],
    source_event_id: str,
    source_event_type: str,
    error: str,
    failed_at: datetime,
) -> DeliveryFailed:
    """The event for a delivery document as the dispatchers claim it (attempts included)."""
    if channel == "webhook":
        recipient_id, kind = str(delivery["subscription_id"]), "webhook"
    else:
        recipient_id = str(delivery["recipient_id"])
        kind = "teacher" if delivery.get("teacher_id") else "staff"
    return DeliveryFailed(
        delivery_id=str(delivery["_id"]),
        channel=channel,
        recipient_id=recipient_id,
        recipient_kind=kind,
        source_event_id=source_event_id,
        source_event_type=source_event_type,
        attempts=int(str(delivery.get("attempts", 1))),
        last_error=without_addresses(error),
        failed_at=failed_at,
    )
