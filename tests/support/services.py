"""Run service apps in-process against the test servers (their lifespans, real I/O)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI

from shared.runtime import Runtime

AppFactory = Callable[..., FastAPI]


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Start an app's lifespan and give an HTTP client bound to it (ASGI transport)."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            yield client


def runtime_of(app: FastAPI) -> Runtime:
    runtime: Runtime = app.state.runtime
    return runtime


def service_settings(
    service: str, *, amqp_url: str, mongodb_url: str, prefix: str, **overrides: Any
) -> dict[str, Any]:
    return {
        "service_name": service,
        "amqp_url": amqp_url,
        "mongodb_url": mongodb_url,
        "mongodb_database": f"{prefix}_{service}",
        "retry_base_seconds": 0.05,
        "retry_max_seconds": 0.2,
        "outbox_poll_seconds": 0.2,
        "log_json": True,
        **overrides,
    }


@asynccontextmanager
async def all_running(apps: dict[str, FastAPI]) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    async with AsyncExitStack() as stack:
        clients = {
            name: await stack.enter_async_context(running(app)) for name, app in apps.items()
        }
        yield clients
