"""A work queue kept in a collection: documents are claimed under a lease, done or retried.

The outbox relay and the mail dispatcher both use it. Claiming is one atomic
find_one_and_update, so any number of replicas can work the same collection; a worker that
dies leaves a lease that expires, and the document is claimed again.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection

from shared.storage.mongo import Document

PENDING = "pending"
FAILED = "failed"


def utcnow() -> datetime:
    """The wall clock, on purpose: leases and backoff are compared across replicas and with
    the times other processes wrote, so they cannot follow a service's settable Clock."""
    return datetime.now(UTC)


def new_work_fields(now: datetime | None = None) -> Document:
    """Fields a document needs to be claimable."""
    now = now or utcnow()
    return {"status": PENDING, "attempts": 0, "enqueued_at": now, "next_attempt_at": now}


def claimable_at(now: datetime) -> Document:
    """Pending, due, and not leased (never, or the lease ran out). The lease test is one
    `$not $gte` rather than an `$or` of null and `$lt`: the same documents, but a top-level
    `$or` makes SecantusDB scan the whole collection (40 ms for 800 entries, growing with
    every event ever published) where this stays on the (status, next_attempt_at) path."""
    return {
        "status": PENDING,
        "next_attempt_at": {"$lte": now},
        "lease_until": {"$not": {"$gte": now}},
    }


class LeasedQueue:
    def __init__(
        self,
        collection: AsyncCollection[Document],
        *,
        lease_seconds: float,
        max_attempts: int,
        base_backoff_seconds: float = 1.0,
        max_backoff_seconds: float = 300.0,
    ) -> None:
        self.collection = collection
        self._lease = timedelta(seconds=lease_seconds)
        self._max_attempts = max_attempts
        self._base_backoff = base_backoff_seconds
        self._max_backoff = max_backoff_seconds
        self._owner = uuid4().hex

    def born_leased(self) -> Document:
        """Fields that make a new document claimed by this worker from the start: its writer
        hands it over after commit, and no other replica takes it unless the lease runs out
        (the writer died first)."""
        return {
            "lease_until": utcnow() + self._lease,
            "lease_owner": f"{self._owner}:born",
            "attempts": 1,
        }

    async def claim(self) -> Document | None:
        now = utcnow()
        return await self.collection.find_one_and_update(
            claimable_at(now),
            {
                "$set": {"lease_until": now + self._lease, "lease_owner": self._owner},
                "$inc": {"attempts": 1},
            },
            sort=[("enqueued_at", 1)],
            return_document=ReturnDocument.AFTER,
        )

    async def claim_batch(self, limit: int) -> list[Document]:
        """Claim up to `limit` documents in two round trips, whatever the batch size.

        Candidates are read, then leased with one update_many whose filter repeats the claim
        conditions (a replica that leased one first keeps it). When every candidate was
        leased, the documents read are the claimed ones; otherwise (another replica won some)
        the claimed ones are read back by lease token, a third round trip.
        """
        now = utcnow()
        claimable = claimable_at(now)
        candidates = self.collection.find(claimable).sort("enqueued_at", 1).limit(limit)
        found = [document async for document in candidates]
        if not found:
            return []
        token = f"{self._owner}:{uuid4().hex}"
        lease = {"lease_until": now + self._lease, "lease_owner": token}
        result = await self.collection.update_many(
            {"_id": {"$in": [document["_id"] for document in found]}, **claimable},
            {"$set": lease, "$inc": {"attempts": 1}},
        )
        if result.modified_count == len(found):
            for document in found:
                document.update(lease, attempts=int(document.get("attempts", 0)) + 1)
            return found
        claimed = self.collection.find({"lease_owner": token}).sort("enqueued_at", 1)
        return [document async for document in claimed]

    async def complete_many(self, documents: list[Document], status: str, **fields: Any) -> int:
        if not documents:
            return 0
        result = await self.collection.update_many(
            {
                "_id": {"$in": [d["_id"] for d in documents]},
                "lease_owner": {"$in": list({d["lease_owner"] for d in documents})},
            },
            {
                "$set": {"status": status, **fields},
                "$unset": {"lease_until": "", "lease_owner": "", "last_error": ""},
            },
        )
        return result.modified_count

    async def release_many(self, documents: list[Document]) -> None:
        """Give back claimed documents untried: their attempt does not count."""
        if not documents:
            return
        await self.collection.update_many(
            {
                "_id": {"$in": [d["_id"] for d in documents]},
                "lease_owner": {"$in": list({d["lease_owner"] for d in documents})},
            },
            {"$unset": {"lease_until": "", "lease_owner": ""}, "$inc": {"attempts": -1}},
        )

    async def complete(self, document: Document, status: str, **fields: Any) -> bool:
        result = await self.collection.update_one(
            {"_id": document["_id"], "lease_owner": document.get("lease_owner", self._owner)},
            {
                "$set": {"status": status, **fields},
                "$unset": {"lease_until": "", "lease_owner": "", "last_error": ""},
            },
        )
        return result.modified_count == 1

    async def retry_later(self, document: Document, error: str) -> str:
        """Record a failed attempt; returns the new status (pending, or failed when spent)."""
        attempts = int(document.get("attempts", 1))
        status = FAILED if attempts >= self._max_attempts else PENDING
        delay = min(self._base_backoff * 2 ** (attempts - 1), self._max_backoff)
        await self.collection.update_one(
            {"_id": document["_id"], "lease_owner": document.get("lease_owner", self._owner)},
            {
                "$set": {
                    "status": status,
                    "last_error": error[:2000],
                    "next_attempt_at": utcnow() + timedelta(seconds=delay * random.uniform(1, 1.2)),
                },
                "$unset": {"lease_until": "", "lease_owner": ""},
            },
        )
        return status

    async def count_pending(self) -> int:
        return await self.collection.count_documents({"status": PENDING})
