"""Bulk load of schools and teachers (a migration from another register, or the benchmark):
many documents per round trip, with the same invariants as the write path.

- every record goes through the domain factories (participating country, staff role, valid
  e-mail, ordered age range) and the same document mapping (normalized search keys);
- uniqueness is the database's: the unique indexes on `email` and on the school identity key
  refuse duplicates, counted as rejected, never overwritten (unordered inserts go on past them).

It writes no outbox entries: a bulk load is not a stream of facts. Consumers' read models of a
migrated population are seeded by their own bulk path, not by millions of events.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from services.registration.adapters.repository import (
    SCHOOLS,
    TEACHERS,
    school_document,
    teacher_document,
)
from services.registration.domain.model import School, Teacher
from shared.storage.mongo import Document

DUPLICATE_KEY = 11000


@dataclass
class LoadResult:
    inserted: int = 0
    rejected_duplicates: int = 0

    def add(self, other: LoadResult) -> None:
        self.inserted += other.inserted
        self.rejected_duplicates += other.rejected_duplicates


async def load_schools(database: AsyncDatabase[Document], schools: Iterable[School]) -> LoadResult:
    return await _insert(database, SCHOOLS, [school_document(s) for s in schools])


async def load_teachers(
    database: AsyncDatabase[Document], teachers: Iterable[Teacher]
) -> LoadResult:
    return await _insert(database, TEACHERS, [teacher_document(t) for t in teachers])


async def _insert(
    database: AsyncDatabase[Document], collection: str, documents: list[Document]
) -> LoadResult:
    if not documents:
        return LoadResult()
    try:
        result = await database[collection].insert_many(documents, ordered=False)
    except BulkWriteError as error:
        details = error.details
        errors = details.get("writeErrors", [])
        if any(e.get("code") != DUPLICATE_KEY for e in errors):
            raise
        return LoadResult(details.get("nInserted", 0), len(errors))
    return LoadResult(len(result.inserted_ids), 0)
