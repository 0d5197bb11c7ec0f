"""What the mail and webhook dispatchers share: take the deliveries this process's transactions
queued (born leased to it, handed over after commit) and claim due ones a batch at a time,
deliver each and mark it sent at once (a crash repeats at most the one in flight), retry with
backoff, and once the budget is spent mark it failed and alert operators."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from services.notifications.adapters.failed_deliveries import FailedDeliveries
from shared.logging import get_logger
from shared.storage.leases import FAILED, PENDING, LeasedQueue, utcnow
from shared.storage.mongo import Document
from shared.workers import HandOverWorker

SENT = "sent"
CANCELLED = "cancelled"


class DeliveryCancelled(Exception):
    """There is nobody to deliver to any more (a webhook subscription was removed)."""


class DeliveryWorker(HandOverWorker):
    channel = "delivery"  # the prefix of its log events: mail.sent, webhook.send_failed, …
    batch_size = 10
    # Whether one failure makes the rest of the batch wait: one SMTP server serves every mail,
    # while each webhook has a receiver of its own.
    failure_stops_the_batch = False
    # A handed-over delivery whose lease ends sooner is left to the poll: another replica may
    # claim it once the lease ends, and two must never deliver it.
    lease_margin = timedelta(seconds=5)

    def __init__(
        self,
        queue: LeasedQueue,
        poll_seconds: float,
        on_failed: Callable[[], None] = lambda: None,
        failures: FailedDeliveries | None = None,
    ) -> None:
        self._failures = failures  # marks the last failure and alerts operators (outbox)
        self._on_failed = on_failed  # counts etwinning_deliveries_failed_total{channel}
        self._log = get_logger(type(self).__module__)  # named after the concrete dispatcher
        super().__init__(queue, poll_seconds)

    @abstractmethod
    async def deliver(self, delivery: Document) -> dict[str, Any]:
        """Deliver, or raise; returns the fields to record with the sent status."""

    @abstractmethod
    def log_fields(self, delivery: Document) -> dict[str, Any]: ...

    async def prepare(self, batch: list[Document]) -> None:
        """Read at once what the whole batch needs, instead of once per delivery."""

    async def work_once(self) -> int:
        return await self.send_pending()

    async def send_pending(self) -> int:
        """Deliver what was handed over, then what is due in the collection."""
        sent = 0
        while batch := self.take_handed_over(self.batch_size, self.lease_margin):
            count, stopped = await self._send_batch(batch)
            sent += count
            if stopped:
                return sent
        while batch := await self._queue.claim_batch(self.batch_size):
            count, stopped = await self._send_batch(batch)
            sent += count
            if stopped or len(batch) < self.batch_size:
                break  # nothing more was due: no extra query to find that out
        return sent

    async def _send_batch(self, batch: list[Document]) -> tuple[int, bool]:
        """(how many were sent, whether a failure stopped the batch and gave the rest back)"""
        await self.prepare(batch)
        sent = 0
        for position, delivery in enumerate(batch):
            status = await self._attempt(delivery)
            sent += status == SENT
            if status == PENDING and self.failure_stops_the_batch:
                # The server is likely down: give the rest back, wait for the poll.
                await self.give_back(batch[position + 1 :])
                return sent, True
        return sent, False

    async def _attempt(self, delivery: Document) -> str:
        """The delivery's status after this attempt."""
        fields = self.log_fields(delivery)
        try:
            recorded = await self.deliver(delivery)
        except DeliveryCancelled:
            await self._queue.complete(delivery, CANCELLED)
            return CANCELLED
        except Exception as error:
            status = await self._retry_or_fail(delivery, f"{type(error).__name__}: {error}")
            self._log.warning(
                f"{self.channel}.send_failed", error=repr(error), status=status, **fields
            )
            if status == FAILED:
                # Operators' alert: the retry budget is spent (visible in the API too).
                self._log.error(f"{self.channel}.delivery_failed", error=repr(error), **fields)
                self._on_failed()
            return status
        # The wall clock: when the SMTP server took the mail, whatever time the rules read.
        await self._queue.complete(delivery, SENT, sent_at=utcnow(), **recorded)
        self._log.info(f"{self.channel}.sent", **recorded, **fields)
        return SENT

    async def _retry_or_fail(self, delivery: Document, error: str) -> str:
        if self._failures is not None and self._failures.budget_spent(delivery):
            return FAILED if await self._failures.mark_failed(delivery, error) else "lost"
        return await self._queue.retry_later(delivery, error)
