"""The Prizes API's reads: a year's entries and its winners. Stored documents, unshaped."""

from __future__ import annotations

from pymongo.asynchronous.database import AsyncDatabase

from services.awards.eql.adapters.repository import PRIZE_ENTRIES, PRIZE_WINNERS
from shared.storage.mongo import Document

Database = AsyncDatabase[Document]


async def entries(database: Database, year: int, submitted_by: str | None = None) -> list[Document]:
    """In the order they were submitted (those one teacher submitted, if given)."""
    query = {"year": year, **({"submitted_by": submitted_by} if submitted_by else {})}
    cursor = database[PRIZE_ENTRIES].find(query).sort("submitted_at", 1)
    return [document async for document in cursor]


async def winners(database: Database, year: int) -> list[Document]:
    """In the order they were recorded."""
    cursor = database[PRIZE_WINNERS].find({"year": year}).sort("won_at", 1)
    return [document async for document in cursor]
