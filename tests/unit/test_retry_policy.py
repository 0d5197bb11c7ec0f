"""The consumer failure policy: what is permanent, how long transient errors are retried."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError
from pymongo.errors import AutoReconnect

from shared.errors import (
    MalformedMessage,
    NotFound,
    PermanentError,
    Refused,
    TransientError,
    UnknownEvent,
    error_code,
)
from shared.messaging.failures import (
    RETRIES_EXHAUSTED,
    RetryPolicy,
    delivery_count,
    is_permanent,
    reason_of,
)

SAME_SCHOOL_FOUNDERS = error_code(
    "test_same_school_founders", 422, "Same school", "founders in one school", rule="R-PRJ-1"
)
TYPE_FIXED = error_code("test_type_fixed", 422, "Type fixed", "the type is fixed", rule="R-PRJ-2")


class Strict(BaseModel):
    count: int


def validation_error() -> ValidationError:
    try:
        Strict.model_validate({"count": "many"})
    except ValidationError as error:
        return error
    raise AssertionError("expected a ValidationError")


def message_with(headers: dict[str, Any] | None) -> Any:
    return SimpleNamespace(raw_message=SimpleNamespace(headers=headers))


@pytest.mark.parametrize(("attempt", "gives_up"), [(0, False), (1, False), (2, True), (5, True)])
def test_gives_up_once_the_attempt_budget_is_spent(attempt: int, gives_up: bool) -> None:
    policy = RetryPolicy(max_attempts=3, base_seconds=1, max_seconds=30)

    assert policy.gives_up_after(attempt) is gives_up


def test_a_budget_of_one_attempt_never_retries() -> None:
    assert RetryPolicy(max_attempts=1, base_seconds=1, max_seconds=30).gives_up_after(0)


@pytest.mark.parametrize(("attempt", "base_delay"), [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0)])
def test_delay_doubles_per_attempt_within_twenty_percent_jitter(
    attempt: int, base_delay: float
) -> None:
    policy = RetryPolicy(max_attempts=10, base_seconds=0.5, max_seconds=30)

    delays = [policy.delay_before_retry(attempt) for _ in range(200)]

    assert all(0.8 * base_delay <= delay <= 1.2 * base_delay for delay in delays)
    assert len(set(delays)) > 1, "jitter spreads retries of many consumers"


def test_delay_is_capped_at_the_maximum() -> None:
    policy = RetryPolicy(max_attempts=50, base_seconds=1, max_seconds=5)

    assert all(policy.delay_before_retry(30) <= 5 * 1.2 for _ in range(100))


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (MalformedMessage("bad", reason="invalid_json"), "invalid_json"),
        (UnknownEvent("?", reason="unsupported_event_version"), "unsupported_event_version"),
        (Refused(SAME_SCHOOL_FOUNDERS, "no"), "test_same_school_founders"),
        (NotFound("gone"), "not_found"),
        (PermanentError("plain"), "permanent_error"),
        (validation_error(), "schema_violation"),
    ],
)
def test_permanent_errors_are_not_retried_and_keep_their_reason(
    error: Exception, reason: str
) -> None:
    assert is_permanent(error)
    assert reason_of(error) == reason


@pytest.mark.parametrize(
    "error", [TransientError("smtp down"), AutoReconnect("db away"), RuntimeError("bug?")]
)
def test_anything_else_is_transient_and_ends_as_retries_exhausted(error: Exception) -> None:
    assert not is_permanent(error)
    assert reason_of(error) == RETRIES_EXHAUSTED


def test_a_refusal_keeps_its_code_rule_detail_and_figures() -> None:
    error = TYPE_FIXED("the type is fixed", was="NATIONAL")

    assert (error.code, error.rule, error.detail) == (
        "test_type_fixed",
        "R-PRJ-2",
        "the type is fixed",
    )
    assert (error.status_code, error.figures, error.reason) == (
        422,
        {"was": "NATIONAL"},
        error.code,
    )
    assert str(error) == "R-PRJ-2: the type is fixed"


def test_a_code_is_declared_once() -> None:
    with pytest.raises(ValueError, match="declared twice"):
        error_code("test_type_fixed", 409, "Type fixed", "another meaning", rule="R-PRJ-2")


@pytest.mark.parametrize(
    ("headers", "count"),
    [
        (None, 0),
        ({}, 0),
        ({"x-delivery-count": 2}, 2),
        ({"x-delivery-count": "3"}, 3),
        ({"x-delivery-count": "many"}, 0),
        ({"x-delivery-count": None}, 0),
    ],
)
def test_delivery_count_reads_the_quorum_header_and_defaults_to_zero(
    headers: dict[str, Any] | None, count: int
) -> None:
    assert delivery_count(message_with(headers)) == count
