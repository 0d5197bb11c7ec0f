"""HTTP API of the notifications service: what was sent to whom (operators and CSS), the
staff directory (operators) and the in-app inbox (every recipient)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from services.notifications.adapters import queries
from services.notifications.entrypoints.access import POLICY
from services.notifications.entrypoints.inbox import router as inbox_router
from services.notifications.entrypoints.staff import router as staff_router
from services.notifications.entrypoints.webhooks import router as webhooks_router
from shared.http.access import Grant
from shared.http.inputs import Filter, Identifier
from shared.runtime import runtime_of

router = APIRouter(prefix="/deliveries", tags=["deliveries"])


class DeliveryOut(BaseModel):
    id: str
    event_id: str
    event_type: str
    recipient_id: str | None = None
    teacher_id: str | None
    to: str | None
    subject: str | None
    status: str
    attempts: int
    sent_at: datetime | None = None
    message_id: str | None = None
    last_error: str | None = None


def _out(document: dict[str, Any]) -> DeliveryOut:
    return DeliveryOut(
        id=document["_id"],
        subject=(document.get("mail") or {}).get("subject"),
        **{k: v for k, v in document.items() if k in DeliveryOut.model_fields and k != "id"},
    )


@router.get("")
async def list_deliveries(
    request: Request,
    _: Annotated[Grant, POLICY.grant("deliveries.list")],
    teacher_id: Identifier | None = None,
    recipient_id: Identifier | None = None,
    event_id: Identifier | None = None,
    status: Filter | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[DeliveryOut]:
    filters = {
        "teacher_id": teacher_id,
        "recipient_id": recipient_id,
        "event_id": event_id,
        "status": status,
    }
    where = {k: v for k, v in filters.items() if v}
    found = await queries.deliveries(runtime_of(request).database, where, limit)
    return [_out(document) for document in found]


routers = [router, staff_router, inbox_router, webhooks_router]
