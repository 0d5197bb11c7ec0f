"""GET /metrics: the process's Prometheus metrics, with outbox gauges read at scrape time."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from shared.http.access import SHARED
from shared.storage.leases import FAILED, PENDING
from shared.storage.mongo import OUTBOX

metrics_router = APIRouter(tags=["health"])


@metrics_router.get(
    "/metrics", include_in_schema=False, dependencies=[Depends(SHARED.guard("metrics"))]
)
async def metrics(request: Request) -> Response:
    runtime = request.app.state.runtime
    outbox = runtime.database[OUTBOX]
    service_metrics = runtime.metrics
    service_metrics.outbox_pending.set(await outbox.count_documents({"status": PENDING}))
    service_metrics.outbox_failed.set(await outbox.count_documents({"status": FAILED}))
    oldest = await outbox.find_one(
        {"status": PENDING}, {"enqueued_at": 1}, sort=[("enqueued_at", 1)]
    )
    age = (datetime.now(UTC) - oldest["enqueued_at"]).total_seconds() if oldest else 0.0
    service_metrics.outbox_oldest_age.set(max(age, 0.0))
    return Response(generate_latest(service_metrics.registry), media_type=CONTENT_TYPE_LATEST)
