"""Background workers that poll a queue of work kept in the database (the outbox, mail and
webhook deliveries, digests): one loop, one way to start, stop and wake them."""

from __future__ import annotations

import asyncio
import contextlib
from abc import ABC, abstractmethod
from collections import deque
from datetime import timedelta

from shared.logging import get_logger
from shared.storage.leases import LeasedQueue, utcnow
from shared.storage.mongo import Document

log = get_logger(__name__)


class PollingWorker(ABC):
    """Does its work, then sleeps until woken or until the poll interval ends.

    A failing round (the database or a remote server away) is logged and tried again at the
    next round; only cancellation ends the loop.
    """

    name: str = "worker"

    def __init__(self, poll_seconds: float) -> None:
        self._poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @abstractmethod
    async def work_once(self) -> int:
        """Do what is due now; return how many items were handled."""

    def seconds_until_next_round(self) -> float:
        """How long to sleep unless woken: the poll interval, or less when work falls due
        sooner."""
        return self._poll_seconds

    def wake(self) -> None:
        """New work was committed: start the next round now instead of at the next poll."""
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def _run(self) -> None:
        while True:
            try:
                await self.work_once()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning(f"{self.name}.error", error=repr(error))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.seconds_until_next_round())
            self._wake.clear()


class HandOverWorker(PollingWorker):
    """Works a LeasedQueue, and is handed what its own process's transactions wrote for it
    (`UnitOfWork`'s hand-over): born leased to it, worked at once after commit without a claim
    query. Polling remains for retries and for what a dead process left behind."""

    # Beyond this many waiting (the broker or a server away for long), older ones are left to
    # their lease and the poll: memory stays bounded, nothing is lost.
    max_handed_over = 10_000

    def __init__(self, queue: LeasedQueue, poll_seconds: float) -> None:
        self._queue = queue
        self._handed_over: deque[Document] = deque(maxlen=self.max_handed_over)
        super().__init__(poll_seconds)

    def born_leased(self) -> Document:
        return self._queue.born_leased()

    def committed(self, documents: list[Document]) -> None:
        self._handed_over.extend(documents)
        self.wake()

    def take_handed_over(
        self, limit: int | None = None, lease_margin: timedelta | None = None
    ) -> list[Document]:
        """Up to `limit` handed-over documents, in commit order; with `lease_margin`, those
        whose lease ends sooner are dropped (left to the poll, so that no other replica that
        claims them once the lease ends works them at the same time)."""
        taken: list[Document] = []
        safe_until = utcnow() + lease_margin if lease_margin is not None else None
        while self._handed_over and (limit is None or len(taken) < limit):
            document = self._handed_over.popleft()
            if safe_until is None or document["lease_until"] > safe_until:
                taken.append(document)
        return taken

    async def give_back(self, documents: list[Document]) -> None:
        """Release `documents` and everything still handed over, untried, to any replica's
        poll now rather than when their lease runs out."""
        waiting = documents + list(self._handed_over)
        self._handed_over.clear()
        await self._queue.release_many(waiting)

    async def stop(self) -> None:
        await super().stop()
        await self.settle()

    async def settle(self) -> None:
        """Once the loop has ended: give back what was handed over and not worked."""
        try:
            await self.give_back([])
        except Exception as error:  # the database away: their lease runs out instead
            log.warning(f"{self.name}.release_failed", error=repr(error))
