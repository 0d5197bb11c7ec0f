"""The operator's pages: outbox and delivery health of each service, read from the services'
own /metrics, and the notification deliveries that failed.

Dead-lettered messages: the services have no HTTP API for their dead-letter queues yet
(`python -m tools.dlq` reads and redrives them over AMQP); the portal talks HTTP only, so
this page says so until such an API exists."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.portal.adapters.platform import ServiceName, ServiceProblem
from services.portal.web.base import person_of, portal_of, render
from services.portal.web.forms import read_or_none

router = APIRouter(prefix="/operator")
SERVICES: tuple[ServiceName, ...] = ("registration", "projects", "awards", "notifications")
GAUGES = ("outbox_pending", "outbox_failed", "outbox_oldest_age_seconds")


def gauges_of(metrics_text: str) -> dict[str, float]:
    """The outbox gauges and the dead-letter counters of a Prometheus text page."""
    found: dict[str, float] = {}
    for line in metrics_text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name_part, _, value = line.rpartition(" ")
        name = name_part.split("{", 1)[0]
        if any(name.endswith(gauge) for gauge in GAUGES) or "dead_letter" in name:
            try:
                found[name] = found.get(name, 0.0) + float(value)
            except ValueError:
                continue
    return found


@router.get("", response_class=HTMLResponse)
async def operator_home(request: Request) -> HTMLResponse:
    person_of(request, "operator")
    platform = portal_of(request).platform

    async def gauges(service: ServiceName) -> dict[str, float] | None:
        try:
            return gauges_of((await platform.raw(service, "/metrics")).text)
        except ServiceProblem:
            return None

    # The five reads are independent: side by side, the page waits for the slowest only.
    *figures, failed = await asyncio.gather(
        *(gauges(service) for service in SERVICES),
        read_or_none(request, "notifications", "/deliveries", status="FAILED", limit=50),
    )
    health = dict(zip(SERVICES, figures, strict=True))
    return await render(request, "operator/home.html", health=health, failed=failed or [])
