"""Read side of the registration API: one school or one teacher by id, teachers by status
(partner search and school search have their own modules, adapters/partner_search.py and
adapters/school_search.py)."""

from __future__ import annotations

from pymongo.asynchronous.database import AsyncDatabase

from services.registration.adapters.repository import SCHOOLS, TEACHERS, school_from, teacher_from
from services.registration.domain.model import School, Teacher, TeacherStatus
from shared.storage.mongo import Document


async def find_school(database: AsyncDatabase[Document], school_id: str) -> School | None:
    document = await database[SCHOOLS].find_one({"_id": school_id})
    return None if document is None else school_from(document)


async def find_teacher(database: AsyncDatabase[Document], teacher_id: str) -> Teacher | None:
    document = await database[TEACHERS].find_one({"_id": teacher_id})
    return None if document is None else teacher_from(document)


async def teachers_in_status(
    database: AsyncDatabase[Document], status: TeacherStatus, country: str | None, limit: int
) -> list[Teacher]:
    """Teachers in `status` (of one country, if given), oldest registration first."""
    query: dict[str, str] = {"status": status.value}
    if country:
        query["country"] = country
    cursor = database[TEACHERS].find(query).sort("registered_at", 1).limit(limit)
    return [teacher_from(document) async for document in cursor]


async def validation_queue(
    database: AsyncDatabase[Document], country: str | None, limit: int
) -> list[tuple[Teacher, School | None]]:
    """Teachers waiting for validation (R-REG-3), longest waiting first (since they applied,
    applied again or changed school), each with their school."""
    query: dict[str, str] = {"status": TeacherStatus.WAITING_FOR_VALIDATION.value}
    if country is not None:
        query["country"] = country
    cursor = database[TEACHERS].find(query).sort([("status_changed_at", 1), ("_id", 1)])
    teachers = [teacher_from(document) async for document in cursor.limit(limit)]
    ids = sorted({teacher.school_id for teacher in teachers})
    schools = {
        document["_id"]: school_from(document)
        async for document in database[SCHOOLS].find({"_id": {"$in": ids}})
    }
    return [(teacher, schools.get(teacher.school_id)) for teacher in teachers]
