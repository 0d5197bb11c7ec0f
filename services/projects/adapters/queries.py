"""Read side: project listings, newest first, paginated by an opaque keyset cursor."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from services.projects.adapters.repository import NEWEST_FIRST, PROJECTS, project_from
from services.projects.domain.model import Project
from shared.errors import INVALID_CURSOR
from shared.storage.mongo import Document


@dataclass(frozen=True)
class ProjectFilter:
    teacher_id: str | None = None
    country: str | None = None
    status: str | None = None
    project_type: str | None = None

    def query(self) -> dict[str, Any]:
        query: dict[str, Any] = {}
        if self.teacher_id:
            query["members.teacher_id"] = self.teacher_id
        if self.country:
            query["member_countries"] = self.country
        if self.status:
            query["status"] = self.status
        if self.project_type:
            query["project_type"] = self.project_type
        return query


@dataclass(frozen=True)
class Page:
    items: list[Project]
    next_cursor: str | None


async def list_projects(
    database: AsyncDatabase[Document], where: ProjectFilter, limit: int, cursor: str | None
) -> Page:
    query = where.query()
    if cursor:
        created_at, project_id = _decode(cursor)
        query["$or"] = [
            {"created_at": {"$lt": created_at}},
            {"created_at": created_at, "_id": {"$lt": project_id}},
        ]
    found = database[PROJECTS].find(query).sort(NEWEST_FIRST).limit(limit + 1)
    documents = [document async for document in found]
    more = len(documents) > limit
    items = [project_from(d) for d in documents[:limit]]
    last = items[-1] if more else None
    return Page(items, _encode(last.created_at, last.id) if last else None)


async def find_project(database: AsyncDatabase[Document], project_id: str) -> Project | None:
    document = await database[PROJECTS].find_one({"_id": project_id})
    return project_from(document) if document else None


def _encode(created_at: datetime, project_id: str) -> str:
    raw = json.dumps([created_at.isoformat(), project_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created_at, project_id = json.loads(raw)
        return datetime.fromisoformat(created_at), str(project_id)
    except (ValueError, TypeError) as error:
        raise INVALID_CURSOR("the cursor is not one this API gave") from error
