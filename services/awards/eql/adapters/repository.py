"""MongoDB persistence of the EQL round and the prizes. Calls taking a Transaction run in the
caller's transaction; the candidate scan and the snapshot writes run outside any (they are
read-only, or idempotent under a fresh snapshot id)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from services.awards.common.domain.certificates import Certificate
from services.awards.eql.domain.model import Assessment, CountryQuota, EqlLabel, NqlScore
from services.awards.nql.adapters.repository import (
    APPLICATIONS,
    DECIDED_PROJECTS,
    DECISION_COUNTERS,
    PROJECTS,
    decided_project_id,
)
from services.awards.nql.domain.model import ProjectFacts
from shared.events.base import EventPayload
from shared.storage.deferred import insert_if_absent
from shared.storage.mongo import Document, ensure_collections
from shared.storage.unit_of_work import Transaction

ROUNDS = "eql_rounds"
ASSESSMENTS = "eql_assessments"
QUOTAS = "eql_quotas"
NOMINATIONS = "eql_nominations"
NOMINATION_REFUSALS = "eql_nomination_refusals"
LABELS = "eql_labels"
EQL_CERTIFICATES = "eql_certificates"
FOUNDERS = "eql_project_founders"
PRIZE_ENTRIES = "prize_entries"
PRIZE_ENTRY_REFUSALS = "prize_entry_refusals"
PRIZE_WINNERS = "prize_winners"
SNAPSHOT_BATCH = 1000


async def ensure_eql_indexes(database: AsyncDatabase[Document]) -> None:
    # the candidate scan: granted (or evaluated) NQLs decided within the round's period
    await database[APPLICATIONS].create_indexes(
        [IndexModel([("status", ASCENDING), ("decision.decided_at", ASCENDING)])]
    )
    await database[ASSESSMENTS].create_indexes(
        [
            IndexModel([("snapshot_id", ASCENDING), ("project_id", ASCENDING)], unique=True),
            # an NSO's candidates: those its country granted an NQL on, best average first
            IndexModel(
                [
                    ("snapshot_id", ASCENDING),
                    ("candidate", ASCENDING),
                    ("countries", ASCENDING),
                    ("average", DESCENDING),
                ]
            ),
        ]
    )
    await database[NOMINATIONS].create_indexes(
        [
            IndexModel(
                [("round_id", ASCENDING), ("awarded", ASCENDING), ("project_id", ASCENDING)]
            ),
            IndexModel([("round_id", ASCENDING), ("country", ASCENDING)]),
        ]
    )
    await database[LABELS].create_indexes(
        [
            IndexModel([("teacher_id", ASCENDING), ("year", ASCENDING)]),
            IndexModel([("project_id", ASCENDING), ("year", ASCENDING)]),
        ]
    )
    await database[EQL_CERTIFICATES].create_indexes(
        [IndexModel([("application_id", ASCENDING)], unique=True)]
    )
    await database[PRIZE_ENTRIES].create_indexes([IndexModel([("project_id", ASCENDING)])])
    await ensure_collections(
        database,
        {ROUNDS, QUOTAS, NOMINATION_REFUSALS, FOUNDERS, PRIZE_ENTRY_REFUSALS, PRIZE_WINNERS},
    )


# --- the candidate scan (outside transactions) ----------------------------------------------


async def nql_scores_by_project(
    database: AsyncDatabase[Document],
    start: datetime,
    end: datetime,
    *,
    with_refused: bool,
    period_start: datetime | None = None,
) -> AsyncIterator[tuple[str, str, list[NqlScore]]]:
    """One indexed scan of the NQL decisions of [start, end), grouped by project on the
    server; a score decided before `period_start` is marked as outside the round's period."""
    statuses = ["GRANTED", "REFUSED"] if with_refused else ["GRANTED"]
    pipeline: list[Document] = [
        {
            "$match": {
                "status": {"$in": statuses},
                "decision.decided_at": {"$gte": start, "$lt": end},
            }
        },
        {
            "$group": {
                "_id": "$project_id",
                "title": {"$first": "$project_title"},
                "scores": {
                    "$push": {
                        "teacher_id": "$teacher_id",
                        "country": "$country",
                        "total": "$decision.decision.total",
                        "status": "$status",
                        "decided_at": "$decision.decided_at",
                    }
                },
            }
        },
    ]
    cursor = await database[APPLICATIONS].aggregate(pipeline)
    async for group in cursor:
        scores = [
            _score(s["teacher_id"], s["country"], s["total"], s["status"], s["decided_at"],
                   period_start)
            for s in group["scores"]
        ]  # fmt: skip
        yield str(group["_id"]), str(group.get("title") or group["_id"]), scores


def _score(
    teacher_id: str,
    country: str,
    total: Any,
    status: str,
    decided_at: datetime,
    period_start: datetime | None,
) -> NqlScore:
    return NqlScore(
        teacher_id=teacher_id,
        country=country,
        total=int(total),
        granted=status == "GRANTED",
        in_period=period_start is None or _aware(decided_at) >= period_start,
    )


async def nql_scores_of_projects(
    tx: Transaction,
    project_ids: Sequence[str],
    start: datetime,
    end: datetime,
    *,
    with_refused: bool,
    period_start: datetime | None = None,
) -> dict[str, tuple[str, list[NqlScore]]]:
    """What the candidate scan gives for these projects only (index `project_id`): project id
    → (title, scores) of its NQLs decided in [start, end); a project with none is absent."""
    statuses = ["GRANTED", "REFUSED"] if with_refused else ["GRANTED"]
    found: dict[str, tuple[str, list[NqlScore]]] = {}
    cursor = tx.collection(APPLICATIONS).find(
        {
            "project_id": {"$in": list(project_ids)},
            "status": {"$in": statuses},
            "decision.decided_at": {"$gte": start, "$lt": end},
        },
        {"project_id": 1, "project_title": 1, "teacher_id": 1, "country": 1, "status": 1,
         "decision.decision.total": 1, "decision.decided_at": 1},
        session=tx.session,
    )  # fmt: skip
    async for d in cursor:
        project_id = str(d["project_id"])
        title = str(d.get("project_title") or project_id)
        _, scores = found.setdefault(project_id, (title, []))
        decision = d["decision"]
        scores.append(
            _score(d["teacher_id"], d["country"], decision["decision"]["total"], d["status"],
                   decision["decided_at"], period_start)
        )  # fmt: skip
    return found


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def decisions_fingerprint(
    database: AsyncDatabase[Document], start: datetime, end: datetime, session: Any = None
) -> list[Any]:
    """What changes whenever an NQL decided in [start, end) is: the decision counters of the
    window's months (written in each decision's transaction). One read by _id."""
    months = _months(start, end)
    found = {
        document["_id"]: int(document.get("seq", 0))
        async for document in database[DECISION_COUNTERS].find(
            {"_id": {"$in": months}}, session=session
        )
    }
    return [[month, found.get(month, 0)] for month in months]


async def decided_projects_since(
    tx: Transaction, before: Sequence[Sequence[Any]], now: Sequence[Sequence[Any]]
) -> set[str] | None:
    """The projects whose NQLs were decided between two fingerprints (one `_id` range read
    per month that moved); None when the record does not hold every counted decision (ones
    counted before it existed): then only a full recomputation is right."""
    seen = {str(month): int(seq) for month, seq in before}
    found: set[str] = set()
    for month, seq in now:
        since = seen.get(str(month), 0)
        if int(seq) <= since:
            continue
        cursor = tx.collection(DECIDED_PROJECTS).find(
            {"_id": {"$gt": decided_project_id(month, since),
                     "$lte": decided_project_id(month, int(seq))}},
            {"project_id": 1},
            session=tx.session,
        )  # fmt: skip
        records = [d["project_id"] async for d in cursor]
        if len(records) != int(seq) - since:
            return None
        found.update(records)
    return found


def _months(start: datetime, end: datetime) -> list[str]:
    """Every calendar month that has a moment in [start, end)."""
    months: list[str] = []
    year, month = start.year, start.month
    while datetime(year, month, 1, tzinfo=UTC) < end:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


async def earlier_candidacies(
    database: AsyncDatabase[Document], year: int, project_ids: Sequence[str]
) -> dict[str, int]:
    """project id → the earliest earlier round it was a candidate in (its current snapshot)."""
    snapshots = {
        document["snapshot_id"]: int(document["year"])
        async for document in database[ROUNDS].find(
            {"year": {"$lt": year}}, {"snapshot_id": 1, "year": 1}
        )
    }
    found: dict[str, int] = {}
    if not snapshots:
        return found
    for start in range(0, len(project_ids), SNAPSHOT_BATCH):
        chunk = list(project_ids[start : start + SNAPSHOT_BATCH])
        async for document in database[ASSESSMENTS].find(
            {"snapshot_id": {"$in": list(snapshots)}, "project_id": {"$in": chunk},
             "candidate": True},
            {"project_id": 1, "snapshot_id": 1},
        ):  # fmt: skip
            earlier = snapshots[document["snapshot_id"]]
            found[document["project_id"]] = min(found.get(document["project_id"], earlier), earlier)
    return found


async def delete_snapshot(database: AsyncDatabase[Document], snapshot_id: str) -> None:
    await database[ASSESSMENTS].delete_many({"snapshot_id": snapshot_id})


async def project_kinds(
    database: AsyncDatabase[Document], project_ids: Sequence[str]
) -> dict[str, tuple[list[str] | None, str | None]]:
    """(founder countries, project type) of each project, as far as awards knows them."""
    found: dict[str, tuple[list[str] | None, str | None]] = {}
    for start in range(0, len(project_ids), SNAPSHOT_BATCH):
        chunk = list(project_ids[start : start + SNAPSHOT_BATCH])
        async for facts in database[PROJECTS].find({"_id": {"$in": chunk}}, {"project_type": 1}):
            found[facts["_id"]] = (None, facts.get("project_type"))
        async for founders in database[FOUNDERS].find({"_id": {"$in": chunk}}):
            _, kind = found.get(founders["_id"], (None, None))
            found[founders["_id"]] = (list(founders.get("founder_countries", [])), kind)
    return found


async def write_snapshot(
    database: AsyncDatabase[Document],
    snapshot_id: str,
    round_id: str,
    year: int,
    assessments: Iterable[Assessment],
) -> None:
    """Idempotent under its snapshot id; the round document points at it once committed."""
    batch: list[Document] = []
    for assessment in assessments:
        batch.append(
            {
                "_id": f"{snapshot_id}:{assessment.project_id}",
                "snapshot_id": snapshot_id,
                "round_id": round_id,
                "year": year,
                **assessment.model_dump(),
            }
        )
        if len(batch) >= SNAPSHOT_BATCH:
            await database[ASSESSMENTS].insert_many(batch, ordered=False)
            batch = []
    if batch:
        await database[ASSESSMENTS].insert_many(batch, ordered=False)


def assessment_from(document: Document) -> Assessment:
    return Assessment.model_validate(document)


# --- in transactions -------------------------------------------------------------------------


async def emit_all(tx: Transaction, payloads: Sequence[EventPayload]) -> None:
    """Many events in the caller's transaction. Transaction.emit buffers them and the unit of
    work writes the outbox with one insert_many just before the commit, so a closing batch of
    n recipients pays one round trip for its 2n events, not 2n."""
    for payload in payloads:
        await tx.emit(payload)


class EqlRepository:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx
        self._session = tx.session

    def _c(self, name: str) -> Any:
        return self._tx.collection(name)

    # --- rounds ---------------------------------------------------------------------------

    async def round(self, round_id: str) -> Document | None:
        document: Document | None = await self._c(ROUNDS).find_one(
            {"_id": round_id}, session=self._session
        )
        return document

    async def add_round(self, document: Document) -> None:
        """Raises DuplicateKeyError when the year already has its round (R-EQL-1)."""
        await self._c(ROUNDS).insert_one(document, session=self._session)

    async def add_quotas(self, round_id: str, quotas: Iterable[CountryQuota]) -> None:
        documents = [
            {"_id": f"{round_id}:{q.country}", "round_id": round_id, **q.model_dump(), "used": 0,
             "open": True}
            for q in quotas
        ]  # fmt: skip
        if documents:
            await self._c(QUOTAS).insert_many(documents, session=self._session)

    async def quota(self, round_id: str, country: str) -> Document | None:
        document: Document | None = await self._c(QUOTAS).find_one(
            {"_id": f"{round_id}:{country}"}, session=self._session
        )
        return document

    async def take_quota(self, round_id: str, country: str) -> Document | None:
        """The counter document of the country: concurrent nominations conflict on it and are
        retried, so together they never exceed the quota; a closed round takes nothing."""
        document: Document | None = await self._c(QUOTAS).find_one_and_update(
            {"_id": f"{round_id}:{country}", "open": True, "$expr": {"$lt": ["$used", "$quota"]}},
            {"$inc": {"used": 1}},
            return_document=ReturnDocument.AFTER,
            session=self._session,
        )
        return document

    async def start_closing(self, round_id: str, closed_by: str, now: datetime) -> Document | None:
        """OPEN → CLOSING, and every counter closed: a nomination racing with it conflicts on
        its counter, is retried, and then sees the round closed."""
        document: Document | None = await self._c(ROUNDS).find_one_and_update(
            {"_id": round_id, "status": "OPEN"},
            {"$set": {"status": "CLOSING", "closing_started_at": now, "closed_by": closed_by}},
            return_document=ReturnDocument.AFTER,
            session=self._session,
        )
        if document is not None:
            await self._c(QUOTAS).update_many(
                {"round_id": round_id}, {"$set": {"open": False}}, session=self._session
            )
        return document

    async def count_awarded(self, round_id: str, projects: int, recipients: int) -> None:
        await self._c(ROUNDS).update_one(
            {"_id": round_id},
            {"$inc": {"awarded_projects": projects, "recipients": recipients}},
            session=self._session,
        )

    async def finish_closing(self, round_id: str, now: datetime) -> Document | None:
        document: Document | None = await self._c(ROUNDS).find_one_and_update(
            {"_id": round_id, "status": "CLOSING"},
            {"$set": {"status": "CLOSED", "closed_at": now}},
            return_document=ReturnDocument.AFTER,
            session=self._session,
        )
        return document

    # --- candidates and nominations -------------------------------------------------------

    async def assessment(self, snapshot_id: str, project_id: str) -> Assessment | None:
        document = await self._c(ASSESSMENTS).find_one(
            {"_id": f"{snapshot_id}:{project_id}"}, session=self._session
        )
        return None if document is None else assessment_from(document)

    async def nomination(self, round_id: str, project_id: str) -> Document | None:
        document: Document | None = await self._c(NOMINATIONS).find_one(
            {"_id": f"{round_id}:{project_id}"}, session=self._session
        )
        return document

    async def add_nomination(self, document: Document) -> None:
        await self._c(NOMINATIONS).insert_one(document, session=self._session)

    async def add_refusal(self, document: Document) -> None:
        await self._c(NOMINATION_REFUSALS).insert_one(document, session=self._session)

    async def switch_snapshot(
        self, round_id: str, old_snapshot_id: str, fields: Document
    ) -> Document | None:
        """Points an OPEN round at a recomputed snapshot, if no other refresh did first."""
        document: Document | None = await self._c(ROUNDS).find_one_and_update(
            {"_id": round_id, "status": "OPEN", "snapshot_id": old_snapshot_id},
            {"$set": {**fields, "previous_snapshot_id": old_snapshot_id}},
            return_document=ReturnDocument.AFTER,
            session=self._session,
        )
        return document

    async def assessments(self, snapshot_id: str, project_ids: Sequence[str]) -> list[Assessment]:
        cursor = self._c(ASSESSMENTS).find(
            {"_id": {"$in": [f"{snapshot_id}:{p}" for p in project_ids]}}, session=self._session
        )
        return [assessment_from(d) async for d in cursor]

    async def replace_assessments(
        self,
        round_id: str,
        year: int,
        snapshot_id: str,
        assessments: Sequence[Assessment],
        gone: Sequence[str],
    ) -> None:
        """In place, in the caller's transaction: these projects' assessments in the round's
        current snapshot; `gone`, projects no longer in the round."""
        for assessment in assessments:
            key = f"{snapshot_id}:{assessment.project_id}"
            await self._c(ASSESSMENTS).replace_one(
                {"_id": key},
                {"_id": key, "snapshot_id": snapshot_id, "round_id": round_id, "year": year,
                 **assessment.model_dump()},
                upsert=True,
                session=self._session,
            )  # fmt: skip
        if gone:
            await self._c(ASSESSMENTS).delete_many(
                {"_id": {"$in": [f"{snapshot_id}:{p}" for p in gone]}}, session=self._session
            )

    async def quotas(self, round_id: str, countries: Iterable[str]) -> dict[str, CountryQuota]:
        cursor = self._c(QUOTAS).find(
            {"_id": {"$in": [f"{round_id}:{c}" for c in countries]}}, session=self._session
        )
        return {d["country"]: CountryQuota.model_validate(d) async for d in cursor}

    async def move_figures(
        self, round_id: str, snapshot_id: str, old_fingerprint: Any, new_fingerprint: Any,
        projects_with_nql: int, candidates: int,
    ) -> Document | None:  # fmt: skip
        """The round's figures moved on by a fold-in, if nothing else moved them first."""
        document: Document | None = await self._c(ROUNDS).find_one_and_update(
            {"_id": round_id, "status": "OPEN", "snapshot_id": snapshot_id,
             "fingerprint": old_fingerprint},
            {"$set": {"fingerprint": new_fingerprint},
             "$inc": {"projects_with_nql": projects_with_nql, "candidate_count": candidates}},
            return_document=ReturnDocument.AFTER,
            session=self._session,
        )  # fmt: skip
        return document

    async def update_quotas(self, round_id: str, quotas: Iterable[CountryQuota]) -> None:
        """The current figures on each country's counter; the places used stay."""
        for q in quotas:
            await self._c(QUOTAS).update_one(
                {"_id": f"{round_id}:{q.country}"},
                {"$set": q.model_dump(),
                 "$setOnInsert": {"round_id": round_id, "used": 0, "open": True}},
                upsert=True,
                session=self._session,
            )  # fmt: skip

    async def review(self, nomination_id: str, review: Document) -> None:
        await self._c(NOMINATIONS).update_one(
            {"_id": nomination_id}, {"$set": {"review": review}}, session=self._session
        )

    async def give_back_quota(self, round_id: str, country: str) -> None:
        await self._c(QUOTAS).update_one(
            {"_id": f"{round_id}:{country}", "used": {"$gt": 0}},
            {"$inc": {"used": -1}},
            session=self._session,
        )

    async def unreviewed(self, round_id: str) -> int:
        return int(
            await self._c(NOMINATIONS).count_documents(
                {"round_id": round_id, "review": None}, session=self._session
            )
        )

    async def nominations_to_award(self, round_id: str, limit: int) -> list[Document]:
        """Confirmed by the CSS (R-EQL-5), not awarded yet."""
        cursor = (
            self._c(NOMINATIONS)
            .find(
                {"round_id": round_id, "awarded": False, "review.outcome": "CONFIRMED"},
                session=self._session,
            )
            .sort("project_id", ASCENDING)
            .limit(limit)
        )
        return [d async for d in cursor]

    async def mark_awarded(self, nomination_ids: Sequence[str], now: datetime) -> None:
        await self._c(NOMINATIONS).update_many(
            {"_id": {"$in": list(nomination_ids)}, "awarded": False},
            {"$set": {"awarded": True, "awarded_at": now}},
            session=self._session,
        )

    # --- facts the award needs ------------------------------------------------------------

    async def projects(self, project_ids: Sequence[str]) -> dict[str, ProjectFacts]:
        cursor = self._c(PROJECTS).find({"_id": {"$in": list(project_ids)}}, session=self._session)
        return {d["_id"]: ProjectFacts.model_validate(d) async for d in cursor}

    async def granted_nqls(self, project_ids: Sequence[str]) -> dict[str, list[NqlScore]]:
        cursor = self._c(APPLICATIONS).find(
            {"project_id": {"$in": list(project_ids)}, "status": "GRANTED"},
            {"teacher_id": 1, "country": 1, "project_id": 1, "decision.decision.total": 1},
            session=self._session,
        )
        found: dict[str, list[NqlScore]] = {}
        async for d in cursor:
            found.setdefault(d["project_id"], []).append(
                NqlScore(
                    teacher_id=d["teacher_id"],
                    country=d["country"],
                    total=int(d["decision"]["decision"]["total"]),
                    granted=True,
                )
            )
        return found

    def remember_founders(
        self, project_id: str, founder_countries: list[str], founder_ids: list[str]
    ) -> None:
        """Queued with the transaction's other writes: the first completion's founders stay."""
        founders = {"founder_countries": founder_countries, "founder_ids": founder_ids}
        self._tx.defer(insert_if_absent(FOUNDERS, {"_id": project_id, **founders}))

    # --- labels and certificates ----------------------------------------------------------

    async def add_labels(self, labels: Sequence[EqlLabel]) -> None:
        if labels:
            documents = [{**label.model_dump(exclude={"id"}), "_id": label.id} for label in labels]
            await self._c(LABELS).insert_many(documents, session=self._session)

    async def add_certificates(self, certificates: Sequence[Certificate]) -> None:
        if certificates:
            documents = [
                {**c.model_dump(exclude={"code"}), "_id": c.code, "label": "EQL"}
                for c in certificates
            ]
            await self._c(EQL_CERTIFICATES).insert_many(documents, session=self._session)

    async def eql_holders(self, year: int, project_id: str) -> list[str]:
        cursor = self._c(LABELS).find(
            {"project_id": project_id, "year": year}, {"teacher_id": 1}, session=self._session
        )
        return sorted({d["teacher_id"] async for d in cursor})

    # --- prizes ---------------------------------------------------------------------------

    async def entries_of_project(self, project_id: str) -> list[Document]:
        cursor = self._c(PRIZE_ENTRIES).find({"project_id": project_id}, session=self._session)
        return [d async for d in cursor]

    async def add_entry(self, document: Document) -> None:
        """Accepted entries only; `_id` = year:project, so a racing second entry conflicts."""
        await self._c(PRIZE_ENTRIES).insert_one(document, session=self._session)

    async def add_entry_refusal(self, document: Document) -> None:
        await self._c(PRIZE_ENTRY_REFUSALS).insert_one(document, session=self._session)

    async def entry(self, year: int, project_id: str) -> Document | None:
        document: Document | None = await self._c(PRIZE_ENTRIES).find_one(
            {"_id": f"{year}:{project_id}"}, session=self._session
        )
        return document

    async def winner(self, year: int, project_id: str) -> Document | None:
        document: Document | None = await self._c(PRIZE_WINNERS).find_one(
            {"_id": f"{year}:{project_id}"}, session=self._session
        )
        return document

    async def add_winner(self, document: Document) -> None:
        await self._c(PRIZE_WINNERS).insert_one(document, session=self._session)
