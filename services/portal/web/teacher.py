"""The teacher's pages: first registration, home (status, projects, answers to give),
partner search and proposals, a project's page, the NQL application, labels and
certificates, and the inbox (which every signed-in person has)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.portal.adapters.platform import ServiceProblem
from services.portal.adapters.problems import Problem
from services.portal.web.base import (
    bearer_of,
    check_csrf,
    forget_unread,
    notice,
    person_of,
    portal_of,
    render,
    see_other,
    session_of,
)
from services.portal.web.forms import attempt, integer, read, read_or_none, without_empty, words

router = APIRouter()
HOMES = {
    "teacher": "/teacher",
    "applicant": "/register",
    "nso": "/nso",
    "css": "/css",
    "operator": "/operator",
}
PROJECTS_PER_PAGE = 20  # newest first; the rest a click away (the page's size is its cost)
ELIGIBILITY = (
    "common_goals",
    "finished_or_nearly_finished",
    "contributed_to_all_activities",
    "partners_organised_collaborative_activities",
    "data_protection_and_copyright",
)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> Response:
    person = session_of(request).person
    if person is None:
        return await render(request, "welcome.html")
    return see_other(HOMES.get(person.role, "/signed-out"))


# --- first registration --------------------------------------------------------------------


@router.get("/register", response_class=HTMLResponse)
async def registration_page(
    request: Request, country: str = "", name: str = "", town: str = "", school_id: str = ""
) -> HTMLResponse:
    person = person_of(request, "applicant", "teacher")
    schools: list[dict[str, Any]] | None = None
    problem = None
    if country and len(name) >= 2:
        try:
            schools = await read(
                request,
                "registration",
                "/schools",
                country=country.upper(),
                name=name,
                town=town or None,
            )
        except ServiceProblem as error:
            problem = error.problem
    form = {
        "country": country,
        "name": name,
        "town": town,
        "school_id": school_id,
        "teacher_name": person.name,
        "email": person.email or "",
        "language": "",
    }
    return await render(
        request,
        "teacher/register.html",
        schools=schools,
        form=form,
        search_problem=problem,
        registered=person.role == "teacher",
    )


@router.post("/register/school", response_class=HTMLResponse)
async def create_school(request: Request) -> Response:
    person_of(request, "applicant")
    fields = await check_csrf(request)
    body = without_empty(
        {
            "name": fields.get("school_name"),
            "town": fields.get("school_town"),
            "country": (fields.get("school_country") or "").upper(),
            "kind": fields.get("school_kind"),
        }
    )
    school, problem = await attempt(request, "registration", "POST", "/schools", body)
    if problem:
        return await render(
            request,
            "teacher/register.html",
            status_code=422,
            schools=None,
            form=fields,
            school_problem=problem,
            problem=problem,
        )
    notice(request, "school_created")
    return see_other(
        f"/register?school_id={school['id']}&country={school['country']}&name={school['name']}"
    )


@router.post("/register", response_class=HTMLResponse)
async def register(request: Request) -> Response:
    person = person_of(request, "applicant")
    fields = await check_csrf(request)
    body = without_empty(
        {
            "name": fields.get("teacher_name"),
            "email": fields.get("email"),
            "role": fields.get("staff_role") or "teacher",
            "language": fields.get("language") or "en",
            "school_id": fields.get("school_id"),
            "subjects": words(fields.get("subjects")),
            "languages": words(fields.get("languages")),
            "pupil_age_min": integer(fields.get("pupil_age_min")),
            "pupil_age_max": integer(fields.get("pupil_age_max")),
        }
    )
    teacher, problem = await attempt(request, "registration", "POST", "/teachers", body)
    if problem:
        return await render(
            request,
            "teacher/register.html",
            status_code=422,
            schools=None,
            form=fields,
            problem=problem,
        )
    # The platform knows this person as a teacher from now on.
    person.role, person.teacher_id = "teacher", teacher["id"]
    person.country, person.language = teacher["country"], teacher["language"]
    return see_other("/teacher")


# --- home ----------------------------------------------------------------------------------


@router.get("/teacher", response_class=HTMLResponse)
async def teacher_home(request: Request, cursor: str | None = None) -> HTMLResponse:
    person = person_of(request, "teacher")
    profiles = portal_of(request).profile_cache
    profile, page = await asyncio.gather(
        # A validated profile changes no more by validation: kept a minute, for this teacher.
        profiles.get_or_read(
            f"profile:{person.teacher_id}",
            lambda: read(request, "registration", f"/teachers/{person.teacher_id}"),
            keep=lambda found: found.get("status") == "VALIDATED",
        ),
        # Projects learns of a new teacher through events: until then it does not know them.
        read_or_none(
            request,
            "projects",
            f"/teachers/{person.teacher_id}/projects",
            limit=PROJECTS_PER_PAGE,
            cursor=cursor,
        ),
    )
    projects = page["items"] if page else []
    to_answer = [
        p
        for p in projects
        if p["status"] == "PENDING_PARTNER" and p["cofounder_id"] == person.teacher_id
    ]
    invited = [p for p in projects if person.teacher_id in p.get("invited", [])]
    return await render(
        request,
        "teacher/home.html",
        projects_unknown=page is None,
        next_cursor=page.get("next_cursor") if page else None,
        profile=profile,
        projects=projects,
        to_answer=to_answer,
        invited=invited,
    )


@router.post("/projects/{project_id}/answer", response_class=HTMLResponse)
async def answer_cofounding(request: Request, project_id: str) -> Response:
    person_of(request, "teacher")
    fields = await check_csrf(request)
    body = without_empty({"accept": fields.get("accept") == "yes", "reason": fields.get("reason")})
    body.setdefault("accept", False)
    _, problem = await attempt(
        request, "projects", "POST", f"/projects/{project_id}/cofounder-answer", body
    )
    return await _back_to_project(request, project_id, problem, "answered")


@router.post("/projects/{project_id}/join", response_class=HTMLResponse)
async def join(request: Request, project_id: str) -> Response:
    person_of(request, "teacher")
    fields = await check_csrf(request)
    body = without_empty({"pupil_count": integer(fields.get("pupil_count"))})
    _, problem = await attempt(
        request, "projects", "POST", f"/projects/{project_id}/membership", body
    )
    return await _back_to_project(request, project_id, problem, "joined", fields)


@router.post("/projects/{project_id}/decline-invitation", response_class=HTMLResponse)
async def decline_invitation(request: Request, project_id: str) -> Response:
    person_of(request, "teacher")
    await check_csrf(request)
    _, problem = await attempt(
        request, "projects", "POST", f"/projects/{project_id}/invitation-decline"
    )
    if problem:
        return await _back_to_project(request, project_id, problem, "")
    return see_other("/teacher")


# --- partner search and proposals ----------------------------------------------------------


@router.get("/partners", response_class=HTMLResponse)
async def partners(
    request: Request,
    country: str = "",
    subject: str = "",
    language: str = "",
    age_from: str = "",
    age_to: str = "",
    q: str = "",
    after: str = "",
) -> HTMLResponse:
    person_of(request, "teacher", "nso", "css", "operator")
    form = {
        "country": country,
        "subject": subject,
        "language": language,
        "age_from": age_from,
        "age_to": age_to,
        "q": q,
    }
    results, problem = None, None
    if any(form.values()):
        try:
            results = await read(
                request,
                "registration",
                "/partners",
                country=country.upper() or None,
                subject=subject or None,
                language=language or None,
                age_from=integer(age_from),
                age_to=integer(age_to),
                q=q or None,
                after=after or None,
            )
        except ServiceProblem as error:
            problem = error.problem
    return await render(
        request, "teacher/partners.html", form=form, results=results, problem=problem
    )


@router.get("/projects/new", response_class=HTMLResponse)
async def proposal_form(
    request: Request, cofounder: str = "", cofounder_name: str = ""
) -> HTMLResponse:
    person_of(request, "teacher")
    form = {"cofounder_id": cofounder, "cofounder_name": cofounder_name}
    return await render(request, "teacher/propose.html", form=form)


@router.post("/projects/new", response_class=HTMLResponse)
async def propose(request: Request) -> Response:
    person_of(request, "teacher")
    fields = await check_csrf(request)
    body = without_empty(
        {
            "cofounder_id": fields.get("cofounder_id"),
            "title": fields.get("title"),
            "description": fields.get("description"),
            "subjects": words(fields.get("subjects")),
            "languages": words(fields.get("languages")),
            "pupil_age_min": integer(fields.get("pupil_age_min")),
            "pupil_age_max": integer(fields.get("pupil_age_max")),
        }
    )
    project, problem = await attempt(request, "projects", "POST", "/projects", body)
    if problem:
        return await render(
            request, "teacher/propose.html", status_code=422, form=fields, problem=problem
        )
    notice(request, "project_proposed")
    return see_other(f"/projects/{project['id']}")


# --- a project -----------------------------------------------------------------------------


@router.get("/projects/{project_id}", response_class=HTMLResponse)
async def project_page(request: Request, project_id: str) -> HTMLResponse:
    return await _project_page(request, project_id)


async def _project_page(
    request: Request,
    project_id: str,
    *,
    problem: Problem | None = None,
    action: str = "",
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    person = person_of(request, "teacher", "nso", "css", "operator")
    project = await read(request, "projects", f"/projects/{project_id}")
    applications: list[dict[str, Any]] = []
    if person.role == "teacher":
        applications = (
            await read_or_none(
                request,
                "awards",
                "/nql/applications",
                project_id=project_id,
                teacher_id=person.teacher_id,
            )
            or []
        )
    member = any(m["teacher_id"] == person.teacher_id for m in project["members"])
    return await render(
        request,
        "teacher/project.html",
        status_code=status_code,
        project=project,
        applications=applications,
        member=member,
        problem=problem,
        action=action,
        form=form or {},
    )


async def _back_to_project(
    request: Request,
    project_id: str,
    problem: Problem | None,
    done: str,
    fields: dict[str, str] | None = None,
    action: str = "",
) -> Response:
    if problem:
        return await _project_page(
            request,
            project_id,
            problem=problem,
            action=action or done,
            form=fields,
            status_code=422,
        )
    if done:
        notice(request, done)
    return see_other(f"/projects/{project_id}")


@router.post("/projects/{project_id}/invitations", response_class=HTMLResponse)
async def invite(request: Request, project_id: str) -> Response:
    person_of(request, "teacher")
    fields = await check_csrf(request)
    body = {"teacher_id": fields.get("teacher_id", "").strip()}
    _, problem = await attempt(
        request, "projects", "POST", f"/projects/{project_id}/invitations", body
    )
    return await _back_to_project(request, project_id, problem, "invited", fields, "invite")


@router.post("/projects/{project_id}/pupils", response_class=HTMLResponse)
async def pupils(request: Request, project_id: str) -> Response:
    person_of(request, "teacher")
    fields = await check_csrf(request)
    body = {"pupil_count": integer(fields.get("pupil_count"))}
    _, problem = await attempt(request, "projects", "PUT", f"/projects/{project_id}/pupils", body)
    return await _back_to_project(request, project_id, problem, "pupils_recorded", fields, "pupils")


@router.post("/projects/{project_id}/activities", response_class=HTMLResponse)
async def activity(request: Request, project_id: str) -> Response:
    person_of(request, "teacher")
    fields = await check_csrf(request)
    body = {"title": fields.get("activity_title", "")}
    _, problem = await attempt(
        request, "projects", "POST", f"/projects/{project_id}/activities", body
    )
    return await _back_to_project(
        request, project_id, problem, "activity_recorded", fields, "activity"
    )


@router.post("/projects/{project_id}/completion", response_class=HTMLResponse)
async def complete(request: Request, project_id: str) -> Response:
    person_of(request, "teacher")
    await check_csrf(request)
    _, problem = await attempt(request, "projects", "POST", f"/projects/{project_id}/completion")
    return await _back_to_project(request, project_id, problem, "completed", None, "complete")


# --- the National Quality Label ------------------------------------------------------------


@router.get("/projects/{project_id}/nql", response_class=HTMLResponse)
async def nql_form(request: Request, project_id: str) -> HTMLResponse:
    return await _nql_form(request, project_id)


async def _nql_form(
    request: Request,
    project_id: str,
    *,
    form: dict[str, str] | None = None,
    problem: Problem | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    person = person_of(request, "teacher")
    project = await read(request, "projects", f"/projects/{project_id}")
    rubric = await read(request, "awards", f"/nql/rubrics/{person.country or 'XX'}")
    return await render(
        request,
        "teacher/nql_apply.html",
        status_code=status_code,
        project=project,
        rubric=rubric,
        questions=ELIGIBILITY,
        form=form or {},
        problem=problem,
    )


@router.post("/projects/{project_id}/nql", response_class=HTMLResponse)
async def apply_for_nql(request: Request, project_id: str) -> Response:
    person_of(request, "teacher")
    fields = await check_csrf(request)
    criteria = [key for key in fields if key.startswith("evidence_")]
    text = "\n\n".join(
        f"[{key.removeprefix('evidence_')}] {fields[key].strip()}"
        for key in criteria
        if fields[key].strip()
    )
    body = {
        "answers": {question: fields.get(question) == "yes" for question in ELIGIBILITY},
        "evidence": {"text": text, "links": words(fields.get("links"))},
    }
    application, problem = await attempt(
        request, "awards", "POST", f"/nql/projects/{project_id}/applications", body
    )
    if problem:
        return await _nql_form(request, project_id, form=fields, problem=problem, status_code=422)
    notice(request, "nql_applied")
    return see_other(f"/nql/{application['id']}")


@router.get("/nql", response_class=HTMLResponse)
async def my_labels(request: Request) -> HTMLResponse:
    person = person_of(request, "teacher")
    applications = await read(request, "awards", "/nql/applications", teacher_id=person.teacher_id)
    labels = await read(request, "awards", "/nql/labels", teacher_id=person.teacher_id)
    return await render(request, "teacher/labels.html", applications=applications, labels=labels)


@router.get("/nql/{application_id}", response_class=HTMLResponse)
async def nql_application(request: Request, application_id: str) -> HTMLResponse:
    person_of(request, "teacher", "nso", "css", "operator")
    application = await read(request, "awards", f"/nql/applications/{application_id}")
    return await render(request, "teacher/application.html", application=application)


@router.get("/nql/applications/{application_id}/certificate.pdf")
async def nql_certificate(request: Request, application_id: str) -> Response:
    """The path the certificate mail links to, when awards' public URL is the portal's."""
    person_of(request, "teacher", "nso", "css", "operator")
    return await _pdf(request, f"/nql/applications/{application_id}/certificate.pdf")


@router.get("/eql/labels/{label_id}/certificate.pdf")
async def eql_certificate(request: Request, label_id: str) -> Response:
    person_of(request, "teacher", "nso", "css", "operator")
    return await _pdf(request, f"/eql/labels/{label_id}/certificate.pdf")


@router.get("/certificates/{code}", response_class=HTMLResponse)
async def verify(request: Request, code: str) -> HTMLResponse:
    """Anyone checks a certificate's code; no sign-in."""
    found = await read_or_none(request, "awards", f"/certificates/{code}")
    return await render(request, "verify.html", code=code, found=found)


async def _pdf(request: Request, path: str) -> Response:
    answer = await portal_of(request).platform.call(
        "awards", "GET", path, bearer=bearer_of(request)
    )
    disposition = answer.headers.get(
        "content-disposition", 'attachment; filename="certificate.pdf"'
    )
    return Response(
        answer.content,
        media_type=answer.headers.get("content-type", "application/pdf"),
        headers={"Content-Disposition": disposition},
    )


# --- the inbox -----------------------------------------------------------------------------


@router.get("/inbox", response_class=HTMLResponse)
async def inbox(request: Request) -> HTMLResponse:
    person_of(request, "teacher", "nso", "css", "operator")
    forget_unread(request)
    items = await read_or_none(request, "notifications", "/inbox", limit=100)
    return await render(request, "inbox.html", items=items)


@router.post("/inbox/{item_id}/read", response_class=HTMLResponse)
async def mark_read(request: Request, item_id: str) -> Response:
    person_of(request, "teacher", "nso", "css", "operator")
    await check_csrf(request)
    item, problem = await attempt(request, "notifications", "POST", f"/inbox/{item_id}/read")
    forget_unread(request)
    if item is not None and request.headers.get("HX-Request"):
        return await render(request, "inbox_item.html", item=item, oob=True)  # swapped in place
    if problem:
        items = await read_or_none(request, "notifications", "/inbox", limit=100)
        return await render(
            request, "inbox.html", status_code=422, items=items, problem=problem, action=item_id
        )
    return see_other("/inbox")
