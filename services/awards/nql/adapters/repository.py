"""MongoDB persistence of the NQL: the project and teacher facts kept from events, the
applications, their submission counters and certificates. Every call runs in the caller's
transaction. Other labels read these collections by the names defined here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel, ReturnDocument, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from services.awards.common.domain.certificates import Certificate
from services.awards.nql.domain.model import NotEligible, NqlApplication, ProjectFacts
from services.awards.nql.domain.project_state import ProjectState, moves_to
from shared.storage.deferred import insert_if_absent, replace
from shared.storage.mongo import Document, ensure_collections
from shared.storage.unit_of_work import Transaction

APPLICATIONS = "nql_applications"
NOT_ELIGIBLE = "nql_not_eligible"
PROJECTS = "nql_projects"
TEACHERS = "nql_teachers"
CERTIFICATES = "nql_certificates"
SUBMISSION_COUNTERS = "nql_submission_counters"
PROJECT_STATES = "nql_project_states"
# One counter per calendar month of NQL decisions: the EQL round reads the months of its
# candidacy window to know, in one indexed read, whether an NQL was decided since its figures.
DECISION_COUNTERS = "nql_decision_counters"
# The project of each counted decision, `_id` = "<month>:<seq>": the round folds in only the
# projects decided since its figures (a range of `_id`), not the year.
DECIDED_PROJECTS = "nql_decided_projects"


def decision_month(moment: datetime) -> str:
    return moment.strftime("%Y-%m")


def decided_project_id(month: str, seq: int) -> str:
    """Sorts as the decisions were counted within the month."""
    return f"{month}:{seq:012d}"


async def ensure_indexes(database: AsyncDatabase[Document]) -> None:
    await database[APPLICATIONS].create_indexes(
        [
            IndexModel([("teacher_id", ASCENDING), ("opened_at", ASCENDING)]),
            IndexModel([("project_id", ASCENDING)]),
            # the NSO queue: submitted applications of a country, oldest first
            IndexModel(
                [("country", ASCENDING), ("status", ASCENDING), ("submitted_at", ASCENDING)]
            ),
        ]
    )
    await database[NOT_ELIGIBLE].create_indexes([IndexModel([("project_id", ASCENDING)])])
    await database[CERTIFICATES].create_indexes(
        [IndexModel([("application_id", ASCENDING)], unique=True)]
    )
    # Collections are created here, outside transactions: implicit creation inside concurrent
    # transactions can fail (see shared.storage.mongo.ensure_core_indexes).
    await ensure_collections(
        database,
        {PROJECTS, TEACHERS, SUBMISSION_COUNTERS, PROJECT_STATES, DECISION_COUNTERS,
         DECIDED_PROJECTS},
    )  # fmt: skip


def application_document(application: NqlApplication) -> Document:
    document = application.model_dump()
    document["_id"] = document.pop("id")
    return document


def application_from(document: Document) -> NqlApplication:
    return NqlApplication.model_validate({**document, "id": document["_id"]})


def certificate_from(document: Document) -> Certificate:
    return Certificate.model_validate({**document, "code": document["_id"]})


class NqlRepository:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx
        self._session = tx.session

    # --- projects and applications --------------------------------------------------------

    def remember_project(self, project: ProjectFacts) -> None:
        """Queued with the transaction's other writes: the first completion's facts stay."""
        document = {"_id": project.project_id, **project.model_dump()}
        self._tx.defer(insert_if_absent(PROJECTS, document))

    async def project(self, project_id: str) -> ProjectFacts | None:
        document = await self._tx.collection(PROJECTS).find_one(
            {"_id": project_id}, session=self._session
        )
        return None if document is None else ProjectFacts.model_validate(document)

    async def project_state(self, project_id: str) -> ProjectState | None:
        document = await self._tx.collection(PROJECT_STATES).find_one(
            {"_id": project_id}, session=self._session
        )
        return None if document is None else ProjectState.model_validate(document)

    async def update_project_state(
        self, project_id: str, *, status: str | None = None, **fields: Any
    ) -> None:  # fields: dotted paths allowed (members.<teacher id>)
        """Sets `fields` (dotted paths allowed) and, if it moves forward, the status; a
        project first seen through a later event is created with what that event says."""
        current = await self._tx.collection(PROJECT_STATES).find_one(
            {"_id": project_id}, {"status": 1}, session=self._session
        )
        updates: dict[str, Any] = dict(fields)
        known = None if current is None else current.get("status")
        if status is not None and moves_to(known, status):
            updates["status"] = status
        if not updates:
            return
        await self._tx.collection(PROJECT_STATES).update_one(
            {"_id": project_id},
            {"$set": updates, "$setOnInsert": {"project_id": project_id}},
            upsert=True,
            session=self._session,
        )

    async def remove_member(self, project_id: str, teacher_id: str) -> None:
        await self._tx.collection(PROJECT_STATES).update_one(
            {"_id": project_id}, {"$unset": {f"members.{teacher_id}": ""}}, session=self._session
        )

    async def open_applications(self, applications: list[NqlApplication]) -> list[NqlApplication]:
        """Open those not open yet, in one round trip; returns the ones opened now.
        Idempotent: a second completion of the same project opens nothing twice."""
        if not applications:
            return []
        result = await self._tx.collection(APPLICATIONS).bulk_write(
            [
                UpdateOne(
                    {"_id": application.id},
                    {"$setOnInsert": application_document(application)},
                    upsert=True,
                )
                for application in applications
            ],
            session=self._session,
        )
        return [applications[index] for index in sorted(result.upserted_ids or {})]

    async def application(self, application_id: str) -> NqlApplication | None:
        document = await self._tx.collection(APPLICATIONS).find_one(
            {"_id": application_id}, session=self._session
        )
        return None if document is None else application_from(document)

    async def save_application(self, application: NqlApplication) -> None:
        await self._tx.collection(APPLICATIONS).replace_one(
            {"_id": application.id},
            application_document(application),
            upsert=True,  # a member of an active project applies before completion opens it
            session=self._session,
        )

    async def count_decision(self, decided_at: datetime, project_id: str) -> None:
        """In the decision's transaction: the month's counter moves on, and the decided
        project is recorded under the counter's new value."""
        month = decision_month(decided_at)
        counter = await self._tx.collection(DECISION_COUNTERS).find_one_and_update(
            {"_id": month},
            {"$inc": {"seq": 1}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
            session=self._session,
        )
        assert counter is not None  # upserted
        seq = int(counter["seq"])
        await self._tx.collection(DECIDED_PROJECTS).insert_one(
            {"_id": decided_project_id(month, seq), "project_id": project_id},
            session=self._session,
        )

    async def applications_of_school(self, project_id: str, school_id: str) -> list[NqlApplication]:
        """The project's applications by teachers of one school (index `project_id`)."""
        cursor = self._tx.collection(APPLICATIONS).find(
            {"project_id": project_id, "school_id": school_id}, session=self._session
        )
        return [application_from(document) async for document in cursor]

    def add_not_eligible(self, records: list[NotEligible]) -> None:
        """Queued with the transaction's other writes."""
        self._tx.defer(
            *(
                replace(
                    NOT_ELIGIBLE,
                    {"_id": f"{record.project_id}_{record.teacher_id}", **record.model_dump()},
                )
                for record in records
            )
        )

    async def next_submission_position(self, teacher_id: str, school_year: str) -> int:
        """1-based order of this submission among the teacher's in the school year (R-NQL-3).
        One counter document per teacher and year: concurrent submissions conflict on it and
        the transaction is retried, so two can never take the same position."""
        counter = await self._tx.collection(SUBMISSION_COUNTERS).find_one_and_update(
            {"_id": f"{teacher_id}:{school_year}"},
            {"$inc": {"count": 1}, "$set": {"teacher_id": teacher_id, "school_year": school_year}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
            session=self._session,
        )
        assert counter is not None  # upsert with ReturnDocument.AFTER always returns one
        return int(counter["count"])

    # --- certificates ---------------------------------------------------------------------

    async def add_certificate(self, certificate: Certificate) -> None:
        document = certificate.model_dump()
        document["_id"] = document.pop("code")
        await self._tx.collection(CERTIFICATES).insert_one(document, session=self._session)

    # --- teacher facts (from registration events) ------------------------------------------

    async def remember_teacher(
        self, teacher_id: str, facts: dict[str, Any], as_of: datetime
    ) -> None:
        """Newer facts win; an erased teacher stays erased whatever arrives later."""
        collection = self._tx.collection(TEACHERS)
        current = await collection.find_one({"_id": teacher_id}, session=self._session)
        if current is not None and (current.get("erased") or current["as_of"] >= as_of):
            return
        await collection.replace_one(
            {"_id": teacher_id},
            {"_id": teacher_id, **facts, "as_of": as_of, "erased": False},
            upsert=True,
            session=self._session,
        )

    async def erase_teacher(self, teacher_id: str, as_of: datetime) -> None:
        """Right to erasure: keep only a tombstone; drop the personal evidence text too."""
        await self._tx.collection(TEACHERS).replace_one(
            {"_id": teacher_id},
            {"_id": teacher_id, "erased": True, "as_of": as_of},
            upsert=True,
            session=self._session,
        )
        await self._tx.collection(APPLICATIONS).update_many(
            {"teacher_id": teacher_id, "evidence": {"$ne": None}},
            {
                "$set": {
                    "evidence.text": "[erased]",
                    "evidence.links": [],
                    "evidence.per_criterion": {},
                }
            },
            session=self._session,
        )
