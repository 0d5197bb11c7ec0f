"""Background workers that poll a queue of work kept in the database (the outbox, mail and
webhook deliveries, digests): one loop, one way to start, stop and wake them."""

from __future__ import annotations

import asyncio
import contextlib
from abc import ABC, abstractmethod

from shared.logging import get_logger

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
