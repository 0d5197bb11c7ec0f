"""The consumer's held deliveries: when a consumer counts as stalled (readiness reads it)."""

from __future__ import annotations

from shared.errors import MalformedMessage
from shared.messaging.deliveries import HeldDeliveries
from shared.messaging.failures import MALFORMED, exception_type_of


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_consumer_holding_nothing_is_never_stalled() -> None:
    clock = Clock()
    held = HeldDeliveries(5, clock)
    clock.now += 1000

    assert (held.count, held.seconds_without_progress(), held.stalled()) == (0, 0.0, False)


def test_holding_a_delivery_past_the_bound_without_settling_any_is_a_stall() -> None:
    clock = Clock()
    held = HeldDeliveries(5, clock)
    delivery = object()
    held.received(delivery)
    clock.now += 5
    assert not held.stalled()
    clock.now += 0.5
    assert held.stalled() and held.count == 1

    held.settled(delivery)
    assert not held.stalled() and held.count == 0


def test_progress_with_other_deliveries_is_progress() -> None:
    clock = Clock()
    held = HeldDeliveries(5, clock)
    stuck, other = object(), object()
    held.received(stuck)
    clock.now += 4
    held.received(other)
    held.settled(other)
    clock.now += 4

    assert held.seconds_without_progress() == 4 and not held.stalled()
    clock.now += 2
    assert held.stalled(), "nothing settled for 6 s while one is held"


def test_a_quiet_consumer_that_just_got_work_is_not_late() -> None:
    clock = Clock()
    held = HeldDeliveries(5, clock)
    held.settled(object())  # long ago
    clock.now += 1000
    held.received(object())

    assert held.seconds_without_progress() == 0


def test_an_unreadable_body_names_the_exception_underneath() -> None:
    error = MalformedMessage("unreadable", reason=MALFORMED)
    error.__cause__ = RecursionError("deep")

    assert exception_type_of(error) == "RecursionError"
    assert exception_type_of(MalformedMessage("x", reason="invalid_json")) == "MalformedMessage"
