"""The subject -> teacher read model every service keeps: one teacher per subject, held by
the database's unique index; a subject that registers again (after its old profile was
erased) links to the new teacher even when the old erasure's event has not arrived yet.
Real SecantusDB."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo.errors import DuplicateKeyError

from shared.identity.links import (
    SUBJECT_LINKS,
    SubjectLinks,
    ensure_link_indexes,
    teacher_of_subject,
)
from shared.storage.unit_of_work import Transaction, UnitOfWork

pytestmark = pytest.mark.integration

T0 = datetime(2026, 9, 1, tzinfo=UTC)


async def test_one_teacher_per_subject(mongo_client: Any, database_prefix: str) -> None:
    database = mongo_client[f"{database_prefix}_links"]
    await ensure_link_indexes(database)
    uow = UnitOfWork(mongo_client, database, "projects")

    async def link(subject: str, teacher_id: str, as_of: datetime) -> None:
        async def work(tx: Transaction) -> None:
            await SubjectLinks(tx).link(subject, teacher_id, as_of)

        await uow.run(work)

    await link("sub-1", "tch_old", T0)
    await link("sub-1", "tch_new", T0 + timedelta(days=30))  # erasure of tch_old not seen yet
    assert await teacher_of_subject(database, "sub-1") == "tch_new"

    await link("sub-1", "tch_old", T0)  # a late redelivery of the old link changes nothing
    assert await teacher_of_subject(database, "sub-1") == "tch_new"
    assert await database[SUBJECT_LINKS].count_documents({"subject": "sub-1"}) == 1

    with pytest.raises(DuplicateKeyError):
        await database[SUBJECT_LINKS].insert_one({"_id": "tch_x", "subject": "sub-1", "as_of": T0})
    # Tombstones hold no subject: any number of them.
    await database[SUBJECT_LINKS].insert_many(
        [{"_id": f"tch_gone{n}", "erased": True, "as_of": T0} for n in range(3)]
    )
