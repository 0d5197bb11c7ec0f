"""The EQL API's reads: a round, its candidates from the snapshot taken at opening (with the
countries that nominated them and the country's quota counter), nominations and labels.
Stored documents, unshaped."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from services.awards.eql.adapters.repository import (
    ASSESSMENTS,
    LABELS,
    NOMINATIONS,
    QUOTAS,
    ROUNDS,
)
from shared.storage.mongo import Document

Database = AsyncDatabase[Document]


async def round_of(database: Database, round_id: str) -> Document | None:
    document: Document | None = await database[ROUNDS].find_one({"_id": round_id})
    return document


async def candidates(
    database: Database, snapshot_id: str, country: str | None, limit: int
) -> list[Document]:
    """The snapshot's candidates (of one country, if given), best average first."""
    query: dict[str, Any] = {"snapshot_id": snapshot_id, "candidate": True}
    if country:
        query["countries"] = country
    cursor = (
        database[ASSESSMENTS].find(query).sort([("average", -1), ("project_id", 1)]).limit(limit)
    )
    return [document async for document in cursor]


async def nominating_countries(
    database: Database, round_id: str, project_ids: list[str]
) -> dict[str, str]:
    """project id → the country that nominated it, for those of the projects nominated."""
    return {
        nomination["project_id"]: nomination["country"]
        async for nomination in database[NOMINATIONS].find(
            {"round_id": round_id, "project_id": {"$in": project_ids}},
            {"project_id": 1, "country": 1},
        )
    }


async def quota_counter(database: Database, round_id: str, country: str) -> Document | None:
    return await database[QUOTAS].find_one({"_id": f"{round_id}:{country}"})


async def nominations(database: Database, round_id: str, country: str | None) -> list[Document]:
    """The round's nominations (of one country, if given), in the order they were made."""
    query: dict[str, Any] = {"round_id": round_id}
    if country:
        query["country"] = country
    cursor = database[NOMINATIONS].find(query).sort("nominated_at", 1)
    return [document async for document in cursor]


async def labels(
    database: Database,
    *,
    teacher_id: str | None,
    project_id: str | None,
    year: int | None,
    limit: int,
    country: str | None = None,
) -> list[Document]:
    given = {"teacher_id": teacher_id, "project_id": project_id, "year": year, "country": country}
    query: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
    cursor = database[LABELS].find(query).sort([("year", 1), ("_id", 1)]).limit(limit)
    return [document async for document in cursor]


async def label(database: Database, label_id: str) -> Document | None:
    return await database[LABELS].find_one({"_id": label_id})
