"""Liveness and readiness.

Ready means: start-up is done (the database's indexes created, the broker connected), the broker
and the database answer now, and the consumer is not stalled (it holds deliveries and has settled
none for longer than CONSUMER_STALL_SECONDS). A failing check comes with its reason in words, and
`etwinning_not_ready{check}` says which failed at the last probe.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from shared.http.access import SHARED
from shared.storage.mongo import ping

if TYPE_CHECKING:
    from shared.runtime import Runtime

health_router = APIRouter(prefix="/health", tags=["health"])

PROBE_TIMEOUT_SECONDS = 2.0


@health_router.get("/live", dependencies=[Depends(SHARED.guard("health.live"))])
async def live() -> dict[str, str]:
    return {"status": "alive"}


@health_router.get("/ready", dependencies=[Depends(SHARED.guard("health.ready"))])
async def ready(request: Request) -> JSONResponse:
    runtime: Runtime | None = getattr(request.app.state, "runtime", None)
    if runtime is None:
        return JSONResponse({"status": "starting"}, status_code=503)
    broker, database = await asyncio.gather(
        runtime.broker.ping(timeout=PROBE_TIMEOUT_SECONDS),
        ping(runtime.database, PROBE_TIMEOUT_SECONDS),
    )
    checks = {
        "startup": runtime.startup.done,
        "broker": bool(broker),
        "database": database,
        "consumer": not runtime.held.stalled(),
    }
    for check, passed in checks.items():
        runtime.metrics.not_ready.labels(check).set(0 if passed else 1)
    ok = all(checks.values())
    body: dict[str, object] = {"status": "ready" if ok else "not_ready", "checks": checks}
    if not ok:
        body["reasons"] = {
            check: _reason(runtime, check) for check, passed in checks.items() if not passed
        }
    return JSONResponse(body, status_code=200 if ok else 503)


def _reason(runtime: Runtime, check: str) -> str:
    startup = runtime.startup
    if check == "startup":
        waiting = f"waiting for the {startup.waiting_for}"
        if startup.waiting_for == "database":
            waiting += " to create indexes; consuming starts once it answers"
        return f"{waiting} (last error: {startup.last_error})" if startup.last_error else waiting
    if check == "broker":
        if not startup.database_prepared:
            return "not connected: the broker is connected once the database answers"
        return f"RabbitMQ does not answer within {PROBE_TIMEOUT_SECONDS:g} s"
    if check == "database":
        return f"MongoDB does not answer a ping within {PROBE_TIMEOUT_SECONDS:g} s"
    held = runtime.held
    return (
        f"the consumer holds {held.count} deliveries and has settled none for "
        f"{held.seconds_without_progress():.0f} s (bound {held.stall_after_seconds:g} s)"
    )
