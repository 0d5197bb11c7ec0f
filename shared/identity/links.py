"""Provider subject -> teacher, as a read model each service keeps from registration's events
(TeacherRegistered / TeacherValidated carry `identity_subject`; TeacherErased unlinks). Every
request of a person without a staff role looks their subject up here, so no service asks
registration who is calling.

One document per teacher: `{_id: teacher_id, subject, as_of}`; erasure leaves a tombstone
(`erased: true`, no subject) so that a late event cannot link the teacher again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from shared.storage.mongo import Document
from shared.storage.unit_of_work import Transaction

SUBJECT_LINKS = "subject_links"

EnsureIndexes = Callable[[AsyncDatabase[Document]], Awaitable[None]]


async def ensure_link_indexes(database: AsyncDatabase[Document]) -> None:
    # One teacher per subject, as in registration; tombstones carry no subject.
    await database[SUBJECT_LINKS].create_indexes(
        [
            IndexModel([("subject", ASCENDING)]),  # every request's lookup
            IndexModel(
                [("subject", ASCENDING)],
                name="one_teacher_per_subject",
                unique=True,
                partialFilterExpression={"subject": {"$type": "string"}},
            ),
        ]
    )


def with_link_indexes(ensure: EnsureIndexes) -> EnsureIndexes:
    async def both(database: AsyncDatabase[Document]) -> None:
        await ensure(database)
        await ensure_link_indexes(database)

    return both


class SubjectLinks:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx
        self._collection = tx.collection(SUBJECT_LINKS)

    async def link(self, subject: str | None, teacher_id: str, as_of: datetime) -> None:
        """Record the teacher's subject, unless a newer fact or the erasure came first."""
        if subject is None:
            return
        current = await self._collection.find_one(
            {"_id": teacher_id}, {"as_of": 1, "erased": 1}, session=self._tx.session
        )
        if current is not None and (current.get("erased") or current["as_of"] > as_of):
            return
        holder = await self._collection.find_one(
            {"subject": subject, "_id": {"$ne": teacher_id}}, {"as_of": 1}, session=self._tx.session
        )
        if holder is not None:
            # A subject re-registers only after its old profile was erased: whichever link is
            # newer is the live one, even when the old erasure's event is still on its way.
            if holder["as_of"] > as_of:
                return
            await self._collection.update_one(
                {"_id": holder["_id"]}, {"$unset": {"subject": ""}}, session=self._tx.session
            )
        await self._collection.replace_one(
            {"_id": teacher_id},
            {"subject": subject, "as_of": as_of},
            upsert=True,
            session=self._tx.session,
        )

    async def erase(self, teacher_id: str, as_of: datetime) -> None:
        await self._collection.replace_one(
            {"_id": teacher_id},
            {"erased": True, "as_of": as_of},
            upsert=True,
            session=self._tx.session,
        )


async def teacher_of_subject(database: AsyncDatabase[Document], subject: str) -> str | None:
    document = await database[SUBJECT_LINKS].find_one({"subject": subject}, {"_id": 1})
    return None if document is None else str(document["_id"])
