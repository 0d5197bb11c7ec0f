"""GET /metrics: the process's Prometheus metrics, with outbox gauges read at scrape time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pymongo
from fastapi import APIRouter, Depends, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pymongo.errors import PyMongoError

from shared.http.access import SHARED
from shared.logging import get_logger
from shared.storage.leases import FAILED, PENDING
from shared.storage.mongo import OUTBOX

if TYPE_CHECKING:
    from shared.runtime import Runtime

log = get_logger(__name__)
metrics_router = APIRouter(tags=["health"])
OUTBOX_READ_TIMEOUT_SECONDS = 2.0


@metrics_router.get(
    "/metrics", include_in_schema=False, dependencies=[Depends(SHARED.guard("metrics"))]
)
async def metrics(request: Request) -> Response:
    runtime = request.app.state.runtime
    try:
        await _read_outbox_gauges(runtime)
    except PyMongoError as error:
        # The database away (at start-up, in an outage) is when the metrics matter most: the
        # outbox gauges keep their last values and the rest is served.
        log.warning("metrics.outbox_unavailable", error=type(error).__name__)
    return Response(generate_latest(runtime.metrics.registry), media_type=CONTENT_TYPE_LATEST)


async def _read_outbox_gauges(runtime: Runtime) -> None:
    outbox = runtime.database[OUTBOX]
    service_metrics = runtime.metrics
    with pymongo.timeout(OUTBOX_READ_TIMEOUT_SECONDS):
        service_metrics.outbox_pending.set(await outbox.count_documents({"status": PENDING}))
        service_metrics.outbox_failed.set(await outbox.count_documents({"status": FAILED}))
        oldest = await outbox.find_one(
            {"status": PENDING}, {"enqueued_at": 1}, sort=[("enqueued_at", 1)]
        )
    age = (datetime.now(UTC) - oldest["enqueued_at"]).total_seconds() if oldest else 0.0
    service_metrics.outbox_oldest_age.set(max(age, 0.0))
