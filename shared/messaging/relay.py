"""The outbox relay: publishes committed events, marks them published, retries the rest.

Entries are written already leased to the relay of the process that commits them and handed
to it after the commit, so the usual path costs no polling, and published entries are marked
together at most `mark_delay_seconds` later (or once `mark_batch` of them wait): one round trip
for all the events published in that time. Polling remains for what the hand-over misses:
entries of a process that died before publishing (their lease runs out), and retries after a
failure.

At-least-once: a relay that dies after publishing but before marking leaves a lease that
expires; the event is published again with the same message_id, and the consumers' inbox
absorbs the duplicate. The mark delay bounds how many events a crash publishes twice.
"""

from __future__ import annotations

import time
from enum import Enum

from aiormq.exceptions import PublishError

from shared.faults import fault_point
from shared.logging import get_logger
from shared.messaging.publisher import EventPublisher
from shared.metrics import ServiceMetrics
from shared.storage.leases import PENDING, LeasedQueue, utcnow
from shared.storage.mongo import Document
from shared.storage.outbox import PUBLISHED, envelope_of
from shared.workers import HandOverWorker

log = get_logger(__name__)


class _Outcome(Enum):
    PUBLISHED = "published"
    RETRY_LATER = "retry_later"
    UNROUTABLE = "unroutable"  # returned: no queue for this event type; the broker is fine
    GAVE_UP = "gave_up"  # marked failed after its last attempt: an operator's matter now


class OutboxRelay(HandOverWorker):
    """Handed the entries of every commit that emitted events, so they go out at once."""

    name = "outbox-relay"

    def __init__(
        self,
        queue: LeasedQueue,
        publisher: EventPublisher,
        poll_seconds: float,
        metrics: ServiceMetrics | None = None,
        batch_size: int = 100,
        mark_delay_seconds: float = 0.0,
        mark_batch: int = 500,
    ) -> None:
        self._metrics = metrics or ServiceMetrics()
        self._batch_size = batch_size
        self._publisher = publisher
        self._next_poll_at = 0.0  # the first round polls
        self._unmarked: list[Document] = []  # published, not yet marked so in the database
        self._mark_due_at = 0.0
        self._mark_delay = mark_delay_seconds
        self._mark_batch = mark_batch
        super().__init__(queue, poll_seconds)

    async def work_once(self) -> int:
        published = await self.publish_pending()
        await self.mark_published(due_only=True)
        return published

    def seconds_until_next_round(self) -> float:
        if not self._unmarked:
            return super().seconds_until_next_round()
        until_marking = max(self._mark_due_at - time.monotonic(), 0.0)
        return min(until_marking, super().seconds_until_next_round())

    async def settle(self) -> None:
        """Published entries are marked (the next start must not publish them again), then
        those not published yet are given back."""
        try:
            await self.mark_published()
        except Exception as error:  # the database away: they are published again, same id
            log.warning("outbox.mark_failed", entries=len(self._unmarked), error=repr(error))
        await super().settle()

    async def mark_published(self, *, due_only: bool = False) -> int:
        """Mark what was published; with `due_only`, only once the oldest has waited the mark
        delay or a full batch waits. Returns how many were marked."""
        if not self._unmarked:
            return 0
        if (
            due_only
            and len(self._unmarked) < self._mark_batch
            and time.monotonic() < self._mark_due_at
        ):
            return 0
        entries, self._unmarked = self._unmarked, []
        try:
            await self._queue.complete_many(entries, PUBLISHED, published_at=utcnow())
        except Exception:
            self._unmarked[:0] = entries  # tried again next round; their lease still holds
            raise
        return len(entries)

    def _published(self, entries: list[Document]) -> None:
        if entries and not self._unmarked:
            self._mark_due_at = time.monotonic() + self._mark_delay
        self._unmarked.extend(entries)

    async def publish_pending(self) -> int:
        """Publish what was handed over, then everything claimable now; returns how many
        were published.

        Entries are published one by one in commit order, each confirmed by the broker
        before the next; marking them published is left to `mark_published`.
        """
        published = 0
        while batch := self.take_handed_over():
            count, stopped = await self._publish_batch(batch)
            published += count
            if stopped:
                return published
        if time.monotonic() < self._next_poll_at:
            return published  # woken for a hand-over: no query for what nobody left behind
        self._next_poll_at = time.monotonic() + self._poll_seconds
        while batch := await self._queue.claim_batch(self._batch_size):
            count, stopped = await self._publish_batch(batch)
            published += count
            if stopped:
                break
        return published

    async def _publish_batch(self, batch: list[Document]) -> tuple[int, bool]:
        """(how many were published, whether the broker failed and the rest was released)"""
        done: list[Document] = []
        try:
            for position, entry in enumerate(batch):
                outcome = await self._publish(entry)
                if outcome is _Outcome.PUBLISHED:
                    done.append(entry)
                elif outcome is _Outcome.RETRY_LATER:
                    # The broker is likely down: back off; the rest keep their order.
                    await self._queue.release_many(batch[position + 1 :])
                    return len(done), True
        finally:
            self._published(done)
        return len(done), False

    async def _publish(self, entry: Document) -> _Outcome:
        envelope = envelope_of(entry)
        ids = {
            "event_id": str(envelope.event_id),
            "event_type": envelope.event_type,
            "correlation_id": envelope.correlation_id,
        }
        try:
            await fault_point("relay.before_publish", ids["event_id"])
            await self._publisher.publish(envelope)
        except Exception as error:
            # A returned message means no queue is bound for this event type (a missing
            # topology): it waits with its own backoff while the events behind it still go
            # out. Anything else is the broker's trouble: the whole batch waits.
            unroutable = isinstance(error, PublishError)
            status = await self._queue.retry_later(entry, f"{type(error).__name__}: {error}")
            log.error(
                "outbox.publish_failed", attempts=entry["attempts"], status=status,
                unroutable=unroutable, error=repr(error), **ids,
            )  # fmt: skip
            if unroutable:
                return _Outcome.UNROUTABLE
            return _Outcome.RETRY_LATER if status == PENDING else _Outcome.GAVE_UP
        self._metrics.published.labels(envelope.event_type).inc()
        log.info("outbox.published", **ids)
        await fault_point("relay.after_publish", ids["event_id"])
        return _Outcome.PUBLISHED
