"""A bound on request bodies, enforced before anything parses them: a body larger than
`HTTP_MAX_BODY_BYTES` is a 413 problem, whether it declares its length or streams in chunks.

Pure ASGI (no BaseHTTPMiddleware): the body is read here at most up to the bound, then handed
on unchanged, so routes never see more than the bound and never buffer an unbounded body."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.http.problems import BAD_REQUEST, PAYLOAD_TOO_LARGE, PROBLEM_MEDIA_TYPE, problem_body

DEFAULT_MAX_BODY_BYTES = 1024 * 1024


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None:
            if not declared.isdigit():
                await _answer(send, scope, BAD_REQUEST.status, _bad_length(scope))
                return
            if int(declared) > self.max_bytes:
                await _answer(send, scope, 413, self._too_large(scope))
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                await self.app(scope, _replay([message], receive), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await _answer(send, scope, 413, self._too_large(scope))
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        whole: Message = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([whole], receive), send)

    def _too_large(self, scope: Scope) -> dict[str, Any]:
        return problem_body(
            PAYLOAD_TOO_LARGE,
            f"the body is larger than {self.max_bytes} bytes",
            instance=scope.get("path"),
            figures={"limit": self.max_bytes},
        )


def _bad_length(scope: Scope) -> dict[str, Any]:
    return problem_body(
        BAD_REQUEST, "Content-Length is not a number of bytes", instance=scope.get("path")
    )


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1").strip())
    return None


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


async def _answer(send: Send, scope: Scope, status: int, body: dict[str, Any]) -> None:
    payload = json.dumps(body).encode()
    headers = [
        (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
        (b"content-length", str(len(payload)).encode()),
        (b"connection", b"close"),  # the rest of the body is not read
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
