"""The clock a composition root passes down: the system one, the one tests set, and the
portal reading its pages' year from it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from services.portal.bootstrap import build_app
from services.portal.web.nso import current_year
from shared.clock import Clock, SettableClock, SystemClock

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_a_settable_clock_stands_still_until_set_or_advanced() -> None:
    clock: Clock = SettableClock(MONDAY)
    assert clock.now() == clock.now() == MONDAY
    assert isinstance(clock, SettableClock)
    clock.advance(timedelta(days=1, hours=2))
    assert clock.now() == datetime(2026, 3, 3, 11, 0, tzinfo=UTC)
    clock.set(datetime(2027, 9, 1, tzinfo=UTC))
    assert clock.now() == datetime(2027, 9, 1, tzinfo=UTC)


def test_a_clock_refuses_a_time_without_a_timezone() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        SettableClock(datetime(2026, 3, 2, 9, 0))
    clock = SettableClock(MONDAY)
    with pytest.raises(ValueError, match="timezone-aware"):
        clock.set(datetime(2026, 3, 2, 9, 0))
    assert clock.now() == MONDAY


def test_the_system_clock_reads_the_machine_time_in_utc() -> None:
    before = datetime.now(UTC)
    now = SystemClock().now()
    assert now.tzinfo is not None and now.utcoffset() == timedelta(0)
    assert before <= now <= datetime.now(UTC)


def test_the_portal_reads_the_current_year_from_the_clock_it_was_built_with() -> None:
    # The label year is the school year's (September on counts for the next year's round).
    clock = SettableClock(datetime(2031, 8, 31, 23, 59, tzinfo=UTC))
    request: Any = SimpleNamespace(app=build_app(clock=clock))
    assert current_year(request) == 2031
    clock.advance(timedelta(minutes=1))
    assert current_year(request) == 2032
