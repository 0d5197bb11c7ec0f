"""Read side of the notifications service: what the HTTP API lists and shows (deliveries,
the staff directory, inboxes, webhook subscriptions and their deliveries), plus the few
single-document writes its routes make outside a use case (marking an item read, adding and
removing a webhook subscription). Routes call these; they never touch a collection."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from services.notifications.adapters.repository import (
    DELIVERIES,
    INBOX_ITEMS,
    STAFF,
    WEBHOOK_DELIVERIES,
    WEBHOOKS,
    staff_from,
)
from services.notifications.domain.staff import StaffMember
from shared.storage.mongo import Document

Database = AsyncDatabase[Document]


async def deliveries(database: Database, where: dict[str, str], limit: int) -> list[Document]:
    """Mail deliveries matching `where` (field -> value), newest first."""
    found = database[DELIVERIES].find(where).sort("enqueued_at", -1).limit(limit)
    return [document async for document in found]


async def staff_members(database: Database, where: dict[str, str]) -> list[StaffMember]:
    found = database[STAFF].find(where).sort("_id", 1)
    return [staff_from(document) async for document in found]


async def staff_member(database: Database, staff_id: str) -> StaffMember | None:
    document = await database[STAFF].find_one({"_id": staff_id})
    return None if document is None else staff_from(document)


async def staff_id_of_login(
    database: Database, subject: str, role: str, country: str | None
) -> str | None:
    """The directory's entry of a staff login: its subject, role and country all match."""
    login = {"subject": subject, "role": role, "country": country}
    document = await database[STAFF].find_one(login, {"_id": 1})
    return None if document is None else str(document["_id"])


async def inbox_items(
    database: Database, recipient_id: str, *, unread_only: bool, limit: int
) -> list[Document]:
    """A recipient's inbox, newest first."""
    query: dict[str, Any] = {"recipient_id": recipient_id}
    if unread_only:
        query["read_at"] = None
    found = database[INBOX_ITEMS].find(query).sort("created_at", -1).limit(limit)
    return [document async for document in found]


async def unread_count(database: Database, recipient_id: str) -> int:
    return await database[INBOX_ITEMS].count_documents(
        {"recipient_id": recipient_id, "read_at": None}
    )


async def mark_read(
    database: Database, item_id: str, recipient_id: str, at: datetime
) -> Document | None:
    """Stamps the item read (once: a second call keeps the first time) and returns it; None
    when the recipient has no such item."""
    items = database[INBOX_ITEMS]
    await items.update_one(
        {"_id": item_id, "recipient_id": recipient_id, "read_at": None}, {"$set": {"read_at": at}}
    )
    return await items.find_one({"_id": item_id, "recipient_id": recipient_id})


async def webhooks(database: Database) -> list[Document]:
    return [document async for document in database[WEBHOOKS].find().sort("_id", 1)]


async def add_webhook(database: Database, document: Document) -> None:
    await database[WEBHOOKS].insert_one(document)


async def remove_webhook(database: Database, webhook_id: str) -> bool:
    """Whether there was such a subscription."""
    result = await database[WEBHOOKS].delete_one({"_id": webhook_id})
    return result.deleted_count == 1


async def webhook_deliveries(database: Database, webhook_id: str) -> list[Document]:
    """What was posted to one subscription, oldest first."""
    found = database[WEBHOOK_DELIVERIES].find({"subscription_id": webhook_id})
    return [document async for document in found.sort("enqueued_at", 1)]
