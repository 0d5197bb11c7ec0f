"""The in-app inbox: each recipient lists their notifications, counts the unread ones and
marks them read. A teacher sees their own; staff see theirs (the directory's entry with their
token's subject, role and country: an NSO login of Spain opens no inbox with a token of another
country); operators may look at anyone's (entrypoints/access.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from services.notifications.adapters import queries
from services.notifications.entrypoints.access import POLICY
from shared.errors import NotFound
from shared.http.access import Grant, Scope
from shared.http.dependencies import ServiceClock
from shared.http.inputs import Identifier
from shared.http.problems import HttpProblem
from shared.runtime import runtime_of

router = APIRouter(prefix="/inbox", tags=["inbox"])


class InboxItemOut(BaseModel):
    id: str
    recipient_id: str
    event_type: str
    kind: str
    subject: str
    text: str
    created_at: datetime
    read_at: datetime | None = None


class UnreadCount(BaseModel):
    recipient_id: str
    unread: int


async def _recipient_of(request: Request, grant: Grant, asked: str | None) -> str:
    principal = grant.principal
    assert principal is not None
    if grant.scope is Scope.ALL:
        if asked is None:
            raise HttpProblem(422, "recipient_required", "operators name a recipient_id")
        return asked
    if principal.role == "teacher":
        own = str(principal.teacher_id)
    else:
        database = runtime_of(request).database
        staff_id = await queries.staff_id_of_login(
            database, principal.subject, principal.role, principal.country
        )
        if staff_id is None:
            raise HttpProblem(
                403, "not_in_staff_directory", "no staff member has this login, role and country"
            )
        own = staff_id
    if asked is not None and asked != own:
        raise HttpProblem(403, "not_your_inbox", "you may read only your own inbox")
    return own


def _out(document: dict[str, Any]) -> InboxItemOut:
    return InboxItemOut(id=document["_id"], **{k: v for k, v in document.items() if k != "_id"})


@router.get("")
async def list_inbox(
    request: Request,
    grant: Annotated[Grant, POLICY.grant("inbox.list")],
    recipient_id: Identifier | None = None,
    unread_only: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[InboxItemOut]:
    owner = await _recipient_of(request, grant, recipient_id)
    database = runtime_of(request).database
    found = await queries.inbox_items(database, owner, unread_only=unread_only, limit=limit)
    return [_out(document) for document in found]


@router.get("/unread-count")
async def unread_count(
    request: Request,
    grant: Annotated[Grant, POLICY.grant("inbox.unread")],
    recipient_id: Identifier | None = None,
) -> UnreadCount:
    owner = await _recipient_of(request, grant, recipient_id)
    count = await queries.unread_count(runtime_of(request).database, owner)
    return UnreadCount(recipient_id=owner, unread=count)


@router.post("/{item_id}/read")
async def mark_read(
    request: Request,
    item_id: Identifier,
    grant: Annotated[Grant, POLICY.grant("inbox.mark_read")],
    clock: ServiceClock,
) -> InboxItemOut:
    """Only the recipient marks a notification read (operators look, never touch)."""
    owner = await _recipient_of(request, grant, None)
    database = runtime_of(request).database
    document = await queries.mark_read(database, item_id, owner, clock.now())
    if document is None:  # someone else's item is as invisible as a missing one
        raise NotFound(f"no notification {item_id} in your inbox", reason="inbox_item_not_found")
    return _out(document)
