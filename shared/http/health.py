"""Liveness and readiness. Ready means the broker and the database both answer."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from shared.http.access import SHARED
from shared.storage.mongo import ping

health_router = APIRouter(prefix="/health", tags=["health"])


@health_router.get("/live", dependencies=[Depends(SHARED.guard("health.live"))])
async def live() -> dict[str, str]:
    return {"status": "alive"}


@health_router.get("/ready", dependencies=[Depends(SHARED.guard("health.ready"))])
async def ready(request: Request) -> JSONResponse:
    runtime = getattr(request.app.state, "runtime", None)
    if runtime is None:
        return JSONResponse({"status": "starting"}, status_code=503)
    checks = {
        "broker": await runtime.broker.ping(timeout=2.0),
        "database": await ping(runtime.database),
    }
    ok = all(checks.values())
    return JSONResponse(
        {"status": "ready" if ok else "not_ready", "checks": checks},
        status_code=200 if ok else 503,
    )
