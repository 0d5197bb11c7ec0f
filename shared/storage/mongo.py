"""MongoDB client construction and the collections the core owns."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import suppress
from typing import Any

import pymongo
from prometheus_client import Counter
from pymongo import ASCENDING, AsyncMongoClient, IndexModel, monitoring
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import CollectionInvalid

OUTBOX = "outbox"
INBOX = "inbox"
INBOX_RETENTION_SECONDS = 30 * 24 * 3600
PUBLISHED_OUTBOX_RETENTION_SECONDS = 7 * 24 * 3600

Document = dict[str, Any]


def create_client(
    url: str, app_name: str, commands: Counter | None = None
) -> AsyncMongoClient[Document]:
    """With `commands` (labels database, command), every command the client sends is
    counted: the database round trips of the process, at GET /metrics."""
    listeners = [CommandCounter(commands)] if commands is not None else []
    return AsyncMongoClient(
        url, appname=app_name, tz_aware=True, w="majority", event_listeners=listeners
    )


class CommandCounter(monitoring.CommandListener):
    """PyMongo command monitoring into a Prometheus counter. Runs inline on each command, so
    it only increments; server heartbeats are not commands and are not counted."""

    def __init__(self, counter: Counter) -> None:
        self._counter = counter

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self._counter.labels(event.database_name, event.command_name).inc()

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


async def ping(database: AsyncDatabase[Document], timeout_seconds: float = 2.0) -> bool:
    """Bounded: an absent server would otherwise answer only after the driver's 30 s server
    selection."""
    try:
        with pymongo.timeout(timeout_seconds):
            await database.command("ping")
    except Exception:
        return False
    return True


async def ensure_collections(database: AsyncDatabase[Document], names: Iterable[str]) -> None:
    """Create collections at start-up, outside transactions: implicit creation inside concurrent
    transactions can fail with 'namespace already in use'."""
    existing = set(await database.list_collection_names())
    for name in set(names) - existing:
        with suppress(CollectionInvalid):  # another instance created it meanwhile
            await database.create_collection(name)


async def ensure_core_indexes(database: AsyncDatabase[Document]) -> None:
    """Created at start-up, outside transactions: implicit creation inside concurrent
    transactions can fail with 'namespace already in use'."""
    await database[OUTBOX].create_indexes(
        [
            IndexModel([("status", ASCENDING), ("next_attempt_at", ASCENDING)]),
            IndexModel(
                [("published_at", ASCENDING)],
                expireAfterSeconds=PUBLISHED_OUTBOX_RETENTION_SECONDS,
            ),
        ]
    )
    await database[INBOX].create_indexes(
        [IndexModel([("received_at", ASCENDING)], expireAfterSeconds=INBOX_RETENTION_SECONDS)]
    )
