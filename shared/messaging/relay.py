"""The outbox relay: publishes committed events, marks them published, retries the rest.

At-least-once: a relay that dies after publishing but before marking leaves a lease that
expires; the event is published again with the same message_id, and the consumers' inbox
absorbs the duplicate.
"""

from __future__ import annotations

from enum import Enum

from aiormq.exceptions import PublishError

from shared.faults import fault_point
from shared.logging import get_logger
from shared.messaging.publisher import EventPublisher
from shared.metrics import ServiceMetrics
from shared.storage.leases import PENDING, LeasedQueue, utcnow
from shared.storage.mongo import Document
from shared.storage.outbox import PUBLISHED, envelope_of
from shared.workers import PollingWorker

log = get_logger(__name__)


class _Outcome(Enum):
    PUBLISHED = "published"
    RETRY_LATER = "retry_later"
    UNROUTABLE = "unroutable"  # returned: no queue for this event type; the broker is fine
    GAVE_UP = "gave_up"  # marked failed after its last attempt: an operator's matter now


class OutboxRelay(PollingWorker):
    """Woken after every commit that emitted events, so they go out without waiting."""

    name = "outbox-relay"

    def __init__(
        self,
        queue: LeasedQueue,
        publisher: EventPublisher,
        poll_seconds: float,
        metrics: ServiceMetrics | None = None,
        batch_size: int = 100,
    ) -> None:
        self._metrics = metrics or ServiceMetrics()
        self._batch_size = batch_size
        self._queue = queue
        self._publisher = publisher
        super().__init__(poll_seconds)

    async def work_once(self) -> int:
        return await self.publish_pending()

    async def publish_pending(self) -> int:
        """Publish everything claimable now; returns how many were published.

        Entries are claimed and marked in batches (a few round trips per batch), and
        published one by one in commit order, each confirmed by the broker before the next.
        """
        published = 0
        while batch := await self._queue.claim_batch(self._batch_size):
            done: list[Document] = []
            try:
                for position, entry in enumerate(batch):
                    outcome = await self._publish(entry)
                    if outcome is _Outcome.PUBLISHED:
                        done.append(entry)
                    elif outcome is _Outcome.RETRY_LATER:
                        # The broker is likely down: back off; the rest keep their order.
                        await self._queue.release_many(batch[position + 1 :])
                        return published + len(done)
            finally:
                await self._queue.complete_many(done, PUBLISHED, published_at=utcnow())
            published += len(done)
        return published

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
