"""Reading a service's error answer, whatever its shape: the RFC 9457 problem
(`type,title,status,detail,code,rule,...`, validation errors under `errors`) or the older
`{"error": {"code", "message", "rule", "fields"}}`. The portal reads errors only here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    status: int
    code: str
    detail: str
    rule: str | None = None
    title: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    """Message per request field (`body.title` → "title"), for showing next to the input."""
    extra: dict[str, Any] = field(default_factory=dict)


_KNOWN = {"type", "title", "status", "detail", "code", "rule", "instance", "errors", "fields"}


def problem_of(status: int, body: Any) -> Problem:
    if not isinstance(body, dict):
        return Problem(status, "unexpected_answer", str(body)[:300])
    if isinstance(body.get("error"), dict):
        error = body["error"]
        return Problem(
            status,
            str(error.get("code", "error")),
            str(error.get("message", "")),
            error.get("rule"),
            fields=_fields(error.get("fields")),
            extra={k: v for k, v in error.items() if k not in {"code", "message", "rule"}},
        )
    code = body.get("code") or _code_from_type(body.get("type")) or "error"
    return Problem(
        int(body.get("status", status)),
        str(code),
        str(body.get("detail") or body.get("title") or ""),
        body.get("rule"),
        body.get("title"),
        fields=_fields(body.get("errors") or body.get("fields")),
        extra={k: v for k, v in body.items() if k not in _KNOWN},
    )


def _code_from_type(type_uri: Any) -> str | None:
    if not isinstance(type_uri, str) or type_uri in {"", "about:blank"}:
        return None
    return type_uri.rstrip("/").rsplit("/", 1)[-1].replace("-", "_")


def _fields(raw: Any) -> dict[str, str]:
    """Both `[{"field": "body.title", "message": ...}]` and `{"body.title": [..]}` shapes; the
    leading `body`/`query` part is dropped so a field's name is the form input's name."""
    found: dict[str, str] = {}
    items: list[tuple[str, Any]] = []
    if isinstance(raw, list):
        for entry in raw:
            if isinstance(entry, dict):
                location = entry.get("field") or entry.get("loc") or entry.get("pointer") or ""
                if isinstance(location, list):
                    location = ".".join(str(part) for part in location)
                items.append((str(location), entry.get("message") or entry.get("msg") or ""))
    elif isinstance(raw, dict):
        items = list(raw.items())
    for location, message in items:
        parts = [p for p in str(location).replace("/", ".").split(".") if p]
        if parts and parts[0] in {"body", "query", "path"}:
            parts = parts[1:]
        name = parts[0] if parts else ""
        text = "; ".join(map(str, message)) if isinstance(message, list) else str(message)
        found.setdefault(name, text)
    return found
