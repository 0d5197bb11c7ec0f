"""The time a service reads. Its composition root makes one clock and passes it down to the
routes, use cases and event handlers that stamp times; tests give a `SettableClock` instead,
so a use case's "now" is whatever the test says (a school year, an application window)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...


class SystemClock:
    """The machine's clock: what every service runs on outside tests."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class SettableClock:
    """Stands still at the time it was given until a test sets or advances it."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("a clock's time must be timezone-aware")
        self._at = at

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("a clock's time must be timezone-aware")
        self._at = at

    def advance(self, by: timedelta) -> None:
        self._at += by
