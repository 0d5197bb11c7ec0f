"""The teacher's European Prizes page: enter one of their EQL projects of a year's round in an
age category (R-PRZ-1), and see the entries they submitted and the year's winners."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.portal.adapters.problems import Problem
from services.portal.web.base import check_csrf, notice, person_of, render, see_other
from services.portal.web.forms import attempt, read_or_none
from services.portal.web.nso import current_year

router = APIRouter(prefix="/prizes")


@router.get("", response_class=HTMLResponse)
async def my_prizes(request: Request, year: int | None = None) -> HTMLResponse:
    return await _page(request, year or current_year(request))


async def _page(
    request: Request,
    year: int,
    *,
    problem: Problem | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    person = person_of(request, "teacher")
    categories, entries, labels = await asyncio.gather(
        read_or_none(request, "awards", "/prizes/categories"),
        read_or_none(request, "awards", f"/prizes/{year}/entries"),
        read_or_none(request, "awards", "/eql/labels", teacher_id=person.teacher_id, year=year),
    )
    # One EQL per recipient: a project shows once however many of its teachers hold one.
    projects = {label["project_id"]: label["project_title"] for label in labels or []}
    return await render(
        request,
        "teacher/prizes.html",
        status_code=status_code,
        year=year,
        categories=categories or [],
        entries=entries or [],
        projects=projects,
        problem=problem,
        form=form or {},
    )


@router.post("/{year}/entries", response_class=HTMLResponse)
async def enter(request: Request, year: int) -> Response:
    person_of(request, "teacher")
    fields = await check_csrf(request)
    body = {"project_id": fields.get("project_id", ""), "category": fields.get("category", "")}
    _, problem = await attempt(request, "awards", "POST", f"/prizes/{year}/entries", body)
    if problem:
        return await _page(request, year, problem=problem, form=fields, status_code=422)
    notice(request, "prize_entered")
    return see_other(f"/prizes?year={year}")
