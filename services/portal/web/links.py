"""The pages the links in notices open that no other page module serves: the school head's
confirmations (a teacher's registration, R-REG-3; the School Label declaration, R-SCH-2),
public, the link's secret being the authority; a teacher's School Label application (the
eligibility notice's link); and the paths notices name for pages that
live elsewhere in the portal (redirects, so each page exists once)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.portal.web.base import check_csrf, person_of, render, see_other
from services.portal.web.forms import attempt, read, read_or_none

router = APIRouter()


# --- the school head: no account, the token in the link is the authority -------------------


@router.get("/head-confirmations/{token}", response_class=HTMLResponse)
async def head_confirmation(request: Request, token: str) -> HTMLResponse:
    """Registration keeps no page of what the head confirms: the mail named the teacher and
    the school; the confirmation's answer names them again."""
    return await render(request, "head_confirmation.html", token=token, confirmed=None)


@router.post("/head-confirmations/{token}", response_class=HTMLResponse)
async def confirm_teacher(request: Request, token: str) -> HTMLResponse:
    await check_csrf(request)
    confirmed, problem = await attempt(
        request, "registration", "POST", f"/head-confirmations/{token}"
    )
    return await render(
        request,
        "head_confirmation.html",
        status_code=422 if problem else 200,
        token=token,
        confirmed=confirmed,
        problem=problem,
    )


@router.get("/school-label/head-confirmations/{token}", response_class=HTMLResponse)
async def school_label_declaration(request: Request, token: str) -> HTMLResponse:
    application = await read_or_none(request, "awards", f"/school-label/head-confirmations/{token}")
    return await render(
        request,
        "school_label_head.html",
        status_code=200 if application else 404,
        token=token,
        application=application,
    )


@router.post("/school-label/head-confirmations/{token}", response_class=HTMLResponse)
async def confirm_declaration(request: Request, token: str) -> HTMLResponse:
    await check_csrf(request)
    application, problem = await attempt(
        request, "awards", "POST", f"/school-label/head-confirmations/{token}"
    )
    return await render(
        request,
        "school_label_head.html",
        status_code=422 if problem else 200,
        token=token,
        application=application,
        problem=problem,
        confirmed=problem is None,
    )


# --- a teacher's School Label application, where the eligibility notice links --------------


@router.get("/school-label/{year}/schools/{school_id}/application", response_class=HTMLResponse)
async def school_label_form(request: Request, year: int, school_id: str) -> HTMLResponse:
    person_of(request, "teacher")
    return await render(
        request, "teacher/school_label_apply.html", year=year, school_id=school_id, applied=False
    )


@router.post("/school-label/{year}/schools/{school_id}/application", response_class=HTMLResponse)
async def apply_for_school_label(request: Request, year: int, school_id: str) -> HTMLResponse:
    person_of(request, "teacher")
    fields = await check_csrf(request)
    body = {"school_id": school_id, "year": year, "head_name": fields.get("head_name", ""),
            "statement": fields.get("statement", "")}  # fmt: skip
    _, problem = await attempt(request, "awards", "POST", "/school-label/applications", body)
    return await render(
        request,
        "teacher/school_label_apply.html",
        status_code=422 if problem else 200,
        year=year,
        school_id=school_id,
        applied=problem is None,
        form=fields,
        problem=problem,
    )


# --- the NSO's validation queue, with each country's verification (head confirmed) ----------


@router.get("/nso/validations", response_class=HTMLResponse)
async def validation_queue(request: Request) -> HTMLResponse:
    """The queue the registration mail links to: the NSO's own forms (validate, reject) with
    how the country verifies each teacher and whether the school head confirmed."""
    person = person_of(request, "nso")
    waiting = await read(request, "registration", "/validations", country=person.country)
    return await render(request, "nso/validations.html", waiting=waiting)


# --- paths notices name for pages served under another path ---------------------------------


@router.get("/nso/evaluations/{application_id}")
async def evaluation(request: Request, application_id: str) -> Response:
    person_of(request, "nso")
    return see_other(f"/nso/nql/{application_id}")


@router.get("/eql/certificates/{code}")
async def eql_verification(code: str) -> Response:
    """The EQL certificate's verification link: the one public check page serves both."""
    return see_other(f"/certificates/{code}")
