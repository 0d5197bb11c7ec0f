"""MongoDB repositories of the registration service; every call joins the open transaction."""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.registration.adapters.search_keys import (
    order_value,
    partner_keys,
    school_name_key,
    school_town_key,
    word_starts,
)
from services.registration.domain.errors import (
    DUPLICATE_EMAIL,
    DUPLICATE_SCHOOL,
    SUBJECT_ALREADY_REGISTERED,
    UNKNOWN_CONFIRMATION,
    UNKNOWN_SCHOOL,
    UNKNOWN_TEACHER,
)
from services.registration.domain.model import School, Teacher, TeacherStatus, normalized
from shared.errors import Refused, TransientError
from shared.storage.mongo import Document
from shared.storage.unit_of_work import Transaction

SCHOOLS = "schools"
TEACHERS = "teachers"
# Derived fields kept on each teacher document for partner search (search_keys.py).
SEARCH_FIELDS = (
    "name_key", "partner_keys", "partner_order", "word_starts",
    # written by earlier versions; ignored when read back
    "school_name_key", "search_keys", "prefix_keys", "subject_keys", "language_keys",
)  # fmt: skip
PARTNER_INDEX = "partner_search"
SCHOOL_NAME_INDEX = "school_search_name"
SCHOOL_COUNTRY_INDEX = "school_search_country_name"
SCHOOL_TOWN_INDEX = "school_search_country_town"
ONE_PROFILE_PER_SUBJECT = "one_profile_per_subject"


async def ensure_indexes(database: AsyncDatabase[Document]) -> None:
    await database[SCHOOLS].create_indexes(
        [
            IndexModel([("identity_key", ASCENDING)], unique=True),
            # School search (services/registration/adapters/school_search.py): a prefix is a
            # range on one scalar string whose index's first field is also the sort.
            IndexModel([("name_key", ASCENDING)], name=SCHOOL_NAME_INDEX),
            IndexModel([("country_name_key", ASCENDING)], name=SCHOOL_COUNTRY_INDEX),
            IndexModel([("country_town_key", ASCENDING)], name=SCHOOL_TOWN_INDEX),
        ]
    )
    await database[TEACHERS].create_indexes(
        [
            IndexModel([("email", ASCENDING)], unique=True),
            IndexModel([("country", ASCENDING), ("status", ASCENDING)]),
            IndexModel([("school_id", ASCENDING)]),
            IndexModel([("identity_subject", ASCENDING)]),  # who calls, on every request
            # One profile per provider subject (R-REG-7), also when two sign-ups race; only
            # records with a subject count (operator-registered and erased ones hold none).
            IndexModel(
                [("identity_subject", ASCENDING)],
                name=ONE_PROFILE_PER_SUBJECT,
                unique=True,
                partialFilterExpression={"identity_subject": {"$type": "string"}},
            ),
            IndexModel([("head_confirmation_token", ASCENDING)], sparse=True),
            # The NSO's validation queue: a country's waiting teachers, longest waiting first.
            IndexModel(
                [("country", ASCENDING), ("status", ASCENDING), ("status_changed_at", ASCENDING)]
            ),
            # Partner search: every query shape is one precomputed key (validated teachers
            # only carry keys), newest validation first, a page being a range on the order.
            IndexModel(
                [("partner_keys", ASCENDING), ("partner_order", DESCENDING)], name=PARTNER_INDEX
            ),
        ]
    )


class SchoolRepository:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx
        self._collection = tx.collection(SCHOOLS)

    async def add(self, school: School) -> None:
        existing = await self._collection.find_one(
            {"identity_key": school.identity_key}, {"_id": 1}, session=self._tx.session
        )
        if existing is not None:
            raise DUPLICATE_SCHOOL(
                f"this school is already registered as {existing['_id']}",
                existing_id=existing["_id"],
            )
        await self._collection.insert_one(school_document(school), session=self._tx.session)

    async def get(self, school_id: str) -> School:
        document = await self._collection.find_one({"_id": school_id}, session=self._tx.session)
        if document is None:
            raise UNKNOWN_SCHOOL(f"no school {school_id}")
        return school_from(document)

    async def get_by_identity(self, identity_key: str) -> School:
        document = await self._collection.find_one(
            {"identity_key": identity_key}, session=self._tx.session
        )
        if document is None:
            raise UNKNOWN_SCHOOL(f"no school registered as {identity_key!r}")
        return school_from(document)


def duplicate_email() -> Refused:
    return DUPLICATE_EMAIL("a profile with this e-mail exists (one profile per person)")


def subject_already_registered() -> Refused:
    return SUBJECT_ALREADY_REGISTERED(
        "this account already has a teacher profile (one profile per person)"
    )


async def teacher_of_subject(database: AsyncDatabase[Document], subject: str) -> str | None:
    """The teacher this provider subject applied as (erasure unlinks it)."""
    document = await database[TEACHERS].find_one({"identity_subject": subject}, {"_id": 1})
    return None if document is None else str(document["_id"])


def subject_taken(error: DuplicateKeyError) -> bool:
    """Whether the duplicate key was the subject's (else it was the e-mail's)."""
    details = error.details or {}
    return "identity_subject" in (details.get("keyPattern") or {}) or (
        f"index: {ONE_PROFILE_PER_SUBJECT} " in str(details.get("errmsg", ""))
    )


class TeacherRepository:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx
        self._collection = tx.collection(TEACHERS)

    async def add(self, teacher: Teacher) -> None:
        if await self._collection.find_one(
            {"email": teacher.email}, {"_id": 1}, session=self._tx.session
        ):
            raise duplicate_email()
        if teacher.identity_subject is not None and await self._collection.find_one(
            {"identity_subject": teacher.identity_subject}, {"_id": 1}, session=self._tx.session
        ):
            raise subject_already_registered()
        try:
            await self._collection.insert_one(teacher_document(teacher), session=self._tx.session)
        except DuplicateKeyError as error:  # a concurrent sign-up with the same key won
            if subject_taken(error):
                raise subject_already_registered() from error
            raise duplicate_email() from error

    async def get(self, teacher_id: str) -> Teacher:
        document = await self._collection.find_one({"_id": teacher_id}, session=self._tx.session)
        if document is None:
            raise UNKNOWN_TEACHER(f"no teacher {teacher_id}")
        return teacher_from(document)

    async def find_by_email(self, email: str) -> Teacher | None:
        document = await self._collection.find_one({"email": email}, session=self._tx.session)
        return None if document is None else teacher_from(document)

    async def get_by_confirmation(self, token: str) -> Teacher:
        document = await self._collection.find_one(
            {"head_confirmation_token": token}, session=self._tx.session
        )
        if document is None:
            raise UNKNOWN_CONFIRMATION("this confirmation link is not valid")
        return teacher_from(document)

    async def save(self, teacher: Teacher) -> None:
        document = teacher_document(teacher)
        document["version"] = teacher.version + 1
        result = await self._collection.replace_one(
            {"_id": teacher.id, "version": teacher.version}, document, session=self._tx.session
        )
        if result.matched_count != 1:
            raise TransientError(f"teacher {teacher.id} changed concurrently")
        teacher.version += 1


class Repositories:
    def __init__(self, tx: Transaction) -> None:
        self.schools = SchoolRepository(tx)
        self.teachers = TeacherRepository(tx)


def school_document(school: School) -> Document:
    return {
        "_id": school.id,
        "name": school.name,
        "name_key": normalized(school.name),
        "country_name_key": school_name_key(school.country, school.name),
        "country_town_key": school_town_key(school.country, school.town, school.name),
        "town": school.town,
        "country": school.country,
        "registered_at": school.registered_at,
        "details": school.details,
        "identity_key": school.identity_key,
    }


def school_from(document: Document) -> School:
    return School(
        id=document["_id"],
        name=document["name"],
        town=document["town"],
        country=document["country"],
        registered_at=document["registered_at"],
        details=document.get("details", {}),
    )


def teacher_document(teacher: Teacher) -> Document:
    fields: dict[str, Any] = {
        f.name: getattr(teacher, f.name) for f in dataclass_fields(teacher) if f.name != "events"
    }
    fields["_id"] = fields.pop("id")
    fields["status"] = teacher.status.value
    fields["name_key"] = normalized(teacher.name)
    fields["partner_keys"] = partner_keys(teacher)
    fields["partner_order"] = order_value(teacher.status_changed_at, teacher.id)
    fields["word_starts"] = word_starts(teacher.school_name, teacher.school_town)
    return fields


def teacher_from(document: Document) -> Teacher:
    fields = {k: v for k, v in document.items() if k != "_id" and k not in SEARCH_FIELDS}
    return Teacher(id=document["_id"], **{**fields, "status": TeacherStatus(fields["status"])})
