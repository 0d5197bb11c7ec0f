"""The in-app inbox: each recipient lists their notifications, counts the unread ones and
marks them read. A teacher sees their own; staff see theirs (the directory's entry with their
token's subject, role and country: an NSO login of Spain opens no inbox with a token of another
country); operators may look at anyone's (entrypoints/access.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from services.notifications.adapters.repository import INBOX_ITEMS, STAFF
from services.notifications.entrypoints.access import POLICY
from shared.errors import NotFound
from shared.http.access import Grant, Scope
from shared.http.inputs import Identifier
from shared.http.problems import HttpProblem
from shared.runtime import runtime_of
from shared.storage.leases import utcnow

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
        login = {"subject": principal.subject, "role": principal.role, "country": principal.country}
        staff = await runtime_of(request).database[STAFF].find_one(login)
        if staff is None:
            raise HttpProblem(
                403, "not_in_staff_directory", "no staff member has this login, role and country"
            )
        own = str(staff["_id"])
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
    query: dict[str, Any] = {"recipient_id": owner}
    if unread_only:
        query["read_at"] = None
    cursor = runtime_of(request).database[INBOX_ITEMS].find(query)
    return [_out(document) async for document in cursor.sort("created_at", -1).limit(limit)]


@router.get("/unread-count")
async def unread_count(
    request: Request,
    grant: Annotated[Grant, POLICY.grant("inbox.unread")],
    recipient_id: Identifier | None = None,
) -> UnreadCount:
    owner = await _recipient_of(request, grant, recipient_id)
    collection = runtime_of(request).database[INBOX_ITEMS]
    count = await collection.count_documents({"recipient_id": owner, "read_at": None})
    return UnreadCount(recipient_id=owner, unread=count)


@router.post("/{item_id}/read")
async def mark_read(
    request: Request, item_id: Identifier, grant: Annotated[Grant, POLICY.grant("inbox.mark_read")]
) -> InboxItemOut:
    """Only the recipient marks a notification read (operators look, never touch)."""
    owner = await _recipient_of(request, grant, None)
    collection = runtime_of(request).database[INBOX_ITEMS]
    await collection.update_one(
        {"_id": item_id, "recipient_id": owner, "read_at": None}, {"$set": {"read_at": utcnow()}}
    )
    document = await collection.find_one({"_id": item_id, "recipient_id": owner})
    if document is None:  # someone else's item is as invisible as a missing one
        raise NotFound(f"no notification {item_id} in your inbox", reason="inbox_item_not_found")
    return _out(document)
