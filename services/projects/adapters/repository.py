"""MongoDB persistence of projects and of the teacher read model built from registration."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from services.projects.domain.model import (
    KnownTeacher,
    Member,
    Project,
    ProjectDetails,
    ProjectStatus,
)
from services.projects.domain.rules import UNKNOWN_PROJECT
from shared.errors import TransientError
from shared.storage.deferred import insert, replace_matching, upsert
from shared.storage.mongo import Document
from shared.storage.unit_of_work import Transaction

PROJECTS = "projects"
TEACHERS = "teachers"
NEWEST_FIRST = [("created_at", DESCENDING), ("_id", DESCENDING)]


class ConcurrentChange(TransientError):
    """Another transaction saved the project first; the use case runs again on fresh state."""


async def ensure_indexes(database: AsyncDatabase[Document]) -> None:
    # Every listing sorts newest first with _id as tie-breaker (the cursor); each filter
    # has an index that serves both the filter and that sort.
    await database[PROJECTS].create_indexes(
        [
            IndexModel([("members.teacher_id", ASCENDING), *NEWEST_FIRST]),
            IndexModel([("member_countries", ASCENDING), *NEWEST_FIRST]),
            IndexModel([("status", ASCENDING), *NEWEST_FIRST]),
            IndexModel([("project_type", ASCENDING), *NEWEST_FIRST]),
            IndexModel(NEWEST_FIRST),
        ]
    )


class TeacherDirectory:
    """Teachers as last described by registration events (R-REG-4 is checked against it)."""

    def __init__(self, tx: Transaction) -> None:
        self._tx = tx
        self._collection = tx.collection(TEACHERS)

    async def get(self, teacher_id: str) -> KnownTeacher:
        """The teacher as known here; UNKNOWN (so not validated) when no event arrived yet."""
        document = await self._collection.find_one({"_id": teacher_id}, session=self._tx.session)
        if document is None:
            return KnownTeacher.unknown(teacher_id)
        return KnownTeacher(
            teacher_id=teacher_id,
            status=document.get("status", "UNKNOWN"),
            school_id=document.get("school_id") or "",
            school_name=document.get("school_name") or "",
            country=document.get("country") or "",
        )

    async def record(self, teacher_id: str, as_of: datetime, changes: dict[str, Any]) -> None:
        """Apply a registration fact unless a newer one is already applied (events can
        arrive out of order) or the teacher was erased (erasure is final)."""
        current = await self._collection.find_one(
            {"_id": teacher_id}, {"as_of": 1, "erased": 1}, session=self._tx.session
        )
        if current is not None and (current.get("erased") or current["as_of"] > as_of):
            return
        self._tx.defer(upsert(TEACHERS, {"_id": teacher_id}, {"$set": {**changes, "as_of": as_of}}))

    async def erase(self, teacher_id: str, as_of: datetime) -> None:
        """Right to erasure: keep only a tombstone, so later (or late) events cannot revive
        the teacher, and R-REG-4 keeps refusing them."""
        await self._collection.replace_one(
            {"_id": teacher_id},
            {"status": "ERASED", "erased": True, "as_of": as_of},
            upsert=True,
            session=self._tx.session,
        )


class ProjectRepository:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx
        self._collection = tx.collection(PROJECTS)

    def add(self, project: Project) -> None:
        """Queued with the transaction's other writes."""
        self._tx.defer(insert(PROJECTS, project_document(project)))

    async def get(self, project_id: str) -> Project:
        document = await self._collection.find_one({"_id": project_id}, session=self._tx.session)
        if document is None:
            raise UNKNOWN_PROJECT(f"no project {project_id}")
        return project_from(document)

    def save(self, project: Project) -> None:
        """Optimistic concurrency: the write matches only the version that was read. Queued
        with the transaction's other writes, so the use case reads nothing after it."""
        document = project_document(project)
        document["version"] = project.version + 1
        self._tx.defer(
            replace_matching(
                PROJECTS,
                {"_id": project.id, "version": project.version},
                document,
                ConcurrentChange(f"project {project.id} changed concurrently"),
            )
        )
        project.version += 1


def project_document(project: Project) -> Document:
    return {
        "_id": project.id,
        "details": asdict(project.details),
        "title": project.title,
        "project_type": project.project_type,
        "status": project.status.value,
        "founder_id": project.founder_id,
        "cofounder_id": project.cofounder_id,
        "members": [asdict(m) for m in project.members],
        "member_countries": project.member_countries,
        "founder_countries": project.founder_countries,
        "created_at": project.created_at,
        "nso_approvals": project.nso_approvals,
        "invited": project.invited,
        "pupils_by_school": project.pupils_by_school,
        "twinspace_id": project.twinspace_id,
        "activated_at": project.activated_at,
        "completed_at": project.completed_at,
        "archived_at": project.archived_at,
        "ended_reason": project.ended_reason,
        "activity_count": project.activity_count,
        "history": project.history,
        "version": project.version,
    }


def project_from(document: Document) -> Project:
    details = dict(document["details"])
    for name in ("subjects", "languages", "tools"):
        details[name] = tuple(details.get(name) or ())
    return Project(
        id=document["_id"],
        details=ProjectDetails(**details),
        project_type=document["project_type"],
        status=ProjectStatus(document["status"]),
        founder_id=document["founder_id"],
        cofounder_id=document["cofounder_id"],
        members=[Member(**m) for m in document["members"]],
        created_at=document["created_at"],
        nso_approvals=dict(document.get("nso_approvals") or {}),
        invited=list(document.get("invited") or []),
        pupils_by_school=dict(document.get("pupils_by_school") or {}),
        twinspace_id=document.get("twinspace_id"),
        activated_at=document.get("activated_at"),
        completed_at=document.get("completed_at"),
        archived_at=document.get("archived_at"),
        ended_reason=document.get("ended_reason"),
        activity_count=document.get("activity_count", 0),
        history=list(document.get("history") or []),
        version=document.get("version", 0),
    )
