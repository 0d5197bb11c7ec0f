"""MongoDB persistence of the notifications service: contacts, the staff directory, the read
models kept from other services' events, mail deliveries and in-app inbox items."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from services.notifications.domain.messages import Contact, InboxItem, MailDelivery
from services.notifications.domain.staff import StaffMember
from services.notifications.domain.webhooks import WebhookSubscription
from shared.storage.leases import new_work_fields
from shared.storage.mongo import Document
from shared.storage.unit_of_work import Transaction

CONTACTS = "contacts"
DELIVERIES = "mail_deliveries"
STAFF = "staff"
INBOX_ITEMS = "inbox_items"  # not "inbox": that is the core's idempotency record
PROJECTS = "projects"
SCHOOLS = "schools"


async def ensure_indexes(database: AsyncDatabase[Document]) -> None:
    await database[DELIVERIES].create_indexes(
        [
            IndexModel([("status", ASCENDING), ("next_attempt_at", ASCENDING)]),
            IndexModel([("teacher_id", ASCENDING)]),
            IndexModel([("recipient_id", ASCENDING)]),
            IndexModel([("about", ASCENDING)]),
        ]
    )
    await database[INBOX_ITEMS].create_indexes(
        [
            IndexModel([("recipient_id", ASCENDING), ("created_at", DESCENDING)]),
            IndexModel([("recipient_id", ASCENDING), ("read_at", ASCENDING)]),
            IndexModel([("digest", ASCENDING), ("recipient_id", ASCENDING)]),
            IndexModel([("about", ASCENDING)]),
        ]
    )
    await database["webhook_deliveries"].create_indexes(
        [
            IndexModel([("status", ASCENDING), ("next_attempt_at", ASCENDING)]),
            IndexModel([("subscription_id", ASCENDING)]),
        ]
    )
    await database[STAFF].create_indexes(
        [
            IndexModel([("role", ASCENDING), ("country", ASCENDING)]),
            IndexModel([("subject", ASCENDING)], unique=True),
        ]
    )


class ContactBook:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx
        self._collection = tx.collection(CONTACTS)

    async def remember(self, contact: Contact, as_of: datetime) -> None:
        current = await self._collection.find_one(
            {"_id": contact.teacher_id}, session=self._tx.session
        )
        if current is not None and (current.get("erased") or current["as_of"] > as_of):
            return  # erasure is final; and older facts never overwrite newer ones
        await self._collection.replace_one(
            {"_id": contact.teacher_id},
            {"name": contact.name, "email": contact.email, "language": contact.language,
             "as_of": as_of, "erased": False},
            upsert=True,
            session=self._tx.session,
        )  # fmt: skip

    async def erase(self, teacher_id: str, as_of: datetime) -> None:
        """Right to erasure: keep only a tombstone, so a late event cannot bring data back.
        Unsent mails are cancelled and their address and text dropped; inbox items go."""
        session = self._tx.session
        await self._collection.replace_one(
            {"_id": teacher_id}, {"erased": True, "as_of": as_of}, upsert=True, session=session
        )
        deliveries = self._tx.collection(DELIVERIES)
        to_or_about = {"$or": [{"teacher_id": teacher_id}, {"about": teacher_id}]}
        await deliveries.update_many(
            {**to_or_about, "status": {"$ne": "sent"}},
            {"$set": {"status": "cancelled"}},
            session=session,
        )
        await deliveries.update_many(
            {"teacher_id": teacher_id}, {"$set": {"to": None, "mail": None}}, session=session
        )
        await deliveries.update_many(
            {"about": teacher_id}, {"$set": {"mail": None}}, session=session
        )
        await self._tx.collection(INBOX_ITEMS).delete_many(
            {"$or": [{"recipient_id": teacher_id, "recipient_kind": "teacher"},
                     {"about": teacher_id}]},
            session=session,
        )  # fmt: skip

    async def find_many(self, teacher_ids: Sequence[str]) -> dict[str, Contact | bool | None]:
        """Each teacher's contact, in one round trip: False when erased, None when not known
        (yet)."""
        cursor = self._collection.find(
            {"_id": {"$in": list(teacher_ids)}}, session=self._tx.session
        )
        found = {document["_id"]: _contact_of(document) async for document in cursor}
        return {teacher_id: found.get(teacher_id) for teacher_id in teacher_ids}


def _contact_of(document: Document) -> Contact | bool:
    if document.get("erased"):
        return False
    return Contact(document["_id"], document["name"], document["email"], document["language"])


class ProjectBook:
    """Read model of projects from the projects service's events: title and members."""

    def __init__(self, tx: Transaction) -> None:
        self._tx = tx
        self._collection = tx.collection(PROJECTS)

    async def note(
        self, project_id: str, *, title: str | None = None, members: Iterable[str] = ()
    ) -> None:
        update: dict[str, Any] = {"$addToSet": {"members": {"$each": sorted(set(members))}}}
        if title is not None:
            update["$set"] = {"title": title}
        await self._collection.update_one(
            {"_id": project_id}, update, upsert=True, session=self._tx.session
        )

    async def remove_member(self, project_id: str, teacher_id: str) -> None:
        await self._collection.update_one(
            {"_id": project_id}, {"$pull": {"members": teacher_id}}, session=self._tx.session
        )

    async def find(self, project_id: str) -> Document | None:
        return await self._collection.find_one({"_id": project_id}, session=self._tx.session)


class SchoolBook:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx
        self._collection = tx.collection(SCHOOLS)

    async def note(self, school_id: str, name: str, town: str, country: str) -> None:
        await self._collection.replace_one(
            {"_id": school_id},
            {"name": name, "town": town, "country": country},
            upsert=True,
            session=self._tx.session,
        )

    async def name_of(self, school_id: str) -> str | None:
        document = await self._collection.find_one({"_id": school_id}, session=self._tx.session)
        return None if document is None else str(document["name"])


def staff_from(document: Document) -> StaffMember:
    return StaffMember(
        id=document["_id"],
        subject=document["subject"],
        name=document["name"],
        email=document["email"],
        language=document["language"],
        role=document["role"],
        country=document.get("country"),
        kinds=frozenset(document.get("kinds", [])),
        digest=document.get("digest", "immediate"),
        digest_hour=document.get("digest_hour", 7),
    )


def staff_document(member: StaffMember) -> Document:
    return {
        "_id": member.id,
        "subject": member.subject,
        "name": member.name,
        "email": member.email,
        "language": member.language,
        "role": member.role,
        "country": member.country,
        "kinds": sorted(member.kinds),
        "digest": member.digest,
        "digest_hour": member.digest_hour,
    }


class StaffDirectory:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx
        self._collection = tx.collection(STAFF)

    async def save(self, member: StaffMember) -> None:
        await self._collection.replace_one(
            {"_id": member.id}, staff_document(member), upsert=True, session=self._tx.session
        )

    async def get(self, staff_id: str) -> StaffMember | None:
        document = await self._collection.find_one({"_id": staff_id}, session=self._tx.session)
        return None if document is None else staff_from(document)

    async def remove(self, staff_id: str) -> bool:
        result = await self._collection.delete_one({"_id": staff_id}, session=self._tx.session)
        return result.deleted_count == 1

    async def by_subject(self, subject: str) -> StaffMember | None:
        document = await self._collection.find_one({"subject": subject}, session=self._tx.session)
        return None if document is None else staff_from(document)

    async def with_role(self, role: str, countries: Iterable[str] = ()) -> list[StaffMember]:
        query: dict[str, Any] = {"role": role}
        wanted = list(countries)
        if wanted:
            query["country"] = {"$in": wanted}
        cursor = self._collection.find(query, session=self._tx.session).sort("_id", ASCENDING)
        return [staff_from(document) async for document in cursor]


def delivery_document(delivery: MailDelivery) -> Document:
    return {
        "_id": delivery.id,
        "event_id": delivery.event_id,
        "event_type": delivery.event_type,
        "recipient_id": delivery.recipient_id,
        "teacher_id": delivery.teacher_id,
        "to": delivery.to,
        "language": delivery.language,
        "mail": vars(delivery.mail).copy(),
        "about": delivery.about,
        **new_work_fields(),
    }


def inbox_item_document(item: InboxItem, *, digest: bool = False) -> Document:
    return {
        "_id": item.id,
        "recipient_id": item.recipient_id,
        "recipient_kind": item.recipient_kind,
        "event_id": item.event_id,
        "event_type": item.event_type,
        "kind": item.kind,
        "subject": item.subject,
        "text": item.text,
        "created_at": item.created_at,
        "about": item.about,
        "read_at": None,
        **({"digest": "pending"} if digest else {}),
    }


def webhook_delivery_document(
    delivery_id: str, subscription_id: str, url: str, body: str
) -> Document:
    return {
        "_id": delivery_id,
        "subscription_id": subscription_id,
        "url": url,
        "body": body,
        **new_work_fields(),
    }


WEBHOOKS = "webhook_subscriptions"
WEBHOOK_DELIVERIES = "webhook_deliveries"


def webhook_from(document: Document) -> WebhookSubscription:
    return WebhookSubscription(
        document["_id"], document["url"], document["secret"], frozenset(document["kinds"])
    )


class WebhookBook:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def all(self) -> list[WebhookSubscription]:
        cursor = self._tx.collection(WEBHOOKS).find({}, session=self._tx.session).sort("_id", 1)
        return [webhook_from(document) async for document in cursor]
