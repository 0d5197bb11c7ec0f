"""Unit of work on a MongoDB transaction: business writes, the inbox record of the message
being handled and the outbox entries of the events emitted all commit together or not at all.

The inbox record, the outbox entries and whatever blind writes the use case queued
(`Transaction.defer`) go to the database together just before the commit: a consumed event
usually costs its reads, that one write and the commit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from contextlib import nullcontext
from datetime import UTC, datetime
from typing import Protocol, TypeVar

from pymongo import AsyncMongoClient, WriteConcern, timeout
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from shared.context import current_causation_id, current_correlation_id
from shared.envelope import EventEnvelope
from shared.events.base import EventPayload
from shared.storage.deferred import (
    DeferredWriteFailed,
    DeferredWrites,
    Write,
    insert,
    insert_if_absent,
    supports_client_bulk_write,
)
from shared.storage.mongo import INBOX, OUTBOX, Document
from shared.storage.outbox import outbox_document

T = TypeVar("T")
DUPLICATE_KEY = 11000


class AlreadyProcessed(Exception):
    """The inbox already holds this (consumer, event_id): the effect exists; do nothing."""


class HandOver(Protocol):
    """A worker of this process as the unit of work sees it (the outbox relay, a delivery
    dispatcher): what a transaction queues for it is written already leased to it and handed
    to it once committed, so it is worked at once without being polled for."""

    def born_leased(self) -> Document: ...

    def committed(self, documents: list[Document]) -> None: ...


class Transaction:
    """What a use case sees while its transaction is open."""

    def __init__(
        self,
        database: AsyncDatabase[Document],
        session: AsyncClientSession | None,
        producer: str,
        deferred: DeferredWrites,
        workers: Mapping[str, HandOver] | None = None,
    ) -> None:
        self.database = database
        self.session = session
        self._producer = producer
        self._deferred = deferred
        self._workers = workers or {}
        self.emitted: list[EventEnvelope] = []
        self.handed_over: dict[str, list[Document]] = {}

    def enqueue(self, collection: str, document: Document) -> None:
        """Queue `document` as work in `collection` (a mail delivery), unless one with its id
        exists, which is left as it is (a delivery already sent keeps its status). With a
        worker of this process for that collection, the document is born leased to it and
        handed to it after commit, if this transaction inserted it."""
        worker = self._workers.get(collection)
        if worker is None:
            self.defer(insert_if_absent(collection, document))
            return
        leased = document | worker.born_leased()
        inserted = self.handed_over.setdefault(collection, [])
        self.defer(insert_if_absent(collection, leased, lambda: inserted.append(leased)))

    def collection(self, name: str) -> AsyncCollection[Document]:
        return self.database[name]

    def defer(self, *writes: Write) -> int:
        """Queue blind writes, sent with the outbox just before commit; returns the position
        of the first. Nothing in this transaction may read them back: they are not there yet."""
        return self._deferred.add(*writes)

    async def emit(self, payload: EventPayload) -> EventEnvelope:
        envelope = EventEnvelope(
            event_type=payload.event_type,
            event_version=payload.event_version,
            producer=self._producer,
            correlation_id=current_correlation_id(),
            causation_id=current_causation_id(),
            aggregate_id=payload.aggregate_id(),
            payload=payload.model_dump(mode="json"),
        )
        self.emitted.append(envelope)
        return envelope

    async def finish(self) -> None:
        """Queue the outbox entries of everything emitted and send all that is queued."""
        relay = self._workers.get(OUTBOX)
        lease = relay.born_leased() if relay is not None and self.emitted else {}
        entries = [outbox_document(envelope) | lease for envelope in self.emitted]
        self._deferred.add(*(insert(OUTBOX, entry) for entry in entries))
        await self._deferred.flush()
        if relay is not None and entries:  # an insert that did not fail inserted
            self.handed_over[OUTBOX] = entries


Work = Callable[[Transaction], Awaitable[T]]

# What the attempt that committed leaves for the workers of this process, by collection.
HandedOver = dict[str, list[Document]]


class UnitOfWork:
    def __init__(
        self,
        client: AsyncMongoClient[Document],
        database: AsyncDatabase[Document],
        producer: str,
        outbox: HandOver | None = None,
        timeout_seconds: float | None = None,
        client_bulk_write: bool | None = None,
    ) -> None:
        """`client_bulk_write`: send queued writes in one cross-collection bulkWrite (True), in
        one bulk write per collection (False), or whichever the server supports (None)."""
        self._client = client
        self.database = database
        self._producer = producer
        self._timeout_seconds = timeout_seconds
        self._workers: dict[str, HandOver] = {} if outbox is None else {OUTBOX: outbox}
        self._client_bulk_write = client_bulk_write

    def hand_over(self, collection: str, worker: HandOver) -> None:
        """What transactions enqueue in `collection` is born leased to `worker` and handed to
        it after commit: it starts at once, with no claim query, and is not woken by
        transactions that queued nothing for it."""
        self._workers[collection] = worker

    async def run(
        self, work: Work[T], *, inbox: tuple[str, str] | None = None, atomic: bool = True
    ) -> T:
        """Run `work` in a transaction. With `inbox=(consumer, event_id)`, the transaction also
        records the message; a second run for the same pair raises AlreadyProcessed.

        `atomic=False` is for work whose every write is queued (`Transaction.defer`, `enqueue`)
        and idempotent (an upsert keyed by the message) and which emits no event: it runs
        without a transaction, its writes sent in order with the inbox record last. A failure
        part-way leaves no inbox record, so the message's redelivery writes again what is
        missing; a duplicate rewrites nothing and stops at the inbox record. It saves the
        commit, and the server's transaction bookkeeping."""
        done: HandedOver = {}
        # with_transaction alone retries for up to 120 s while the database is away: a
        # timeout hands such a failure to the consumer's retry policy sooner.
        deadline = (
            nullcontext() if self._timeout_seconds is None else timeout(self._timeout_seconds)
        )
        try:
            with deadline:
                if atomic:
                    result = await self._in_transaction(work, inbox, done)
                else:
                    result = await self._attempt(None, work, inbox, done)
        except (AlreadyProcessed, PyMongoError):
            raise
        except Exception as error:
            # The use case refused (a rule, a state already changed): if only because this
            # message was handled before, that is a duplicate, not a failure.
            if inbox is not None and await self._in_inbox(*inbox):
                raise AlreadyProcessed(_inbox_id(*inbox)) from error
            raise
        for collection, documents in done.items():
            if documents:
                self._workers[collection].committed(documents)
        return result

    async def _in_transaction(
        self, work: Work[T], inbox: tuple[str, str] | None, done: HandedOver
    ) -> T:
        async with self._client.start_session() as session:
            # with_transaction retries the whole attempt on transient transaction errors, so
            # `work` does database writes only: no publishing, no mail.
            result: T = await session.with_transaction(
                lambda session: self._attempt(session, work, inbox, done),
                write_concern=WriteConcern("majority"),
            )
        return result

    async def _attempt(
        self,
        session: AsyncClientSession | None,
        work: Work[T],
        inbox: tuple[str, str] | None,
        done: HandedOver,
    ) -> T:
        deferred = DeferredWrites(self._client, self.database, session, self._one_command())
        transaction = Transaction(self.database, session, self._producer, deferred, self._workers)
        record = insert(INBOX, _inbox_record(*inbox)) if inbox is not None else None
        inbox_position = -1
        if record is not None and session is not None:
            # First in the batch: a message handled before stops it at its first write.
            inbox_position = transaction.defer(record)
        result = await work(transaction)
        if session is None:
            if transaction.emitted:
                raise RuntimeError("work without a transaction cannot emit events")
            if record is not None:  # last: it says every write before it was made
                inbox_position = transaction.defer(record)
        try:
            await transaction.finish()
        except DeferredWriteFailed as refused:
            if inbox and refused.position == inbox_position and refused.code == DUPLICATE_KEY:
                raise AlreadyProcessed(_inbox_id(*inbox)) from refused
            raise
        done.clear()  # only the attempt that commits hands anything over
        done.update(transaction.handed_over)
        return result

    def _one_command(self) -> bool:
        if self._client_bulk_write is None and supports_client_bulk_write(self._client):
            self._client_bulk_write = True  # servers are not downgraded under a running client
        return bool(self._client_bulk_write)

    async def _in_inbox(self, consumer: str, event_id: str) -> bool:
        try:
            found = await self.database[INBOX].find_one(
                {"_id": _inbox_id(consumer, event_id)}, projection={"_id": 1}
            )
        except PyMongoError:
            return False
        return found is not None


def _inbox_id(consumer: str, event_id: str) -> str:
    return f"{consumer}:{event_id}"


def _inbox_record(consumer: str, event_id: str) -> Document:
    return {
        "_id": _inbox_id(consumer, event_id),
        "consumer": consumer,
        "event_id": event_id,
        "received_at": datetime.now(UTC),
    }
