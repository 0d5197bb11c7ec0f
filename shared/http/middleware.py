"""Each HTTP request runs in a flow: its correlation id comes from `X-Correlation-ID` or is
new, is bound to every log line, carried by the events the request emits, and echoed back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from uuid import uuid4

from fastapi import FastAPI, Request, Response

from shared.context import flow

CORRELATION_HEADER = "X-Correlation-ID"


def install_correlation_middleware(app: FastAPI) -> None:
    @app.middleware("http")
    async def correlate(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        correlation_id = request.headers.get(CORRELATION_HEADER) or str(uuid4())
        with flow(correlation_id[:128], method=request.method, path=request.url.path):
            response = await call_next(request)
        response.headers[CORRELATION_HEADER] = correlation_id
        return response
