"""Webhook subscriptions are read at most once per max age, and at once after a change made
through this replica's API (which invalidates the copy)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from services.notifications.adapters.repository import WEBHOOKS
from services.notifications.adapters.webhook_subscriptions import SubscriptionCache
from shared.storage.unit_of_work import Transaction, UnitOfWork

pytestmark = [pytest.mark.integration]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def subscription(name: str) -> dict[str, Any]:
    return {"_id": name, "url": f"http://{name}.example/hook", "secret": "s", "kinds": ["k"]}


async def test_subscriptions_are_reread_after_max_age_or_invalidation(
    mongo_client: AsyncMongoClient[dict[str, Any]],
) -> None:
    database = mongo_client[f"webhook_cache_{uuid.uuid4().hex[:8]}"]
    uow = UnitOfWork(mongo_client, database, "notifications")
    clock = Clock()
    cache = SubscriptionCache(5.0, clock=clock)

    async def ids() -> list[str]:
        async def read(tx: Transaction) -> list[str]:
            return [s.id for s in await cache.current(tx)]

        return await uow.run(read)

    await database[WEBHOOKS].insert_one(subscription("first"))
    assert await ids() == ["first"]

    await database[WEBHOOKS].insert_one(subscription("second"))
    clock.now += 4.9
    assert await ids() == ["first"]  # still the copy: another replica's change waits
    clock.now += 0.1
    assert await ids() == ["first", "second"]

    await database[WEBHOOKS].delete_one({"_id": "first"})
    cache.invalidate()  # what this replica's API does after a change
    assert await ids() == ["second"]


async def test_a_max_age_of_zero_reads_for_every_event(
    mongo_client: AsyncMongoClient[dict[str, Any]],
) -> None:
    database = mongo_client[f"webhook_cache_{uuid.uuid4().hex[:8]}"]
    uow = UnitOfWork(mongo_client, database, "notifications")
    cache = SubscriptionCache(0.0, clock=Clock())

    await uow.run(cache.current)
    await database[WEBHOOKS].insert_one(subscription("late"))
    assert [s.id for s in await uow.run(cache.current)] == ["late"]
