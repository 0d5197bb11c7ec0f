"""The one source of the current time a service reads, given by its composition root: tests
pass a fixed clock to try windows, school years and release periods at chosen dates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def fixed_clock(moment: datetime) -> Clock:
    return lambda: moment
