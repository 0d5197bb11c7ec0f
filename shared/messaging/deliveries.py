"""Which deliveries a consumer holds, and whether it still makes progress with them.

A delivery is held from the moment the consumer receives it until it is acked, rejected or
dead-lettered. A consumer that holds deliveries and settles none of them for longer than a
bound is stalled: a handler that never returns, or a delivery some path left unsettled (the
broker sends nothing more once a prefetch's worth are held). Readiness reports it, so an
orchestrator restarts the process and the broker hands the held deliveries to a replica.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class HeldDeliveries:
    stall_after_seconds: float
    clock: Callable[[], float] = time.monotonic
    # id of the delivery -> (the delivery, when it was received); the delivery itself is kept
    # so that its id is not reused while it is held.
    _held: dict[int, tuple[Any, float]] = field(default_factory=dict)
    _last_progress_at: float | None = None

    def received(self, delivery: Any) -> None:
        self._held[id(delivery)] = (delivery, self.clock())

    def settled(self, delivery: Any) -> None:
        self._held.pop(id(delivery), None)
        self._last_progress_at = self.clock()

    @property
    def count(self) -> int:
        return len(self._held)

    def seconds_without_progress(self) -> float:
        """0 while nothing is held; else the time since the later of the last settlement and
        the oldest held delivery's arrival (a quiet consumer that just got work is not late)."""
        if not self._held:
            return 0.0
        oldest = min(received_at for _, received_at in self._held.values())
        since = oldest if self._last_progress_at is None else max(oldest, self._last_progress_at)
        return max(self.clock() - since, 0.0)

    def stalled(self) -> bool:
        return self.seconds_without_progress() > self.stall_after_seconds
