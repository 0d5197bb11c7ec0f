"""The event envelope: strict about what it declares, tolerant of what newer producers add."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
from pydantic import ValidationError

from shared.envelope import CAUSATION_HEADER, EVENT_VERSION_HEADER, EventEnvelope


def envelope_fields(**overrides: Any) -> dict[str, Any]:
    return {
        "event_type": "projects.project.completed",
        "event_version": 1,
        "producer": "projects",
        "correlation_id": "corr-1",
        "aggregate_id": "p-1",
        "payload": {"project_id": "p-1"},
        **overrides,
    }


def test_new_envelopes_get_a_unique_id_and_an_aware_utc_timestamp() -> None:
    first, second = EventEnvelope(**envelope_fields()), EventEnvelope(**envelope_fields())

    assert isinstance(first.event_id, UUID)
    assert first.event_id != second.event_id
    assert first.occurred_at.utcoffset() is not None
    assert first.occurred_at.utcoffset() == UTC.utcoffset(None)


def test_json_round_trip_keeps_every_field() -> None:
    original = EventEnvelope(**envelope_fields(causation_id="cause-1"))

    decoded = EventEnvelope.model_validate_json(original.model_dump_json())

    assert decoded == original


def test_unknown_fields_from_a_newer_producer_are_ignored() -> None:
    document = {**envelope_fields(), "trace_state": "x", "schema_url": "https://example.org"}

    envelope = EventEnvelope.model_validate(document)

    assert not hasattr(envelope, "trace_state")
    assert envelope.event_type == "projects.project.completed"


@pytest.mark.parametrize(
    "event_type",
    [
        "completed",
        "Projects.Project.Completed",
        "projects project completed",
        "projects.project.",
        "a" + ".b" * 60,  # 121 characters
    ],
)
def test_event_type_must_be_dotted_lower_case(event_type: str) -> None:
    with pytest.raises(ValidationError):
        EventEnvelope(**envelope_fields(event_type=event_type))


@pytest.mark.parametrize("event_version", [0, -1])
def test_event_version_starts_at_one(event_version: int) -> None:
    with pytest.raises(ValidationError):
        EventEnvelope(**envelope_fields(event_version=event_version))


def test_naive_timestamps_are_rejected() -> None:
    with pytest.raises(ValidationError):
        EventEnvelope(**envelope_fields(occurred_at=datetime(2025, 1, 1, 12, 0)))


@pytest.mark.parametrize(
    "missing",
    ["event_type", "event_version", "producer", "correlation_id", "aggregate_id", "payload"],
)
def test_required_fields_are_required(missing: str) -> None:
    fields = envelope_fields()
    del fields[missing]

    with pytest.raises(ValidationError):
        EventEnvelope(**fields)


@pytest.mark.parametrize("field", ["producer", "correlation_id", "aggregate_id"])
def test_identifying_fields_may_not_be_empty(field: str) -> None:
    with pytest.raises(ValidationError):
        EventEnvelope(**envelope_fields(**{field: ""}))


def test_an_event_id_that_is_not_a_uuid_is_rejected() -> None:
    with pytest.raises(ValidationError):
        EventEnvelope(**envelope_fields(event_id="not-a-uuid"))


def test_envelopes_are_immutable() -> None:
    envelope = EventEnvelope(**envelope_fields())

    with pytest.raises(ValidationError):
        envelope.event_type = "projects.project.archived"  # type: ignore[misc]


def test_amqp_headers_carry_the_version_as_text() -> None:
    headers = EventEnvelope(**envelope_fields(event_version=3)).amqp_headers()

    assert headers == {EVENT_VERSION_HEADER: "3"}


def test_amqp_headers_carry_the_causation_id_when_there_is_one() -> None:
    headers = EventEnvelope(**envelope_fields(causation_id="event-0")).amqp_headers()

    assert headers[CAUSATION_HEADER] == "event-0"
