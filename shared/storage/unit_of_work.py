"""Unit of work on a MongoDB transaction: business writes, the inbox record of the message
being handled and the outbox entries of the events emitted all commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import nullcontext
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from pymongo import AsyncMongoClient, WriteConcern, timeout
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.context import current_causation_id, current_correlation_id
from shared.envelope import EventEnvelope
from shared.events.base import EventPayload
from shared.storage.mongo import INBOX, OUTBOX, Document
from shared.storage.outbox import outbox_document

T = TypeVar("T")


class AlreadyProcessed(Exception):
    """The inbox already holds this (consumer, event_id): the effect exists; do nothing."""


class OutboxHandOver(Protocol):
    """The outbox relay, as the unit of work sees it: entries are written already leased to it,
    and handed to it once committed, so they are published without being polled for."""

    def born_leased(self) -> Document: ...

    def committed(self, entries: list[Document]) -> None: ...


class Transaction:
    """What a use case sees while its transaction is open."""

    def __init__(
        self,
        database: AsyncDatabase[Document],
        session: AsyncClientSession,
        producer: str,
        outbox_lease: Document | None = None,
    ) -> None:
        self.database = database
        self.session = session
        self._producer = producer
        self._outbox_lease = outbox_lease or {}
        self.emitted: list[EventEnvelope] = []
        self.outbox_entries: list[Document] = []
        self.signals: set[str] = set()

    def signal(self, name: str) -> None:
        """Say that this transaction queued work of kind `name` (a mail delivery): the
        listeners of that signal are called once it commits."""
        self.signals.add(name)

    def collection(self, name: str) -> AsyncCollection[Document]:
        return self.database[name]

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

    async def write_outbox(self) -> None:
        """The outbox entries of everything emitted, in one round trip, just before commit
        (one insert per event made a handler that emits n events pay n round trips)."""
        if self.emitted:
            self.outbox_entries = [
                outbox_document(envelope) | self._outbox_lease for envelope in self.emitted
            ]
            await self.database[OUTBOX].insert_many(self.outbox_entries, session=self.session)


Work = Callable[[Transaction], Awaitable[T]]


class UnitOfWork:
    def __init__(
        self,
        client: AsyncMongoClient[Document],
        database: AsyncDatabase[Document],
        producer: str,
        outbox: OutboxHandOver | None = None,
        timeout_seconds: float | None = None,
    ) -> None:
        self._client = client
        self.database = database
        self._producer = producer
        self._outbox = outbox
        self._timeout_seconds = timeout_seconds
        self._commit_listeners: list[tuple[str, Callable[[], None]]] = []

    def on_commit(self, signal: str, listener: Callable[[], None]) -> None:
        """`listener` runs after every committed transaction that raised `signal`: a worker
        that polls for work a transaction queued (a mail delivery) starts at once instead of
        at its next poll, and is not woken by transactions that queued nothing for it."""
        self._commit_listeners.append((signal, listener))

    async def run(self, work: Work[T], *, inbox: tuple[str, str] | None = None) -> T:
        """Run `work` in a transaction. With `inbox=(consumer, event_id)`, the transaction also
        records the message; a second run for the same pair raises AlreadyProcessed."""
        committed_entries: list[Document] = []
        committed_signals: set[str] = set()

        async def attempt(session: AsyncClientSession) -> T:
            lease = self._outbox.born_leased() if self._outbox is not None else None
            transaction = Transaction(self.database, session, self._producer, lease)
            if inbox is not None:
                await _record_in_inbox(self.database, session, *inbox)
            result = await work(transaction)
            await transaction.write_outbox()
            committed_entries[:] = transaction.outbox_entries  # the attempt that commits
            committed_signals.clear()
            committed_signals.update(transaction.signals)
            return result

        # with_transaction alone retries for up to 120 s while the database is away: a
        # timeout hands such a failure to the consumer's retry policy sooner.
        deadline = (
            nullcontext() if self._timeout_seconds is None else timeout(self._timeout_seconds)
        )
        with deadline:
            async with self._client.start_session() as session:
                # with_transaction retries the whole attempt on transient transaction errors,
                # so `attempt` does database writes only: no publishing, no mail.
                result: T = await session.with_transaction(
                    attempt, write_concern=WriteConcern("majority")
                )
        if committed_entries and self._outbox is not None:
            self._outbox.committed(committed_entries)
        for signal, listener in self._commit_listeners:
            if signal in committed_signals:
                listener()
        return result


async def _record_in_inbox(
    database: AsyncDatabase[Document], session: AsyncClientSession, consumer: str, event_id: str
) -> None:
    record: dict[str, Any] = {
        "_id": f"{consumer}:{event_id}",
        "consumer": consumer,
        "event_id": event_id,
        "received_at": datetime.now(UTC),
    }
    try:
        await database[INBOX].insert_one(record, session=session)
    except DuplicateKeyError as duplicate:
        raise AlreadyProcessed(record["_id"]) from duplicate
