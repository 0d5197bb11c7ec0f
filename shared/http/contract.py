"""Each service serves its own event contract: AsyncAPI 3 (`/asyncapi.json`, and as a page at
`/asyncapi`) and a JSON Schema per event."""

from __future__ import annotations

import json
import re
from html import escape
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from shared.contract import ServiceContract, event_json_schema, service_document
from shared.errors import NotFound
from shared.http.access import SHARED


def contract_router(contract: ServiceContract) -> APIRouter:
    router = APIRouter(tags=["event contract"])
    document = service_document(contract)
    models = {(m.event_type, m.event_version): m for m in (*contract.emits, *contract.consumes)}

    page = asyncapi_page(document)

    @router.get(
        "/asyncapi.json",
        summary="AsyncAPI 3 document of this service's events",
        dependencies=[Depends(SHARED.guard("contract.asyncapi_json"))],
    )
    async def asyncapi() -> dict[str, Any]:
        return document

    @router.get(
        "/asyncapi",
        response_class=HTMLResponse,
        summary="This service's events as a page (the AsyncAPI document, rendered)",
        dependencies=[Depends(SHARED.guard("contract.asyncapi"))],
    )
    async def asyncapi_html() -> HTMLResponse:
        return HTMLResponse(page)

    @router.get(
        "/events",
        summary="The events this service publishes and consumes",
        dependencies=[Depends(SHARED.guard("contract.events"))],
    )
    async def events() -> dict[str, list[dict[str, Any]]]:
        def listed(models: Any) -> list[dict[str, Any]]:
            return [
                {
                    "event_type": m.event_type,
                    "event_version": m.event_version,
                    "schema": f"/events/{m.event_type}/v{m.event_version}/schema",
                }
                for m in models
            ]

        return {"publishes": listed(contract.emits), "consumes": listed(contract.consumes)}

    @router.get(
        "/events/{event_type}/v{version}/schema",
        summary="JSON Schema of one event",
        dependencies=[Depends(SHARED.guard("contract.schema"))],
    )
    async def schema(event_type: str, version: int) -> dict[str, Any]:
        model = models.get((event_type, version))
        if model is None:
            raise NotFound(f"{event_type} v{version} is not part of this service's contract")
        return event_json_schema(model)

    return router


# --- the AsyncAPI page -----------------------------------------------------------------------
# Rendered on the server from the same document, self-contained (no script, no CDN): an
# integrator behind a strict proxy, or offline, sees the same thing.

PAGE_STYLE = """
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:1rem 2rem;
color:#1d232a}
h1{margin-bottom:.2rem}h2{border-bottom:2px solid #d0d7de;padding-bottom:.2rem;margin-top:2.5rem}
h3{margin:0}code,pre{font:13px/1.4 ui-monospace,monospace;background:#f4f6f8;border-radius:4px}
code{padding:.05rem .3rem}pre{padding:.6rem;overflow-x:auto}
section.message{border:1px solid #d0d7de;border-radius:6px;padding:1rem;margin:1rem 0}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border-bottom:1px solid #e4e8ec;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f6f8}.tag{display:inline-block;border-radius:4px;padding:0 .4rem;
font-size:12px;font-weight:600;color:#fff}.send{background:#1f7a3a}.receive{background:#1f5fa8}
.muted{color:#59636e}td.name{white-space:nowrap}
"""


def asyncapi_page(document: dict[str, Any]) -> str:
    """An HTML page of an AsyncAPI 3 document as shared/contract.py builds it: servers,
    operations (send/receive), channels with their AMQP bindings, and each message with its
    headers, bindings, payload fields and a link to its JSON Schema."""
    info = document["info"]
    messages: dict[str, Any] = document["components"]["messages"]
    schemas: dict[str, Any] = document["components"].get("schemas", {})
    by_channel: dict[str, list[dict[str, Any]]] = {}
    for operation in document["operations"].values():
        channel_key = operation["channel"]["$ref"].rsplit("/", 1)[-1]
        by_channel.setdefault(channel_key, []).append(operation)
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width,initial-scale=1'>",
        f"<title>{escape(info['title'])} — events</title><style>{PAGE_STYLE}</style></head><body>",
        f"<h1>{escape(info['title'])}</h1>",
        f"<p class='muted'>AsyncAPI {escape(document['asyncapi'])} · contract version "
        f"{escape(info['version'])} · <a href='asyncapi.json'>asyncapi.json</a> · "
        "<a href='events'>events and their JSON Schemas</a></p>",
        f"<p>{_prose(info.get('description', ''))}</p>",
        "<h2 id='servers'>Servers</h2><table><tr><th>name</th><th>protocol</th><th>host</th>"
        "<th>vhost</th><th>description</th></tr>",
    ]
    for name, server in document.get("servers", {}).items():
        parts.append(
            f"<tr><td>{escape(name)}</td><td>{escape(server['protocol'])} "
            f"{escape(server.get('protocolVersion', ''))}</td>"
            f"<td><code>{escape(server['host'])}</code></td>"
            f"<td><code>{escape(server.get('pathname', ''))}</code></td>"
            f"<td>{_prose(server.get('description', ''))}</td></tr>"
        )
    parts.append("</table><h2 id='operations'>Operations</h2><table>")
    parts.append("<tr><th>action</th><th>event</th><th>summary</th></tr>")
    for operation_id, operation in document["operations"].items():
        channel_key = operation["channel"]["$ref"].rsplit("/", 1)[-1]
        address = document["channels"][channel_key]["address"]
        parts.append(
            f"<tr id='op-{escape(operation_id)}'><td>{_action_tag(operation['action'])}</td>"
            f"<td><a href='#{escape(channel_key)}'><code>{escape(address)}</code></a></td>"
            f"<td>{escape(operation.get('summary', ''))}</td></tr>"
        )
    parts.append("</table><h2 id='messages'>Channels and messages</h2>")
    for channel_key, channel in document["channels"].items():
        parts.append(
            _channel_section(channel_key, channel, by_channel.get(channel_key, []), messages)
        )
    if schemas:
        parts.append("<h2 id='schemas'>Shared schemas</h2>")
        for name, schema in schemas.items():
            parts.append(
                f"<section id='schema-{escape(name)}'><h3><code>{escape(name)}</code></h3>"
                f"{_fields_table(schema)}</section>"
            )
    parts.append("</body></html>")
    return "".join(parts)


def _action_tag(action: str) -> str:
    label = "publishes" if action == "send" else "consumes"
    return f"<span class='tag {escape(action)}'>{escape(action)}</span> {label}"


def _channel_section(
    key: str, channel: dict[str, Any], operations: list[dict[str, Any]], messages: dict[str, Any]
) -> str:
    parts = [
        f"<section class='message' id='{escape(key)}'>",
        f"<h3><code>{escape(channel['address'])}</code></h3>",
        f"<p>{_prose(channel.get('description', ''))}</p>",
    ]
    for operation in operations:
        parts.append(
            f"<p>{_action_tag(operation['action'])}: {escape(operation.get('summary', ''))}"
            f" <span class='muted'>(AMQP operation binding: "
            f"{_inline_json(operation.get('bindings', {}).get('amqp', {}))})</span></p>"
        )
    parts.append(
        f"<p class='muted'>Channel binding: {_inline_json(channel.get('bindings', {}))}</p>"
    )
    for reference in channel.get("messages", {}).values():
        message = messages[reference["$ref"].rsplit("/", 1)[-1]]
        parts.append(_message_section(message))
    parts.append("</section>")
    return "".join(parts)


def _message_section(message: dict[str, Any]) -> str:
    payload = message["payload"]
    version = payload.get("properties", {}).get("event_version", {}).get("const")
    schema_link = f"events/{message['name']}/v{version}/schema"
    return "".join(
        [
            f"<h4>Message <code>{escape(message['name'])}</code> v{escape(str(version))} "
            f"({escape(message.get('title', ''))})</h4>",
            f"<p>{_prose(message.get('summary', ''))}</p>",
            "<table>",
            f"<tr><th>content type</th><td><code>"
            f"{escape(message.get('contentType', ''))}</code></td></tr>",
            f"<tr><th>correlation id</th><td><code>"
            f"{escape(message.get('correlationId', {}).get('location', ''))}</code></td></tr>",
            f"<tr><th>AMQP message binding</th><td>"
            f"{_inline_json(message.get('bindings', {}).get('amqp', {}))}</td></tr>",
            f"<tr><th>JSON Schema</th><td><a href='{escape(schema_link)}'>"
            f"{escape(schema_link)}</a></td></tr></table>",
            "<p><strong>Headers</strong></p>",
            _fields_table(message.get("headers", {})),
            "<p><strong>Payload</strong> (the envelope, with the event's own fields under "
            "<code>payload</code>)</p>",
            _fields_table(payload),
            "<details><summary>payload schema as JSON</summary><pre>",
            escape(json.dumps(payload, indent=2, ensure_ascii=False)),
            "</pre></details>",
        ]
    )


def _fields_table(schema: dict[str, Any]) -> str:
    rows = _field_rows(schema, prefix="", depth=0)
    if not rows:
        return f"<p>{_type_of(schema)}</p>"
    return (
        "<table><tr><th>field</th><th>type</th><th>required</th><th>description</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def _field_rows(schema: dict[str, Any], prefix: str, depth: int) -> list[str]:
    required = set(schema.get("required", []))
    rows: list[str] = []
    for name, field in schema.get("properties", {}).items():
        path = f"{prefix}{name}"
        rows.append(
            f"<tr><td class='name'><code>{escape(path)}</code></td><td>{_type_of(field)}</td>"
            f"<td>{'yes' if name in required else ''}</td>"
            f"<td>{_prose(field.get('description', ''))}</td></tr>"
        )
        if depth < 3 and "properties" in field:
            rows += _field_rows(field, prefix=f"{path}.", depth=depth + 1)
    return rows


def _type_of(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        name = str(schema["$ref"]).rsplit("/", 1)[-1]
        return f"<a href='#schema-{escape(name)}'>{escape(name)}</a>"
    if "const" in schema:
        return f"<code>{escape(json.dumps(schema['const'], ensure_ascii=False))}</code>"
    if "enum" in schema:
        values = ", ".join(escape(json.dumps(v, ensure_ascii=False)) for v in schema["enum"])
        return f"one of <code>{values}</code>"
    for combinator in ("anyOf", "oneOf", "allOf"):
        if combinator in schema:
            return " | ".join(_type_of(option) for option in schema[combinator])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"array of {_type_of(schema.get('items', {}))}"
    text = escape(str(kind))
    if "format" in schema:
        text += f" ({escape(schema['format'])})"
    if "pattern" in schema:
        text += f" <code>{escape(schema['pattern'])}</code>"
    return text


def _prose(text: str) -> str:
    """Escaped text, with `code` spans as in the models' docstrings."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(text))


def _inline_json(value: Any) -> str:
    return f"<code>{escape(json.dumps(value, ensure_ascii=False, sort_keys=True))}</code>"
