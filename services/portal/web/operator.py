"""The operator's pages: outbox and delivery health of each service, read from the services'
own /metrics, the notification deliveries that failed, and each service's dead-lettered
messages (its `GET /dead-letters`) with a redrive of the chosen ones after a confirmation
page (its `POST /dead-letters/redrive`)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.portal.adapters.platform import ServiceName, ServiceProblem
from services.portal.adapters.problems import Problem
from services.portal.web.base import (
    Forbidden,
    check_csrf,
    form_lists,
    notice,
    person_of,
    portal_of,
    render,
    see_other,
)
from services.portal.web.forms import attempt, read_or_none

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

    cache = portal_of(request).metrics_cache

    async def gauges(service: ServiceName) -> dict[str, float] | None:
        async def scrape() -> dict[str, float] | None:
            try:
                return gauges_of((await platform.raw(service, "/metrics")).text)
            except ServiceProblem:
                return None

        # Aggregate figures, the same for every operator: read at most every few seconds.
        found: dict[str, float] | None = await cache.get_or_read(
            f"metrics:{service}", scrape, keep=lambda _: True
        )
        return found

    # The reads are independent: side by side, the page waits for the slowest only.
    *figures, failed = await asyncio.gather(
        *(gauges(service) for service in SERVICES),
        read_or_none(request, "notifications", "/deliveries", status="FAILED", limit=50),
    )
    health = dict(zip(SERVICES, figures, strict=True))
    return await render(request, "operator/home.html", health=health, failed=failed or [])


def _service(name: str) -> ServiceName:
    for service in SERVICES:
        if service == name:
            return service
    raise Forbidden()


@router.get("/dead-letters/{service}", response_class=HTMLResponse)
async def dead_letters(request: Request, service: str) -> HTMLResponse:
    return await _dead_letters(request, _service(service))


async def _dead_letters(
    request: Request,
    service: ServiceName,
    *,
    problem: Problem | None = None,
    confirming: list[str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    person_of(request, "operator")
    answer = await read_or_none(request, service, "/dead-letters", limit=100)
    return await render(
        request,
        "operator/dead_letters.html",
        status_code=status_code,
        service=service,
        services=SERVICES,
        letters=None if answer is None else answer["items"],
        confirming=confirming or [],
        problem=problem,
    )


@router.post("/dead-letters/{service}/redrive", response_class=HTMLResponse)
async def redrive(request: Request, service: str) -> Response:
    """First the chosen ids come back on a confirmation page; only its confirm button
    (`confirm=yes`) makes the service redrive them."""
    name = _service(service)
    person_of(request, "operator")
    fields = await check_csrf(request)
    chosen = (await form_lists(request, "message_id"))["message_id"]
    if not chosen:
        nothing = Problem(422, "nothing_chosen", "")
        return await _dead_letters(request, name, problem=nothing, status_code=422)
    if fields.get("confirm") != "yes":
        return await _dead_letters(request, name, confirming=chosen)
    _, problem = await attempt(
        request, name, "POST", "/dead-letters/redrive", {"message_ids": chosen}
    )
    if problem:
        return await _dead_letters(request, name, problem=problem, status_code=422)
    notice(request, "redriven")
    return see_other(f"/operator/dead-letters/{name}")
