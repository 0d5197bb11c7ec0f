"""The event envelope: the public, versioned wrapper every event travels in.

The envelope is what other systems publish and consume, so it is tolerant of extra fields
(a newer producer may add some) and strict about the fields it declares.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

EVENT_VERSION_HEADER = "x-event-version"
CAUSATION_HEADER = "x-causation-id"


def utcnow() -> datetime:
    return datetime.now(UTC)


class EventEnvelope(BaseModel):
    """Metadata shared by every event, plus the event's own payload."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_id: UUID = Field(
        default_factory=uuid4,
        description="Unique id of this event; consumers deduplicate on it. Equals AMQP message_id.",
    )
    event_type: str = Field(
        min_length=3,
        max_length=120,
        pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)+$",
        description="Stable name of the event, past tense, `<producer>.<aggregate>.<event>`.",
        examples=["projects.project.completed"],
    )
    event_version: int = Field(ge=1, description="Schema version of `payload` for this type.")
    occurred_at: AwareDatetime = Field(
        default_factory=utcnow, description="When the fact happened (UTC)."
    )
    producer: str = Field(min_length=1, description="Service or system that emitted the event.")
    correlation_id: str = Field(
        min_length=1, description="Id shared by every event of one business flow."
    )
    causation_id: str | None = Field(
        default=None, description="event_id of the event that caused this one, if any."
    )
    aggregate_id: str = Field(min_length=1, description="Id of the entity the event is about.")
    payload: dict[str, Any] = Field(description="The event's data; its schema is the type's.")

    def amqp_headers(self) -> dict[str, Any]:
        headers: dict[str, Any] = {EVENT_VERSION_HEADER: str(self.event_version)}
        if self.causation_id:
            headers[CAUSATION_HEADER] = self.causation_id
        return headers
