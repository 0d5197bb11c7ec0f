"""The School Label's reads. First those of the eligibility run, each one indexed query or
aggregation over a batch of schools, so a round costs a few queries per few hundred candidate
schools, not per school. Candidates come from the NQLs granted in the round's window: only a
school with one can be eligible (R-SCH-1), and those are few next to every school registered.
Then those of the API: eligible schools, applications and granted labels (stored documents)."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from services.awards.nql.adapters.repository import APPLICATIONS, PROJECTS
from services.awards.school_label.adapters.repository import (
    ELIGIBILITY,
    LABEL_APPLICATIONS,
    SCHOOLS,
    TEACHERS,
    eligibility_id,
)
from services.awards.school_label.domain.model import NqlGrant, SchoolFacts, TeacherFacts
from shared.storage.mongo import Document

Database = AsyncDatabase[Document]


async def nql_grants_by_school(
    database: Database, start: datetime, end: datetime
) -> dict[str, list[NqlGrant]]:
    """NQLs granted in [start, end), grouped by the school the teacher was in."""
    pipeline: list[Document] = [
        {
            "$match": {
                "status": "GRANTED",
                "decision.decided_at": {"$gte": start, "$lt": end},
            }
        },
        {
            "$group": {
                "_id": "$school_id",
                "grants": {
                    "$push": {"project_id": "$project_id", "granted_at": "$decision.decided_at"}
                },
            }
        },
    ]
    cursor = await database[APPLICATIONS].aggregate(pipeline)
    return {
        str(group["_id"]): [NqlGrant.model_validate(grant) for grant in group["grants"]]
        async for group in cursor
        if group["_id"]
    }


async def schools(database: Database, school_ids: Sequence[str]) -> dict[str, SchoolFacts]:
    cursor = database[SCHOOLS].find({"_id": {"$in": list(school_ids)}})
    return {document["_id"]: SchoolFacts.model_validate(document) async for document in cursor}


async def teachers_of(
    database: Database, school_ids: Sequence[str], statuses: Sequence[str]
) -> dict[str, list[TeacherFacts]]:
    """One equality query per school on (school_id, status), sent together: SecantusDB plans
    a `school_id: {$in: [...]}` of a batch as a collection scan whose cost grows with the
    list times the collection (0.6 s per batch of 200 at 48,000 teachers; some 15 s at the
    platform's 1.2 M), where each equality stays on the index."""

    async def of_school(school_id: str) -> list[Document]:
        cursor = database[TEACHERS].find(
            {"school_id": school_id, "status": {"$in": list(statuses)}}
        )
        return [document async for document in cursor]

    found: dict[str, list[TeacherFacts]] = defaultdict(list)
    for documents in await asyncio.gather(*(of_school(s) for s in dict.fromkeys(school_ids))):
        for document in documents:
            if not document.get("erased"):
                found[document["school_id"]].append(TeacherFacts.model_validate(document))
    return found


async def active_in_awards(
    database: Database, teacher_ids: Sequence[str], since: datetime, signals: Sequence[str]
) -> set[str]:
    """Teachers whose activity since `since` shows in awards' own records: a project they
    were members of completed, or an NQL application they submitted."""
    wanted = set(teacher_ids)
    active: set[str] = set()
    if not wanted:
        return active
    if "project_completed" in signals:
        cursor = database[PROJECTS].find(
            {"members.teacher_id": {"$in": list(wanted)}, "completed_at": {"$gte": since}},
            {"members.teacher_id": 1},
        )
        async for project in cursor:
            active |= {member["teacher_id"] for member in project["members"]} & wanted
    if "nql_applied" in signals:
        cursor = database[APPLICATIONS].find(
            {"teacher_id": {"$in": list(wanted)}, "submitted_at": {"$gte": since}},
            {"teacher_id": 1},
        )
        active |= {document["teacher_id"] async for document in cursor}
    return active


async def granted_bienniums(
    database: Database, school_ids: Sequence[str]
) -> dict[str, list[tuple[int, int]]]:
    cursor = database[LABEL_APPLICATIONS].find(
        {"school_id": {"$in": list(school_ids)}, "status": "GRANTED"},
        {"school_id": 1, "decision.biennium": 1},
    )
    found: dict[str, list[tuple[int, int]]] = defaultdict(list)
    async for document in cursor:
        first, last = document["decision"]["biennium"]
        found[document["school_id"]].append((int(first), int(last)))
    return found


async def already_eligible(database: Database, year: int, school_ids: Sequence[str]) -> set[str]:
    ids = [eligibility_id(year, school_id) for school_id in school_ids]
    cursor = database[ELIGIBILITY].find({"_id": {"$in": ids}}, {"school_id": 1})
    return {document["school_id"] async for document in cursor}


# --- the API's reads ------------------------------------------------------------------------


async def eligible_schools(
    database: Database, year: int, country: str | None, limit: int, teacher_id: str | None = None
) -> list[Document]:
    query: dict[str, Any] = {"year": year, **({"country": country} if country else {})}
    if teacher_id is not None:
        query["teacher_ids"] = teacher_id
    cursor = database[ELIGIBILITY].find(query).sort("_id", 1).limit(limit)
    return [document async for document in cursor]


async def applications(
    database: Database,
    *,
    year: int | None,
    school_id: str | None,
    status: str | None,
    country: str | None,
    applicant_id: str | None,
    limit: int,
) -> list[Document]:
    """Applications matching the filters given (None: any), oldest submission first."""
    given = {"year": year, "school_id": school_id, "status": status}
    query: dict[str, Any] = {k: v for k, v in given.items() if v}
    if country is not None:
        query["country"] = country
    if applicant_id is not None:
        query["applicant_id"] = applicant_id
    cursor = database[LABEL_APPLICATIONS].find(query).sort("submitted_at", 1).limit(limit)
    return [document async for document in cursor]


async def application(database: Database, application_id: str) -> Document | None:
    return await database[LABEL_APPLICATIONS].find_one({"_id": application_id})


async def granted_labels(
    database: Database,
    school_id: str | None,
    limit: int,
    *,
    country: str | None = None,
    applicant_id: str | None = None,
) -> list[Document]:
    given = {"school_id": school_id, "country": country, "applicant_id": applicant_id}
    query: dict[str, Any] = {"status": "GRANTED", **{k: v for k, v in given.items() if v}}
    cursor = database[LABEL_APPLICATIONS].find(query).sort("_id", 1).limit(limit)
    return [document async for document in cursor]
