"""The NQL API's reads: applications, the NSO's queue, granted labels with their certificate
codes, the members a national project leaves not eligible, and what the evaluator sees of a
project (its description and its members' NQL status). Stored documents, unshaped."""

from __future__ import annotations

from dataclasses import dataclass

from pymongo.asynchronous.database import AsyncDatabase

from services.awards.nql.adapters.repository import (
    APPLICATIONS,
    CERTIFICATES,
    NOT_ELIGIBLE,
    PROJECT_STATES,
    PROJECTS,
)
from shared.storage.mongo import Document

Database = AsyncDatabase[Document]


@dataclass(frozen=True)
class GrantedLabel:
    application: Document
    certificate_code: str | None


def _given(**values: str | None) -> Document:
    """Only the filters the caller gave: an empty one matches everything."""
    return {key: value for key, value in values.items() if value}


async def applications(
    database: Database,
    *,
    teacher_id: str | None,
    project_id: str | None,
    status: str | None,
    limit: int,
    country: str | None = None,
) -> list[Document]:
    """Oldest opened first."""
    where = _given(teacher_id=teacher_id, project_id=project_id, status=status, country=country)
    cursor = database[APPLICATIONS].find(where).sort("opened_at", 1).limit(limit)
    return [document async for document in cursor]


async def application(database: Database, application_id: str) -> Document | None:
    return await database[APPLICATIONS].find_one({"_id": application_id})


async def nso_queue(database: Database, country: str | None, limit: int) -> list[Document]:
    """Submitted applications of the country, oldest submission first."""
    cursor = (
        database[APPLICATIONS]
        .find({"country": country, "status": "SUBMITTED"})
        .sort([("submitted_at", 1), ("_id", 1)])
        .limit(limit)
    )
    return [document async for document in cursor]


async def granted_labels(
    database: Database,
    *,
    teacher_id: str | None,
    project_id: str | None,
    limit: int,
    country: str | None = None,
) -> list[GrantedLabel]:
    """Granted applications of a teacher or a project, oldest decision first, each with its
    certificate's code (two queries, whatever the number of labels)."""
    given = _given(teacher_id=teacher_id, project_id=project_id, country=country)
    query = {**given, "status": "GRANTED"}
    cursor = database[APPLICATIONS].find(query).sort("decision.decided_at", 1).limit(limit)
    granted = [document async for document in cursor]
    codes = {
        certificate["application_id"]: certificate["_id"]
        async for certificate in database[CERTIFICATES].find(
            {"application_id": {"$in": [document["_id"] for document in granted]}}
        )
    }
    return [GrantedLabel(document, codes.get(document["_id"])) for document in granted]


async def not_eligible(
    database: Database, project_id: str, teacher_id: str | None = None
) -> list[Document]:
    query = {"project_id": project_id, **_given(teacher_id=teacher_id)}
    return [document async for document in database[NOT_ELIGIBLE].find(query)]


async def project_of(database: Database, project_id: str) -> Document | None:
    """What awards knows of the project: its state before completion (description, aims,
    TwinSpace), else the facts its completion gave."""
    state: Document | None = await database[PROJECT_STATES].find_one({"_id": project_id})
    if state is not None:
        return state
    completed: Document | None = await database[PROJECTS].find_one({"_id": project_id})
    return completed


async def applications_of_project(database: Database, project_id: str) -> list[Document]:
    """Every member's application on the project (index `project_id`), without evidence."""
    cursor = database[APPLICATIONS].find(
        {"project_id": project_id}, {"evidence": 0, "answers": 0, "history": 0}
    )
    return [document async for document in cursor]
