"""The NSO's pages (their own country only; the services enforce it): the validation queue,
project approvals, the NQL evaluation queue with the rubric as a form, and the EQL
candidates of the country with the quota and nominations."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.portal.adapters.problems import Problem
from services.portal.web.base import check_csrf, notice, person_of, render, see_other
from services.portal.web.forms import attempt, read, read_or_none
from shared.clock import Clock

router = APIRouter(prefix="/nso")


def current_year(request: Request) -> int:
    """The label year a page opens on, by the portal's clock (its composition root's; tests
    set it): the school year now running, named by the calendar year it ends in (September
    on belongs to the next year's round, as awards counts NQLs)."""
    clock: Clock = request.app.state.clock
    moment = clock.now()
    return moment.year + 1 if moment.month >= 9 else moment.year


@router.get("", response_class=HTMLResponse)
async def nso_home(request: Request) -> HTMLResponse:
    return await _home(request)


async def _home(
    request: Request,
    *,
    problem: Problem | None = None,
    action: str = "",
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    person = person_of(request, "nso")
    waiting, approvals = await asyncio.gather(
        read(request, "registration", "/teachers"),
        read(request, "projects", "/projects", country=person.country, status="PENDING_NSO",
             limit=50),
    )  # fmt: skip
    return await render(
        request,
        "nso/home.html",
        status_code=status_code,
        waiting=waiting,
        approvals=approvals["items"],
        problem=problem,
        action=action,
        form=form or {},
    )


@router.post("/teachers/{teacher_id}/validation", response_class=HTMLResponse)
async def validate(request: Request, teacher_id: str) -> Response:
    person_of(request, "nso")
    await check_csrf(request)
    _, problem = await attempt(
        request, "registration", "POST", f"/teachers/{teacher_id}/validation"
    )
    if problem:
        return await _home(
            request, problem=problem, action=f"teacher:{teacher_id}", status_code=422
        )
    notice(request, "teacher_validated")
    return see_other("/nso")


@router.post("/teachers/{teacher_id}/rejection", response_class=HTMLResponse)
async def reject(request: Request, teacher_id: str) -> Response:
    person_of(request, "nso")
    fields = await check_csrf(request)
    body = {"reason": fields.get("reason", "")}
    _, problem = await attempt(
        request, "registration", "POST", f"/teachers/{teacher_id}/rejection", body
    )
    if problem:
        return await _home(
            request, problem=problem, action=f"teacher:{teacher_id}", form=fields, status_code=422
        )
    notice(request, "teacher_rejected")
    return see_other("/nso")


@router.post("/projects/{project_id}/decision", response_class=HTMLResponse)
async def decide_project(request: Request, project_id: str) -> Response:
    person_of(request, "nso")
    fields = await check_csrf(request)
    body = {"approve": fields.get("approve") == "yes", "reason": fields.get("reason") or None}
    _, problem = await attempt(
        request, "projects", "POST", f"/projects/{project_id}/nso-decision", body
    )
    if problem:
        return await _home(
            request, problem=problem, action=f"project:{project_id}", form=fields, status_code=422
        )
    notice(request, "project_decided")
    return see_other("/nso")


# --- NQL evaluation ------------------------------------------------------------------------


@router.get("/nql", response_class=HTMLResponse)
async def nql_queue(request: Request) -> HTMLResponse:
    person_of(request, "nso")
    queue = await read(request, "awards", "/nql/queue")
    return await render(request, "nso/nql_queue.html", queue=queue)


@router.get("/nql/{application_id}", response_class=HTMLResponse)
async def evaluation_form(request: Request, application_id: str) -> HTMLResponse:
    return await _evaluation(request, application_id)


async def _evaluation(
    request: Request,
    application_id: str,
    *,
    form: dict[str, str] | None = None,
    problem: Problem | None = None,
    preview: dict[str, object] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    person = person_of(request, "nso")
    application = await read(request, "awards", f"/nql/applications/{application_id}")
    project = await read_or_none(request, "projects", f"/projects/{application['project_id']}")
    rubric = await read(request, "awards", f"/nql/rubrics/{person.country}")
    return await render(
        request,
        "nso/evaluate.html",
        status_code=status_code,
        application=application,
        project=project,
        rubric=rubric,
        form=form or {},
        problem=problem,
        preview=preview,
    )


@router.post("/nql/{application_id}", response_class=HTMLResponse)
async def evaluate(request: Request, application_id: str) -> Response:
    person_of(request, "nso")
    fields = await check_csrf(request)
    scores: dict[str, int | str] = {}
    for key, value in fields.items():
        if key.startswith("score_"):
            scores[key.removeprefix("score_")] = int(value) if value.strip().isdigit() else value
    if fields.get("intent") == "preview":
        # The decision these scores would give, by awards' own rule; nothing is stored and
        # the typed scores and feedback stay in the form.
        decision, problem = await attempt(
            request, "awards", "POST", f"/nql/applications/{application_id}/evaluation-preview",
            {"scores": scores},
        )  # fmt: skip
        return await _evaluation(
            request, application_id, form=fields, problem=problem, preview=decision,
            status_code=422 if problem else 200,
        )  # fmt: skip
    body = {"scores": scores}
    _, problem = await attempt(
        request, "awards", "POST", f"/nql/applications/{application_id}/evaluation", body
    )
    if problem:
        return await _evaluation(
            request, application_id, form=fields, problem=problem, status_code=422
        )
    notice(request, "application_evaluated")
    return see_other(f"/nso/nql/{application_id}")


# --- EQL candidates ------------------------------------------------------------------------


@router.get("/eql", response_class=HTMLResponse)
async def eql_candidates(request: Request, year: int | None = None) -> HTMLResponse:
    return await _eql(request, year or current_year(request))


async def _eql(
    request: Request,
    year: int,
    *,
    problem: Problem | None = None,
    action: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    person_of(request, "nso")
    candidates = await read_or_none(request, "awards", f"/eql/rounds/{year}/candidates")
    return await render(
        request,
        "nso/eql.html",
        status_code=status_code,
        year=year,
        candidates=candidates,
        problem=problem,
        action=action,
    )


@router.post("/eql/{year}/nominations", response_class=HTMLResponse)
async def nominate(request: Request, year: int) -> Response:
    person_of(request, "nso")
    fields = await check_csrf(request)
    body = {"project_id": fields.get("project_id", "")}
    _, problem = await attempt(request, "awards", "POST", f"/eql/rounds/{year}/nominations", body)
    if problem:
        return await _eql(
            request, year, problem=problem, action=body["project_id"], status_code=422
        )
    notice(request, "nominated")
    return see_other(f"/nso/eql?year={year}")
