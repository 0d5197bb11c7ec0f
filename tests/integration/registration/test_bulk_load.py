"""The bulk path (migration, benchmark) keeps the write path's invariants on SecantusDB: the
domain checks every record, documents carry the same normalized keys, and the unique index
refuses a second profile with the same e-mail (R-REG-7) without stopping the load."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from services.registration.adapters.bulk import load_schools, load_teachers
from services.registration.adapters.repository import (
    SCHOOLS,
    TEACHERS,
    ensure_indexes,
    teacher_document,
)
from services.registration.domain.errors import RegistrationRefused
from services.registration.domain.model import School, Teacher

pytestmark = pytest.mark.integration

NOW = datetime(2025, 9, 1, tzinfo=UTC)


def teacher(school: School, number: int, email: str) -> Teacher:
    return Teacher.apply(
        teacher_id=f"tch_{number}", name=f"Zoé Álvarez {number}", email=email, role="teacher",
        language="es", school=school, now=NOW, subjects=["Art"], languages=["es"],
    )  # fmt: skip


async def test_bulk_load_keeps_unique_emails_and_normalized_keys(
    mongo_client: AsyncMongoClient[dict[str, Any]],
) -> None:
    database = mongo_client[f"bulk_{uuid.uuid4().hex[:8]}"]
    await ensure_indexes(database)
    elx = School.register("sch_1", "IES Severo Ochoa", "Elx", "ES", NOW)
    same_school = School.register("sch_2", "ies severo ochoa", "ELX", "ES", NOW)
    assert (await load_schools(database, [elx, same_school])).rejected_duplicates == 1

    first = [teacher(elx, n, f"t{n}@example.org") for n in range(5)]
    result = await load_teachers(database, first)
    assert (result.inserted, result.rejected_duplicates) == (5, 0)
    again = [teacher(elx, 10, "T3@Example.org"), teacher(elx, 11, "new@example.org")]
    result = await load_teachers(database, again)
    assert (result.inserted, result.rejected_duplicates) == (1, 1)  # the load went on past it

    assert await database[SCHOOLS].count_documents({}) == 1
    assert await database[TEACHERS].count_documents({}) == 6
    stored = await database[TEACHERS].find_one({"_id": "tch_11"})
    expected = teacher_document(again[1])
    keys = ("name_key", "partner_keys", "partner_order", "word_starts", "email")
    assert {k: stored[k] for k in keys} == {k: expected[k] for k in keys}
    assert stored["partner_keys"] == []  # not validated: not a partner yet
    assert stored["name_key"] == "zoe alvarez 11"
    with pytest.raises(RegistrationRefused):  # the domain checks a bulk record too
        Teacher.apply(
            teacher_id="p", name="Pupil", email="p@example.org", role="pupil", language="es",
            school=elx, now=NOW, subjects=[], languages=[],
        )  # fmt: skip
    await mongo_client.drop_database(database.name)
