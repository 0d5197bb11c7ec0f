"""The published contract (docs/) is generated from the code and stays true to it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shared.contract import event_json_schema, message_key
from shared.events import CATALOG
from tools import asyncapi

ASYNCAPI_SCHEMA = Path(__file__).with_name("asyncapi-3.1.0.schema.json")


def test_committed_contract_matches_the_code() -> None:
    stale = asyncapi.stale_files()
    assert not stale, f"regenerate with `make contract`: {stale}"


@pytest.mark.parametrize(
    "name", ["platform", "registration", "projects", "awards", "notifications"]
)
def test_asyncapi_documents_are_valid_asyncapi_3_1(name: str) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    document = json.loads((asyncapi.DOCS / "asyncapi" / f"{name}.json").read_text())
    assert document["asyncapi"] == "3.1.0"
    validator = jsonschema.Draft7Validator(json.loads(ASYNCAPI_SCHEMA.read_text()))
    assert [error.message for error in validator.iter_errors(document)] == []


def test_platform_document_lists_every_catalog_event() -> None:
    document = json.loads((asyncapi.DOCS / "asyncapi" / "platform.json").read_text())
    published = {message["name"] for message in document["components"]["messages"].values()}
    emitted = {
        model.event_type for definition in asyncapi.definitions() for model in definition.emits
    }
    assert emitted <= published


def test_event_schema_pins_type_and_version_and_describes_payload() -> None:
    model = next(m for m in CATALOG if m.event_type == "projects.project.completed")
    schema = event_json_schema(model)
    assert schema["properties"]["event_type"]["const"] == "projects.project.completed"
    assert schema["properties"]["event_version"]["const"] == 1
    assert "members" in schema["properties"]["payload"]["properties"]
    assert message_key(model) == "projects_project_completed_v1"


def test_a_valid_message_validates_against_its_published_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    from shared.envelope import EventEnvelope
    from shared.events.registration import TeacherErased

    envelope = EventEnvelope(
        event_type=TeacherErased.event_type,
        event_version=1,
        producer="registration",
        correlation_id="c-1",
        aggregate_id="tch_1",
        payload=TeacherErased(teacher_id="tch_1").model_dump(mode="json"),
    )
    schema = event_json_schema(TeacherErased)
    jsonschema.validate(json.loads(envelope.model_dump_json()), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**json.loads(envelope.model_dump_json()), "event_version": 2}, schema)
