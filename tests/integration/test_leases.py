"""The leased work queue under competing workers (outbox relays, mail dispatchers)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from shared.storage.leases import PENDING, LeasedQueue, new_work_fields

pytestmark = [pytest.mark.integration]


async def _queue_with(client: AsyncMongoClient[Any], count: int) -> tuple[Any, list[str]]:
    collection = client[f"leases_{uuid.uuid4().hex[:8]}"]["work"]
    ids = [f"w{n:03}" for n in range(count)]
    await collection.insert_many([{"_id": i, **new_work_fields()} for i in ids])
    return collection, ids


def _worker(collection: Any) -> LeasedQueue:
    return LeasedQueue(collection, lease_seconds=30, max_attempts=3)


async def test_competing_workers_never_claim_the_same_document(
    mongo_client: AsyncMongoClient[Any],
) -> None:
    collection, ids = await _queue_with(mongo_client, 60)
    first, second = _worker(collection), _worker(collection)
    claimed: list[Any] = []
    while True:  # as relays do: claim again until nothing is left
        rounds = await asyncio.gather(*(w.claim_batch(25) for w in (first, second, first)))
        if not any(rounds):
            break
        claimed += [doc for batch in rounds for doc in batch]
    assert sorted(doc["_id"] for doc in claimed) == ids  # every document once, none twice
    assert all(doc["attempts"] == 1 for doc in claimed)


async def test_completed_and_released_documents(mongo_client: AsyncMongoClient[Any]) -> None:
    collection, ids = await _queue_with(mongo_client, 5)
    worker = _worker(collection)
    batch = await worker.claim_batch(5)
    assert await worker.complete_many(batch[:2], "done") == 2
    await worker.release_many(batch[2:])
    assert await worker.claim_batch(5) != []  # released ones are claimable again at once
    states = {d["_id"]: d async for d in collection.find()}
    assert [states[i]["status"] for i in ids[:2]] == ["done", "done"]
    assert all(states[i]["status"] == PENDING and states[i]["attempts"] == 1 for i in ids[2:])


async def test_an_expired_lease_makes_a_document_claimable_again(
    mongo_client: AsyncMongoClient[Any],
) -> None:
    collection, _ = await _queue_with(mongo_client, 1)
    dead_worker = LeasedQueue(collection, lease_seconds=0.2, max_attempts=3)
    assert len(await dead_worker.claim_batch(10)) == 1
    assert await _worker(collection).claim_batch(10) == []
    await asyncio.sleep(0.3)
    retried = await _worker(collection).claim_batch(10)
    assert [doc["attempts"] for doc in retried] == [2]
