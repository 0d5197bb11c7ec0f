"""Every example in the published contract validates against the schema it illustrates.

An integrator copies examples; one that contradicts its own schema (as `event_type`'s once did,
`projects.project.completed` beside the `const` of another type in every file) teaches them to
send something the platform dead-letters. Runs with `jsonschema` alone, no node needed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from shared.contract import event_json_schema
from shared.events import CATALOG
from tools import asyncapi

SCHEMA_FILES = sorted((asyncapi.DOCS / "schemas").glob("*.json"))
ASYNCAPI_FILES = sorted((asyncapi.DOCS / "asyncapi").glob("*.json"))
# Keys whose value maps names to schemas (so a property called "examples" is not the keyword).
SCHEMA_MAPS = {"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"}


def examples_in(schema: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any], Any]]:
    """(path, subschema, example) for every `examples` entry in a schema and its subschemas."""
    if isinstance(schema, list):
        for index, item in enumerate(schema):
            yield from examples_in(item, f"{path}/{index}")
        return
    if not isinstance(schema, dict):
        return
    for example in schema.get("examples", []) if isinstance(schema.get("examples"), list) else []:
        yield path, schema, example
    for key, value in schema.items():
        if key in SCHEMA_MAPS and isinstance(value, dict):
            for name, subschema in value.items():
                yield from examples_in(subschema, f"{path}/{key}/{name}")
        elif key not in ("examples", "const", "enum", "default"):
            yield from examples_in(value, f"{path}/{key}")


def violations(root: dict[str, Any], context: dict[str, Any]) -> list[str]:
    """Each example checked against its own subschema; `context` resolves the `$ref`s."""
    found = []
    for path, subschema, example in examples_in(root):
        validator = jsonschema.Draft202012Validator({**context, **subschema})
        errors = validator.iter_errors(example)
        found += [f"{path}: {example!r}: {error.message}" for error in errors]
    return found


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda path: path.name)
def test_json_schema_examples_validate_against_their_schema(path: Path) -> None:
    schema = json.loads(path.read_text())
    assert list(examples_in(schema)), "each event schema has examples (at least event_type's)"
    assert violations(schema, {"$defs": schema.get("$defs", {})}) == []


@pytest.mark.parametrize("path", ASYNCAPI_FILES, ids=lambda path: path.name)
def test_asyncapi_schema_examples_validate_against_their_schema(path: Path) -> None:
    document = json.loads(path.read_text())
    context = {"components": {"schemas": document["components"]["schemas"]}}
    found = violations(document["components"]["schemas"], context)
    for key, message in document["components"]["messages"].items():
        for part in ("payload", "headers"):
            found += [f"{key}/{part}{v}" for v in violations(message[part], context)]
    assert found == []


@pytest.mark.parametrize("model", list(CATALOG), ids=lambda model: model.event_type)
def test_the_envelope_examples_name_the_schemas_own_type_and_version(model: Any) -> None:
    properties = event_json_schema(model)["properties"]
    assert properties["event_type"]["examples"] == [model.event_type]
    assert properties["event_version"]["examples"] == [model.event_version]


def test_a_contradicting_example_is_caught() -> None:
    schema = {"properties": {"event_type": {"const": "a.b", "examples": ["c.d"]}}}
    assert len(violations(schema, {})) == 1
