"""The event registry: (event_type, event_version) -> payload model, and the v1 catalog."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.envelope import EventEnvelope
from shared.errors import MalformedMessage, PermanentError, UnknownEvent
from shared.events import CATALOG, EventPayload, EventRegistry


class ThingDone(EventPayload):
    event_type = "tests.thing.done"
    aggregate_field = "thing_id"

    thing_id: str
    count: int


class ThingDoneV2(EventPayload):
    event_type = "tests.thing.done"
    event_version = 2
    aggregate_field = "thing_id"

    thing_id: str
    count: int
    unit: str


def envelope(
    event_type: str = "tests.thing.done", version: int = 1, **payload: object
) -> EventEnvelope:
    return EventEnvelope(
        event_type=event_type,
        event_version=version,
        producer="tests",
        correlation_id="corr-1",
        aggregate_id="thing-1",
        payload=payload,
    )


@pytest.fixture
def registry() -> EventRegistry:
    return EventRegistry([ThingDone, ThingDoneV2])


def test_each_version_resolves_to_its_own_model(registry: EventRegistry) -> None:
    assert registry.resolve("tests.thing.done", 1) is ThingDone
    assert registry.resolve("tests.thing.done", 2) is ThingDoneV2


def test_an_unknown_event_type_is_a_permanent_unknown_event(registry: EventRegistry) -> None:
    with pytest.raises(UnknownEvent) as raised:
        registry.resolve("tests.thing.vanished", 1)

    assert raised.value.reason == "unknown_event_type"
    assert isinstance(raised.value, PermanentError)


def test_an_unknown_version_of_a_known_type_is_unsupported(registry: EventRegistry) -> None:
    with pytest.raises(UnknownEvent) as raised:
        registry.resolve("tests.thing.done", 3)

    assert raised.value.reason == "unsupported_event_version"
    assert "[1, 2]" in str(raised.value)


def test_registering_the_same_type_and_version_twice_fails(registry: EventRegistry) -> None:
    with pytest.raises(ValueError, match="twice"):
        registry.register(ThingDone)


def test_payload_of_reads_the_payload_with_the_versions_model(registry: EventRegistry) -> None:
    payload = registry.payload_of(envelope(version=2, thing_id="thing-1", count=3, unit="kg"))

    assert payload == ThingDoneV2(thing_id="thing-1", count=3, unit="kg")
    assert payload.aggregate_id() == "thing-1"


def test_payload_fields_added_by_a_newer_producer_are_ignored(registry: EventRegistry) -> None:
    payload = registry.payload_of(envelope(thing_id="thing-1", count=3, colour="red"))

    assert payload == ThingDone(thing_id="thing-1", count=3)


def test_a_payload_that_breaks_the_schema_is_a_schema_violation(registry: EventRegistry) -> None:
    with pytest.raises(MalformedMessage) as raised:
        registry.payload_of(envelope(thing_id="thing-1", count="many"))

    assert raised.value.reason == "schema_violation"
    assert isinstance(raised.value.__cause__, ValidationError)


def test_membership_is_by_type_and_version(registry: EventRegistry) -> None:
    assert ("tests.thing.done", 2) in registry
    assert ("tests.thing.done", 9) not in registry
    assert registry.event_types() == {"tests.thing.done"}


# --- the v1 catalog ------------------------------------------------------------------------


CATALOG_MODELS = sorted(CATALOG, key=lambda model: model.event_type)


@pytest.mark.parametrize("model", CATALOG_MODELS, ids=lambda model: model.event_type)
def test_catalog_event_types_are_valid_envelope_types_named_by_their_producer(
    model: type[EventPayload],
) -> None:
    producer = model.event_type.split(".")[0]

    envelope(event_type=model.event_type, version=model.event_version)  # validates the name
    assert producer in {"registration", "projects", "awards", "intake", "notifications"}
    assert model.event_version >= 1


@pytest.mark.parametrize("model", CATALOG_MODELS, ids=lambda model: model.event_type)
def test_catalog_aggregate_field_is_a_declared_field(model: type[EventPayload]) -> None:
    assert model.aggregate_field in model.model_fields


def test_catalog_has_one_model_per_event_type() -> None:
    assert len(CATALOG.event_types()) == len(CATALOG_MODELS)
