"""Outbox entries: events committed with the state change that caused them."""

from __future__ import annotations

from shared.envelope import EventEnvelope
from shared.storage.leases import new_work_fields
from shared.storage.mongo import Document

PUBLISHED = "published"


def outbox_document(envelope: EventEnvelope) -> Document:
    return {
        "_id": str(envelope.event_id),
        "event_type": envelope.event_type,
        "event_version": envelope.event_version,
        "envelope": envelope.model_dump(mode="json"),
        **new_work_fields(envelope.occurred_at),
    }


def envelope_of(document: Document) -> EventEnvelope:
    return EventEnvelope.model_validate(document["envelope"])
