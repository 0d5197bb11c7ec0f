"""Jobs as documents of the service's own database, and every write that moves one along.

A job document holds its kind, parameters, who asked, status, progress, the state of its last
checkpoint, timestamps and its result or error. While a job is queued or running, a document
in `jobs_active` keyed by the operation (kind + parameters) names it: starting the same
operation again finds that document and returns the running job instead of a second one.

A worker claims a job with one atomic find_one_and_update (the same lease test as
shared/storage/leases.py); every checkpoint is written in the step's own transaction with a
filter on the worker's lease, so a worker whose lease passed to another replica cannot commit
a step: its transaction fails and the effects of the step are not made twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.storage.mongo import Document
from shared.storage.unit_of_work import Transaction, UnitOfWork

JOBS = "jobs"
ACTIVE = "jobs_active"

QUEUED, RUNNING = "queued", "running"
SUCCEEDED, FAILED, CANCELLED = "succeeded", "failed", "cancelled"
Status = str  # one of the five above
UNFINISHED = (QUEUED, RUNNING)
FINISHED = (SUCCEEDED, FAILED, CANCELLED)


class LeaseLost(Exception):
    """Another worker holds the job now (this one's lease ran out): stop, commit nothing."""


async def ensure_job_indexes(database: AsyncDatabase[Document]) -> None:
    await database[JOBS].create_indexes(
        [
            IndexModel([("status", ASCENDING), ("created_at", ASCENDING)]),
            IndexModel([("kind", ASCENDING), ("created_at", DESCENDING)]),
            IndexModel([("created_at", DESCENDING)]),
        ]
    )
    if ACTIVE not in await database.list_collection_names():
        await database.create_collection(ACTIVE)


def operation_key(kind: str, params: Mapping[str, Any]) -> str:
    """Two requests for the same operation (kind and parameters) share this key."""
    return kind + "?" + "&".join(f"{k}={params[k]}" for k in sorted(params))


def claimable(now: datetime) -> Document:
    """Queued or running, and not leased (never, or the lease ran out): a job whose worker
    died is claimed again from its last checkpoint."""
    return {"status": {"$in": list(UNFINISHED)}, "lease_until": {"$not": {"$gte": now}}}


async def submit(
    uow: UnitOfWork,
    kind: str,
    params: Mapping[str, Any],
    requested_by: Mapping[str, Any],
    now: datetime,
) -> tuple[Document, bool]:
    """The job running this operation, and whether this call created it."""
    key = operation_key(kind, params)

    async def work(tx: Transaction) -> tuple[Document, bool]:
        jobs, active = tx.collection(JOBS), tx.collection(ACTIVE)
        held = await active.find_one({"_id": key}, session=tx.session)
        if held is not None:
            running = await jobs.find_one({"_id": held["job_id"]}, session=tx.session)
            if running is not None and running["status"] in UNFINISHED:
                return running, False
            await active.delete_one({"_id": key}, session=tx.session)
        job: Document = {
            "_id": f"job_{uuid4().hex}",
            "kind": kind,
            "params": dict(params),
            "operation": key,
            "requested_by": dict(requested_by),
            "status": QUEUED,
            "progress": {"done": 0, "total": None, "step": "queued"},
            "state": {},
            "result": None,
            "error": None,
            "cancel_requested": False,
            "attempts": 0,
            "created_at": now,
            "updated_at": now,
            "started_at": None,
            "finished_at": None,
        }
        await jobs.insert_one(job, session=tx.session)
        await active.insert_one({"_id": key, "job_id": job["_id"]}, session=tx.session)
        return job, True

    try:
        return await uow.run(work)
    except DuplicateKeyError:  # the same operation submitted at the same moment: that one
        return await uow.run(work)


async def claim(
    database: AsyncDatabase[Document],
    owner: str,
    now: datetime,
    lease: timedelta,
    session: AsyncClientSession | None = None,
) -> Document | None:
    """With `session`, in the caller's transaction (the worker claims in one: see runner)."""
    found: Document | None = await database[JOBS].find_one_and_update(
        claimable(now),
        {
            "$set": {
                "status": RUNNING,
                "lease_owner": owner,
                "lease_until": now + lease,
                "updated_at": now,
            },
            "$inc": {"attempts": 1},
        },
        sort=[("created_at", 1)],
        return_document=ReturnDocument.AFTER,
        session=session,
    )
    if found is not None and found.get("started_at") is None:
        await database[JOBS].update_one(
            {"_id": found["_id"]}, {"$set": {"started_at": now}}, session=session
        )
        found["started_at"] = now
    return found


async def renew(
    database: AsyncDatabase[Document],
    job_id: str,
    owner: str,
    now: datetime,
    lease: timedelta,
    session: AsyncClientSession | None = None,
) -> bool:
    """The worker still runs the job: its lease is pushed back. False when it was lost."""
    result = await database[JOBS].update_one(
        {"_id": job_id, "lease_owner": owner, "status": RUNNING},
        {"$set": {"lease_until": now + lease}},
        session=session,
    )
    return result.matched_count == 1


async def checkpoint(
    tx: Transaction,
    job_id: str,
    owner: str,
    *,
    progress: Mapping[str, Any],
    state: Mapping[str, Any],
    now: datetime,
    lease: timedelta,
) -> Document:
    """In the step's transaction: progress and state advance with the step's effects, or not
    at all. Raises LeaseLost (aborting the transaction) when the job is no longer this
    worker's."""
    found: Document | None = await tx.collection(JOBS).find_one_and_update(
        {"_id": job_id, "lease_owner": owner, "status": RUNNING},
        {
            "$set": {
                "progress": dict(progress),
                "state": dict(state),
                "updated_at": now,
                "lease_until": now + lease,
            }
        },
        projection={"cancel_requested": 1},
        return_document=ReturnDocument.AFTER,
        session=tx.session,
    )
    if found is None:
        raise LeaseLost(job_id)
    return found


async def finish(
    tx: Transaction,
    job_id: str,
    owner: str | None,
    status: Status,
    now: datetime,
    *,
    result: Mapping[str, Any] | None = None,
    error: str | None = None,
) -> Document:
    """The job's last write, in a transaction that also frees the operation and emits the
    finished event (the caller's). `owner` None: a queued job no worker holds (cancelled)."""
    guard: Document = {"_id": job_id}
    guard.update({"lease_owner": owner} if owner else {"status": QUEUED})
    fields: Document = {"status": status, "finished_at": now, "updated_at": now}
    if result is not None:
        fields["result"] = dict(result)
    if error is not None:
        fields["error"] = error[:2000]
    found: Document | None = await tx.collection(JOBS).find_one_and_update(
        guard,
        {"$set": fields, "$unset": {"lease_owner": "", "lease_until": ""}},
        return_document=ReturnDocument.AFTER,
        session=tx.session,
    )
    if found is None:
        raise LeaseLost(job_id)
    await tx.collection(ACTIVE).delete_one(
        {"_id": found["operation"], "job_id": job_id}, session=tx.session
    )
    return found


async def release(
    database: AsyncDatabase[Document], job_id: str, owner: str, retry_at: datetime, error: str
) -> None:
    """A transient failure (the database away): the job stays running and unleased from
    `retry_at`, to be claimed again from its last checkpoint."""
    await database[JOBS].update_one(
        {"_id": job_id, "lease_owner": owner},
        {
            "$set": {"lease_until": retry_at, "last_error": error[:2000]},
            "$unset": {"lease_owner": ""},
        },
    )


async def request_cancellation(database: AsyncDatabase[Document], job_id: str) -> Document | None:
    """A running job stops at its next checkpoint that allows it; the job as it is now."""
    found: Document | None = await database[JOBS].find_one_and_update(
        {"_id": job_id, "status": {"$in": list(UNFINISHED)}},
        {"$set": {"cancel_requested": True}},
        return_document=ReturnDocument.AFTER,
    )
    return found


async def job(database: AsyncDatabase[Document], job_id: str) -> Document | None:
    found: Document | None = await database[JOBS].find_one({"_id": job_id})
    return found


async def recent(
    database: AsyncDatabase[Document],
    *,
    status: str | None = None,
    kind: str | None = None,
    limit: int = 50,
) -> list[Document]:
    query: Document = {}
    if status:
        query["status"] = status
    if kind:
        query["kind"] = kind
    cursor = database[JOBS].find(query, {"state": 0}).sort("created_at", -1).limit(limit)
    return [document async for document in cursor]
