"""The public event contract, generated from the code: AsyncAPI 3.1 documents and JSON Schemas.

Built from the catalog (payload models), the topology (exchange, routing keys) and what each
service emits and consumes, so the documents cannot drift from what runs (a test checks that
the committed copies under docs/ are fresh).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from shared.envelope import EventEnvelope
from shared.events import CATALOG
from shared.events.base import EventPayload
from shared.topology import EVENTS_EXCHANGE_NAME

ASYNCAPI_VERSION = "3.1.0"
CONTRACT_VERSION = "1.0.0"
COMPONENT_REF = "#/components/schemas/{model}"


@dataclass(frozen=True)
class ServiceContract:
    name: str
    title: str
    description: str
    emits: Sequence[type[EventPayload]]
    consumes: Sequence[type[EventPayload]]


def message_key(model: type[EventPayload]) -> str:
    return f"{model.event_type.replace('.', '_')}_v{model.event_version}"


def event_json_schema(model: type[EventPayload]) -> dict[str, Any]:
    """A self-contained JSON Schema of the whole message (envelope and this payload)."""
    schema, definitions = _envelope_schema(model, ref_template="#/$defs/{model}")
    if definitions:
        schema["$defs"] = definitions
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:etwinning:event:{model.event_type}:v{model.event_version}",
        **schema,
    }


def service_document(service: ServiceContract) -> dict[str, Any]:
    return _document(title=service.title, description=service.description, services=[service])


def platform_document(services: Iterable[ServiceContract]) -> dict[str, Any]:
    return _document(
        title="eTwinning platform events",
        description=(
            "Every event the platform's services publish and consume on the "
            f"`{EVENTS_EXCHANGE_NAME}` topic exchange (routing key = event_type)."
        ),
        services=list(services),
    )


def _document(title: str, description: str, services: list[ServiceContract]) -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for service in services:
        for action, models in (("send", service.emits), ("receive", service.consumes)):
            for model in models:
                key = message_key(model)
                messages[key] = _message(model, schemas)
                channels[key] = _channel(model, key)
                operations[f"{service.name}_{action}_{key}"] = {
                    "action": action,
                    "bindings": {"amqp": _operation_binding(action)},
                    "channel": {"$ref": f"#/channels/{key}"},
                    "messages": [{"$ref": f"#/channels/{key}/messages/{key}"}],
                    "summary": f"{service.name} {'publishes' if action == 'send' else 'consumes'}"
                    f" {model.event_type}",
                }
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {"title": title, "version": CONTRACT_VERSION, "description": description},
        "defaultContentType": "application/json",
        "servers": {
            "production": {
                "host": "rabbitmq:5672",
                "pathname": "/etwinning",
                "protocol": "amqp",
                "protocolVersion": "0.9.1",
                "description": "RabbitMQ of a docker compose deployment (vhost etwinning).",
            }
        },
        "channels": dict(sorted(channels.items())),
        "operations": dict(sorted(operations.items())),
        "components": {
            "messages": dict(sorted(messages.items())),
            "schemas": dict(sorted(schemas.items())),
        },
    }


def _operation_binding(action: str) -> dict[str, Any]:
    if action == "send":  # persistent, confirmed, and never silently unroutable
        return {"deliveryMode": 2, "mandatory": True, "timestamp": True, "bindingVersion": "0.3.0"}
    return {"ack": True, "bindingVersion": "0.3.0"}


def _channel(model: type[EventPayload], key: str) -> dict[str, Any]:
    return {
        "address": model.event_type,
        "description": f"Routing key `{model.event_type}` on exchange `{EVENTS_EXCHANGE_NAME}`.",
        "messages": {key: {"$ref": f"#/components/messages/{key}"}},
        "bindings": {
            "amqp": {
                "is": "routingKey",
                "exchange": {
                    "name": EVENTS_EXCHANGE_NAME,
                    "type": "topic",
                    "durable": True,
                    "autoDelete": False,
                    "vhost": "etwinning",
                },
                "bindingVersion": "0.3.0",
            }
        },
    }


def _message(model: type[EventPayload], schemas: dict[str, Any]) -> dict[str, Any]:
    payload, definitions = _envelope_schema(model, ref_template=COMPONENT_REF)
    for name, definition in definitions.items():
        if name in schemas and schemas[name] != definition:
            raise ValueError(f"two different schemas are named {name}")
        schemas[name] = definition
    summary = (model.__doc__ or model.event_type).strip().splitlines()[0]
    return {
        "name": model.event_type,
        "title": model.__name__,
        "summary": summary,
        "contentType": "application/json",
        "correlationId": {"location": "$message.payload#/correlation_id"},
        "headers": {
            "type": "object",
            "properties": {
                "x-event-version": {"type": "string", "const": str(model.event_version)},
                "x-causation-id": {"type": "string"},
            },
        },
        "payload": payload,
        "bindings": {"amqp": {"messageType": model.event_type, "bindingVersion": "0.3.0"}},
    }


def _envelope_schema(
    model: type[EventPayload], ref_template: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    envelope = copy.deepcopy(EventEnvelope.model_json_schema(ref_template=ref_template))
    payload = copy.deepcopy(model.model_json_schema(ref_template=ref_template))
    definitions: dict[str, Any] = {**envelope.pop("$defs", {}), **payload.pop("$defs", {})}
    properties = envelope["properties"]
    # The envelope's generic examples would contradict the const: each schema's examples are
    # its own type and version, so every example validates against the schema it sits in.
    properties["event_type"] = {
        **properties["event_type"],
        "const": model.event_type,
        "examples": [model.event_type],
    }
    properties["event_version"] = {
        **properties["event_version"],
        "const": model.event_version,
        "examples": [model.event_version],
    }
    properties["payload"] = payload
    envelope["title"] = f"{model.__name__} (v{model.event_version})"
    envelope["description"] = (model.__doc__ or "").strip()
    return envelope, definitions


def consumed_models(event_types: Iterable[str]) -> list[type[EventPayload]]:
    return sorted(
        (model for model in CATALOG if model.event_type in set(event_types)),
        key=lambda model: (model.event_type, model.event_version),
    )
