"""The timeline of one flow across services: every event with this correlation id or about
this aggregate (a project, a teacher…), who published it and who consumed it.

It reads each service's outbox (published events are kept 7 days) and inbox (30 days). An
operator's tool: services themselves never read each other's databases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pymongo import AsyncMongoClient

from shared.storage.mongo import INBOX, OUTBOX

SERVICES = ("registration", "projects", "awards", "notifications")


@dataclass
class TracedEvent:
    occurred_at: datetime
    event_id: str
    event_type: str
    producer: str
    aggregate_id: str
    correlation_id: str
    causation_id: str | None
    status: str
    consumed_by: list[str] = field(default_factory=list)

    def line(self) -> str:
        consumers = ", ".join(sorted(self.consumed_by)) or "-"
        return (
            f"{self.occurred_at.isoformat(timespec='milliseconds')}  {self.producer:<13} "
            f"{self.event_type:<40} {self.aggregate_id:<24} → {consumers}  [{self.status}]"
        )


async def trace(
    mongodb_url: str, key: str, database_template: str = "etw_{service}"
) -> list[TracedEvent]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_url, tz_aware=True)
    try:
        databases = {s: client[database_template.format(service=s)] for s in SERVICES}
        query = {
            "$or": [
                {"envelope.correlation_id": key},
                {"envelope.aggregate_id": key},
                {"envelope.payload.project_id": key},
                {"envelope.payload.teacher_id": key},
            ]
        }
        events: dict[str, TracedEvent] = {}
        for database in databases.values():
            async for entry in database[OUTBOX].find(query):
                envelope = entry["envelope"]
                events[entry["_id"]] = TracedEvent(
                    occurred_at=datetime.fromisoformat(envelope["occurred_at"]),
                    event_id=entry["_id"],
                    event_type=envelope["event_type"],
                    producer=envelope["producer"],
                    aggregate_id=envelope["aggregate_id"],
                    correlation_id=envelope["correlation_id"],
                    causation_id=envelope.get("causation_id"),
                    status=entry["status"],
                )
        for service, database in databases.items():
            async for record in database[INBOX].find({"event_id": {"$in": list(events)}}):
                events[record["event_id"]].consumed_by.append(service)
        return sorted(events.values(), key=lambda event: event.occurred_at)
    finally:
        await client.close()
