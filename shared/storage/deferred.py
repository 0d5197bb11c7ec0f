"""Blind writes a transaction queues and sends together just before it commits.

A handler's writes whose result it does not need (the inbox record, the outbox entries, a
read model's upsert, the deliveries an event queues) cost one round trip each when sent as
they come. Queued, they go in one `bulkWrite` command across collections (MongoDB 8.0+), or,
on an older server, in one bulk write per collection.

A queued write is not visible to the transaction's own reads until it is flushed: queue only
what nothing later in the same transaction reads back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, ClientBulkWriteException, PyMongoError
from pymongo.operations import InsertOne, ReplaceOne, UpdateOne

from shared.storage.mongo import Document

WriteModel = InsertOne[Document] | UpdateOne | ReplaceOne[Document]
# The first wire version of MongoDB 8.0, which brought the cross-collection bulkWrite command.
CLIENT_BULK_WRITE_WIRE_VERSION = 25


@dataclass(frozen=True)
class Write:
    """One write to queue; `model` builds it for a namespace (the client-wide bulkWrite) or
    for none (a collection's own bulk write). With `unmatched`, an update or replacement that
    matches no document raises it (a version check that found the document changed)."""

    collection: str
    model: Callable[[str | None], WriteModel]
    unmatched: Exception | None = None
    # called once the write is sent, if it was an upsert that inserted
    on_inserted: Callable[[], None] | None = None


def insert(collection: str, document: Document) -> Write:
    return Write(collection, lambda namespace: InsertOne(document, namespace=namespace))


def upsert(collection: str, filter: Document, update: Document) -> Write:
    return Write(
        collection, lambda namespace: UpdateOne(filter, update, upsert=True, namespace=namespace)
    )


def insert_if_absent(
    collection: str, document: Document, on_inserted: Callable[[], None] | None = None
) -> Write:
    """Insert unless a document with its `_id` exists, which is left as it is; `on_inserted`
    is called if it was inserted."""
    filter, update = {"_id": document["_id"]}, {"$setOnInsert": document}
    return Write(
        collection,
        lambda namespace: UpdateOne(filter, update, upsert=True, namespace=namespace),
        on_inserted=on_inserted,
    )


def replace(collection: str, document: Document) -> Write:
    """Insert, or replace the document with the same `_id`."""
    return Write(
        collection,
        lambda namespace: ReplaceOne(
            {"_id": document["_id"]}, document, upsert=True, namespace=namespace
        ),
    )


def replace_matching(
    collection: str, filter: Document, replacement: Document, unmatched: Exception
) -> Write:
    """Replace the one document `filter` matches; none matching raises `unmatched`."""
    return Write(
        collection,
        lambda namespace: ReplaceOne(filter, replacement, namespace=namespace),
        unmatched,
    )


class DeferredWriteFailed(PyMongoError):
    """A queued write was refused (a duplicate key, a validation error): `position` is its
    place among the writes queued, `code` the server's error code."""

    def __init__(self, position: int, code: int | None, message: str) -> None:
        super().__init__(f"queued write {position} failed ({code}): {message}")
        self.position = position
        self.code = code
        self.message = message

    def at(self, position: int) -> DeferredWriteFailed:
        return DeferredWriteFailed(position, self.code, self.message)


def supports_client_bulk_write(client: AsyncMongoClient[Document]) -> bool:
    """Whether the servers the client has reached are all MongoDB 8.0 or newer (False while
    it has reached none)."""
    servers = [
        server
        for server in client.topology_description.known_servers
        if server.is_writable or server.is_readable
    ]
    return bool(servers) and all(
        server.max_wire_version >= CLIENT_BULK_WRITE_WIRE_VERSION for server in servers
    )


class DeferredWrites:
    def __init__(
        self,
        client: AsyncMongoClient[Document],
        database: AsyncDatabase[Document],
        session: AsyncClientSession | None,
        one_command: bool,
    ) -> None:
        self._client = client
        self._database = database
        self._session = session
        self._one_command = one_command
        self._queued: list[Write] = []

    def add(self, *writes: Write) -> int:
        """Queue `writes`; returns the position of the first."""
        self._queued.extend(writes)
        return len(self._queued) - len(writes)

    async def flush(self) -> None:
        """Send what is queued, in order; the first refused write stops the rest and raises
        DeferredWriteFailed. Errors the transaction may retry (a write conflict, a lost
        connection) are raised as they are, labels intact."""
        queued, self._queued = self._queued, []
        if not queued:
            return
        if self._one_command:
            await self._in_one_command(queued)
        else:
            await self._per_collection(queued)

    async def _in_one_command(self, queued: list[Write]) -> None:
        prefix = f"{self._database.name}."
        models = [write.model(prefix + write.collection) for write in queued]
        checked = [(position, w.unmatched) for position, w in enumerate(queued) if w.unmatched]
        watched = [(position, w.on_inserted) for position, w in enumerate(queued) if w.on_inserted]
        try:
            result = await self._client.bulk_write(
                models,
                session=self._session,
                ordered=True,
                verbose_results=bool(checked or watched),
            )
        except ClientBulkWriteException as failure:
            # PyMongo keeps a command-level error (WriteConflict and its
            # TransientTransactionError label) inside the bulk exception, where
            # with_transaction does not look for it: raise it as the server gave it.
            if isinstance(failure.error, PyMongoError):
                raise failure.error from failure
            raise _first_refusal(failure.details.get("writeErrors", [])) from failure
        for position, unmatched in checked:
            if result.update_results[position].matched_count != 1:
                raise unmatched
        for position, on_inserted in watched:
            if result.update_results[position].upserted_id is not None:
                on_inserted()

    async def _per_collection(self, queued: list[Write]) -> None:
        """One bulk write per collection, in the order collections were first written
        (interleaved writes would otherwise cost a round trip per switch). Inside one
        transaction the order between collections does not matter; without one, what is
        queued last (the inbox record) is still written last."""
        by_collection: dict[str, list[tuple[int, Write]]] = {}
        for position, write in enumerate(queued):
            by_collection.setdefault(write.collection, []).append((position, write))
        for collection, writes in by_collection.items():
            # a write whose match is checked goes alone: a bulk result only counts matches
            checked = [[one] for one in writes if one[1].unmatched]
            unchecked = [one for one in writes if not one[1].unmatched]
            for run in ([unchecked] if unchecked else []) + checked:
                await self._bulk_write(collection, run)

    async def _bulk_write(self, collection: str, writes: list[tuple[int, Write]]) -> None:
        try:
            result = await self._database[collection].bulk_write(
                [write.model(None) for _, write in writes], session=self._session, ordered=True
            )
        except BulkWriteError as failure:
            refused = _first_refusal(failure.details.get("writeErrors", []))
            raise refused.at(writes[refused.position][0]) from failure
        unmatched = writes[0][1].unmatched
        if unmatched is not None and result.matched_count != 1:
            raise unmatched
        for index in result.upserted_ids or {}:
            if (on_inserted := writes[index][1].on_inserted) is not None:
                on_inserted()


def _first_refusal(errors: Sequence[Mapping[str, Any]]) -> DeferredWriteFailed:
    if not errors:
        return DeferredWriteFailed(0, None, "the bulk write failed without a write error")
    first = min(errors, key=lambda error: error.get("idx", error.get("index", 0)))
    position = int(first.get("idx", first.get("index", 0)))
    return DeferredWriteFailed(position, first.get("code"), str(first.get("errmsg", "")))
