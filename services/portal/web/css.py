"""The CSS's pages: the EQL round (open, follow candidates and nominations, confirm or refuse
nominees with a reason, close with its progress), the School Label eligibility run, and the
European Prizes' entries and winners."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.portal.adapters.problems import Problem
from services.portal.web.base import (
    check_csrf,
    form_lists,
    notice,
    person_of,
    render,
    see_other,
)
from services.portal.web.forms import attempt, integer, read_or_none
from services.portal.web.nso import current_year

router = APIRouter(prefix="/css")


@router.get("", response_class=HTMLResponse)
async def css_home(
    request: Request, year: int | None = None, job: str | None = None
) -> HTMLResponse:
    return await _home(request, year or current_year(request), job=job)


async def _home(
    request: Request,
    year: int,
    *,
    problem: Problem | None = None,
    action: str = "",
    status_code: int = 200,
    run: dict[str, object] | None = None,
    job: str | None = None,
) -> HTMLResponse:
    person_of(request, "css")
    eql_round = await read_or_none(request, "awards", f"/eql/rounds/{year}")
    # Opening runs as a job: until the round exists, the page shows that job's progress.
    opening = (
        await read_or_none(request, "awards", f"/jobs/{job}") if job and not eql_round else None
    )
    nominations = (
        await read_or_none(request, "awards", f"/eql/rounds/{year}/nominations")
        if eql_round
        else None
    )
    return await render(
        request,
        "css/home.html",
        status_code=status_code,
        year=year,
        eql_round=eql_round,
        nominations=nominations or [],
        problem=problem,
        action=action,
        run=run,
        opening=opening,
    )


@router.post("/eql/rounds", response_class=HTMLResponse)
async def open_round(request: Request) -> Response:
    person_of(request, "css")
    fields = await check_csrf(request)
    year = integer(fields.get("year"))
    job, problem = await attempt(request, "awards", "POST", "/eql/rounds", {"year": year})
    shown = year if isinstance(year, int) else current_year(request)
    if problem:
        return await _home(request, shown, problem=problem, action="open", status_code=422)
    notice(request, "round_opened")
    job_id = job.get("job_id") if isinstance(job, dict) else None
    return see_other(f"/css?year={shown}" + (f"&job={job_id}" if job_id else ""))


@router.post("/eql/rounds/{year}/closure", response_class=HTMLResponse)
async def close_round(request: Request, year: int) -> Response:
    person_of(request, "css")
    fields = await check_csrf(request)
    # Before the nominations deadline the service closes only when told to (R-EQL-1): the
    # CSS ticks the box to decide that.
    body = {"force": True} if fields.get("force") == "yes" else None
    _, problem = await attempt(request, "awards", "POST", f"/eql/rounds/{year}/closure", body)
    if problem:
        return await _home(request, year, problem=problem, action="close", status_code=422)
    notice(request, "round_closed")
    return see_other(f"/css?year={year}")


@router.post("/eql/rounds/{year}/reviews", response_class=HTMLResponse)
async def review_nominations(request: Request, year: int) -> Response:
    """The chosen nominations confirmed, or refused with the reason their NSO is told (one
    verdict for all of them; awards records all or none)."""
    person_of(request, "css")
    fields = await check_csrf(request)
    chosen = (await form_lists(request, "project_id"))["project_id"]
    outcome, reason = fields.get("outcome", ""), fields.get("reason", "").strip()
    if not chosen:
        nothing = Problem(422, "nothing_chosen", "")
        return await _home(request, year, problem=nothing, action="review", status_code=422)
    reviews = [{"project_id": p, "outcome": outcome, "reason": reason} for p in chosen]
    _, problem = await attempt(
        request, "awards", "POST", f"/eql/rounds/{year}/nominations/reviews", {"reviews": reviews}
    )
    if problem:
        return await _home(request, year, problem=problem, action="review", status_code=422)
    notice(request, "nominations_reviewed")
    return see_other(f"/css?year={year}")


@router.post("/eql/rounds/{year}/nominations/{project_id}/review", response_class=HTMLResponse)
async def review_nomination(request: Request, year: int, project_id: str) -> Response:
    """R-EQL-5: the CSS confirms or refuses (with a reason) each nomination; the round closes
    only once every one is reviewed."""
    person_of(request, "css")
    fields = await check_csrf(request)
    review = {
        "project_id": project_id,
        "outcome": fields.get("outcome", ""),
        "reason": fields.get("reason", ""),
    }
    _, problem = await attempt(
        request, "awards", "POST", f"/eql/rounds/{year}/nominations/reviews", {"reviews": [review]}
    )
    if problem:
        return await _home(request, year, problem=problem, action="review", status_code=422)
    notice(request, "nomination_reviewed")
    return see_other(f"/css?year={year}")


@router.get("/candidates", response_class=HTMLResponse)
async def candidates(request: Request, year: int, country: str = "") -> HTMLResponse:
    person_of(request, "css")
    found = await read_or_none(
        request, "awards", f"/eql/rounds/{year}/candidates", country=country.upper() or None
    )
    return await render(
        request, "css/candidates.html", year=year, country=country, candidates=found
    )


@router.post("/school-label/{year}/eligibility-run", response_class=HTMLResponse)
async def school_label_run(request: Request, year: int) -> Response:
    person_of(request, "css")
    await check_csrf(request)
    run, problem = await attempt(
        request, "awards", "POST", f"/school-label/rounds/{year}/eligibility-run"
    )
    return await _home(
        request,
        year,
        problem=problem,
        action="school_label",
        status_code=422 if problem else 200,
        run=run,
    )


@router.get("/prizes", response_class=HTMLResponse)
async def prizes(request: Request, year: int | None = None) -> HTMLResponse:
    return await _prizes(request, year or current_year(request))


async def _prizes(
    request: Request,
    year: int,
    *,
    problem: Problem | None = None,
    action: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    person_of(request, "css")
    entries = await read_or_none(request, "awards", f"/prizes/{year}/entries") or []
    winners = await read_or_none(request, "awards", f"/prizes/{year}/winners") or []
    return await render(
        request,
        "css/prizes.html",
        status_code=status_code,
        year=year,
        entries=entries,
        winners=winners,
        problem=problem,
        action=action,
    )


@router.post("/prizes/{year}/winners", response_class=HTMLResponse)
async def record_winner(request: Request, year: int) -> Response:
    person_of(request, "css")
    fields = await check_csrf(request)
    body = {"project_id": fields.get("project_id", "")}
    _, problem = await attempt(request, "awards", "POST", f"/prizes/{year}/winners", body)
    if problem:
        return await _prizes(
            request, year, problem=problem, action=body["project_id"], status_code=422
        )
    notice(request, "winner_recorded")
    return see_other(f"/css/prizes?year={year}")
