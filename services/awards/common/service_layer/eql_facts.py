"""Keeps the founders' countries of completed projects (from projects.project.completed), for
R-EQL-2. It runs in the same transaction as the NQL handler of the same event."""

from __future__ import annotations

from services.awards.eql.adapters.repository import EqlRepository
from shared.envelope import EventEnvelope
from shared.events import projects as facts
from shared.messaging.consumer import EventHandler
from shared.storage.unit_of_work import Transaction


async def on_project_completed(
    event: facts.ProjectCompleted, envelope: EventEnvelope, tx: Transaction
) -> None:
    founder_ids = list(event.founder_ids) or [
        m.teacher_id for m in event.members if m.role == "FOUNDER"
    ]
    EqlRepository(tx).remember_founders(
        event.project_id, list(event.founder_countries), founder_ids
    )


def also(first: EventHandler, then: EventHandler) -> EventHandler:
    """Two handlers of one event type, in one transaction (the consumer maps one per type)."""

    async def handle(
        event: facts.ProjectCompleted, envelope: EventEnvelope, tx: Transaction
    ) -> None:
        await first(event, envelope, tx)
        await then(event, envelope, tx)

    return handle
