"""MongoDB persistence of the School Label: the school and teacher facts kept from
registration events, the eligibility found per round and the applications. Writes run in the
caller's transaction; the eligibility run's reads are plain queries on indexed fields."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.awards.nql.adapters.repository import APPLICATIONS, PROJECTS
from services.awards.school_label.domain.errors import SCHOOL_ALREADY_APPLIED
from services.awards.school_label.domain.model import (
    SchoolFacts,
    SchoolLabelApplication,
    TeacherFacts,
)
from shared.storage.mongo import Document, ensure_collections
from shared.storage.unit_of_work import Transaction

SCHOOLS = "school_label_schools"
TEACHERS = "school_label_teachers"
ELIGIBILITY = "school_label_eligibility"
LABEL_APPLICATIONS = "school_label_applications"


async def ensure_indexes(database: AsyncDatabase[Document]) -> None:
    await database[TEACHERS].create_indexes(
        [IndexModel([("school_id", ASCENDING), ("status", ASCENDING)])]
    )
    await database[ELIGIBILITY].create_indexes(
        [
            IndexModel([("year", ASCENDING), ("country", ASCENDING)]),
            IndexModel([("school_id", ASCENDING)]),
        ]
    )
    await database[LABEL_APPLICATIONS].create_indexes(
        [
            IndexModel([("school_id", ASCENDING), ("status", ASCENDING)]),
            IndexModel(
                [("country", ASCENDING), ("status", ASCENDING), ("submitted_at", ASCENDING)]
            ),
            # the head's link finds its application (only waiting ones carry a hash)
            IndexModel([("head_token_hash", ASCENDING)], sparse=True),
        ]
    )
    # The run starts from the NQLs granted in a window, and looks up teachers' activity in
    # the NQL records: these indexes keep both off a collection scan. Default names: another
    # part of the service may declare the same keys (then it is one index, not a conflict).
    await database[APPLICATIONS].create_indexes(
        [
            IndexModel([("status", ASCENDING), ("decision.decided_at", ASCENDING)]),
            IndexModel([("teacher_id", ASCENDING), ("submitted_at", ASCENDING)]),
        ]
    )
    await database[PROJECTS].create_indexes(
        [IndexModel([("members.teacher_id", ASCENDING), ("completed_at", ASCENDING)])]
    )
    await ensure_collections(database, {SCHOOLS})


def _application_document(application: SchoolLabelApplication) -> Document:
    document = application.model_dump()
    document["_id"] = document.pop("id")
    return document


def application_from(document: Document) -> SchoolLabelApplication:
    return SchoolLabelApplication.model_validate({**document, "id": document["_id"]})


def eligibility_id(year: int, school_id: str) -> str:
    return f"{year}:{school_id}"


class SchoolFactsRepository:
    """The read models kept from registration events."""

    def __init__(self, tx: Transaction) -> None:
        self._tx = tx
        self._session = tx.session

    async def remember_school(self, school: SchoolFacts, as_of: datetime) -> None:
        collection = self._tx.collection(SCHOOLS)
        current = await collection.find_one({"_id": school.school_id}, session=self._session)
        if current is not None and current["as_of"] > as_of:
            return
        await collection.replace_one(
            {"_id": school.school_id},
            {"_id": school.school_id, **school.model_dump(), "as_of": as_of},
            upsert=True,
            session=self._session,
        )

    async def remember_teacher(
        self,
        teacher_id: str,
        facts: dict[str, Any],
        as_of: datetime,
        moments: dict[str, datetime | None] | None = None,
    ) -> None:
        """Newer facts win; `moments` (registered_at, validated_at) only ever move forward,
        whatever order events arrive in; an erased teacher stays erased."""
        collection = self._tx.collection(TEACHERS)
        current = await collection.find_one({"_id": teacher_id}, session=self._session)
        if current is not None and current.get("erased"):
            return
        update: dict[str, Any] = {}
        known = {name: moment for name, moment in (moments or {}).items() if moment is not None}
        if known:
            update["$max"] = known
        if current is None or current["as_of"] <= as_of:
            update["$set"] = {**facts, "teacher_id": teacher_id, "as_of": as_of, "erased": False}
        if update:
            await collection.update_one(
                {"_id": teacher_id}, update, upsert=True, session=self._session
            )

    async def erase_teacher(self, teacher_id: str, as_of: datetime) -> None:
        """Right to erasure: only a tombstone with the id stays, so late events are ignored."""
        await self._tx.collection(TEACHERS).replace_one(
            {"_id": teacher_id},
            {"_id": teacher_id, "erased": True, "as_of": as_of},
            upsert=True,
            session=self._session,
        )


class SchoolLabelRepository:
    """Eligibility and applications, inside one transaction."""

    def __init__(self, tx: Transaction) -> None:
        self._tx = tx
        self._session = tx.session

    async def record_eligible(self, year: int, record: dict[str, Any]) -> bool:
        """True only the first time: a second run for the round records, and tells, nothing."""
        _id = eligibility_id(year, record["school_id"])
        result = await self._tx.collection(ELIGIBILITY).update_one(
            {"_id": _id},
            {"$setOnInsert": {"_id": _id, "year": year, **record}},
            upsert=True,
            session=self._session,
        )
        return result.upserted_id is not None

    async def eligible_school(self, year: int, school_id: str) -> SchoolFacts | None:
        document = await self._tx.collection(ELIGIBILITY).find_one(
            {"_id": eligibility_id(year, school_id)}, session=self._session
        )
        return None if document is None else SchoolFacts.model_validate(document)

    async def school(self, school_id: str) -> SchoolFacts | None:
        """The school as registration last described it (its head's e-mail included)."""
        document = await self._tx.collection(SCHOOLS).find_one(
            {"_id": school_id}, session=self._session
        )
        return None if document is None else SchoolFacts.model_validate(document)

    async def of_head_link(self, token_hash: str) -> SchoolLabelApplication | None:
        """The application a head's link belongs to, confirmed or not."""
        document = await self._tx.collection(LABEL_APPLICATIONS).find_one(
            {"head_token_hash": token_hash}, session=self._session
        )
        return None if document is None else application_from(document)

    async def teacher(self, teacher_id: str) -> TeacherFacts | None:
        document = await self._tx.collection(TEACHERS).find_one(
            {"_id": teacher_id, "erased": False}, session=self._session
        )
        return None if document is None else TeacherFacts.model_validate(document)

    async def teacher_ids_of(self, school_id: str, statuses: Sequence[str]) -> list[str]:
        cursor = self._tx.collection(TEACHERS).find(
            {"school_id": school_id, "status": {"$in": list(statuses)}, "erased": False},
            {"_id": 1},
            session=self._session,
        )
        return sorted([document["_id"] async for document in cursor])

    async def application(self, application_id: str) -> SchoolLabelApplication | None:
        document = await self._tx.collection(LABEL_APPLICATIONS).find_one(
            {"_id": application_id}, session=self._session
        )
        return None if document is None else application_from(document)

    async def add_application(self, application: SchoolLabelApplication) -> None:
        try:
            await self._tx.collection(LABEL_APPLICATIONS).insert_one(
                _application_document(application), session=self._session
            )
        except DuplicateKeyError as duplicate:  # another teacher of the school was quicker
            raise SCHOOL_ALREADY_APPLIED(
                f"the school already applied ({application.id})", application_id=application.id
            ) from duplicate

    async def save_application(self, application: SchoolLabelApplication) -> None:
        await self._tx.collection(LABEL_APPLICATIONS).replace_one(
            {"_id": application.id}, _application_document(application), session=self._session
        )
