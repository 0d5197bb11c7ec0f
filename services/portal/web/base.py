"""What every page handler uses: the session, the signed-in person, CSRF, rendering, and the
service problems shown next to the field or action they concern."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from services.portal.adapters.cache import TtlCache
from services.portal.adapters.credentials import BearerSource
from services.portal.adapters.platform import Platform, ServiceProblem
from services.portal.adapters.problems import Problem
from services.portal.adapters.sessions import Person, PortalSession, SessionStore, new_session
from services.portal.web.i18n import LANGUAGES, Localizer, page_language

SESSION_KEY = "sid"
UNREAD_MAX_AGE_SECONDS = 20.0
METRICS_TTL_SECONDS = 10.0  # the operator's figures: a scrape interval's worth of age
PROFILE_TTL_SECONDS = 60.0  # a validated teacher's profile (validation is final)


class SignInRequired(Exception):
    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class Forbidden(Exception):
    pass


class CsrfRejected(Exception):
    pass


@dataclass
class Portal:
    """The portal's collaborators, built by the composition root (app.state.portal)."""

    platform: Platform
    sessions: SessionStore
    bearer: BearerSource
    templates: Jinja2Templates
    translations: dict[str, Any]
    metrics_cache: TtlCache = field(default_factory=lambda: TtlCache(METRICS_TTL_SECONDS))
    profile_cache: TtlCache = field(default_factory=lambda: TtlCache(PROFILE_TTL_SECONDS))


def portal_of(request: Request) -> Portal:
    portal: Portal = request.app.state.portal
    return portal


async def load_session(request: Request) -> None:
    """Before the page: the session the cookie names, if the store still has it (and what it
    was, so `save_session` writes only a changed one)."""
    session = await portal_of(request).sessions.load(request.session.get(SESSION_KEY))
    request.state.portal_session = session
    request.state.portal_session_was = session.document() if session else None


async def save_session(request: Request) -> None:
    session: PortalSession | None = getattr(request.state, "portal_session", None)
    if session is None:
        return
    if session.document() != getattr(request.state, "portal_session_was", None):
        await portal_of(request).sessions.save(session)


def session_of(request: Request) -> PortalSession:
    """The person's session, started on first sight (the CSRF token exists before sign-in);
    saved at the end of the request."""
    existing = getattr(request.state, "portal_session", None)
    if existing is not None:
        return existing  # type: ignore[no-any-return]
    session = new_session(portal_of(request).sessions.lifetime_seconds)
    request.session[SESSION_KEY] = session.id
    request.state.portal_session = session
    request.state.portal_session_was = None
    return session


def person_of(request: Request, *roles: str) -> Person:
    person = session_of(request).person
    if person is None:
        raise SignInRequired(
            request.url.path + (f"?{request.url.query}" if request.url.query else "")
        )
    if roles and person.role not in roles:
        raise Forbidden()
    return person


def bearer_of(request: Request) -> str | None:
    return portal_of(request).bearer.bearer_for(session_of(request))


async def check_csrf(request: Request) -> dict[str, str]:
    """The form's fields, once its CSRF token matched the session's (or htmx's header did)."""
    form = await request.form()
    fields = {key: str(value) for key, value in form.items() if isinstance(value, str)}
    sent = fields.pop("csrf_token", None) or request.headers.get("X-CSRF-Token")
    if not sent or sent != session_of(request).csrf_token:
        raise CsrfRejected()
    return fields


async def form_lists(request: Request, *names: str) -> dict[str, list[str]]:
    form = await request.form()
    return {name: [str(v) for v in form.getlist(name)] for name in names}


def localizer_of(request: Request) -> Localizer:
    session = session_of(request)
    person = session.person
    language = page_language(
        session.language,
        person.language if person else None,
        request.headers.get("accept-language"),
    )
    return Localizer(language, portal_of(request).translations[language])


async def unread_count(request: Request) -> int | None:
    """The inbox's unread count, read at most every UNREAD_MAX_AGE_SECONDS per session: it
    shows on every page without costing every page a service call."""
    session = session_of(request)
    if session.person is None or session.person.role in ("applicant", "operator"):
        return None
    cached = session.unread_cache
    if cached is not None and cached[0] > time.time():
        return cached[1]
    try:
        answer = await portal_of(request).platform.get(
            "notifications", "/inbox/unread-count", bearer=bearer_of(request)
        )
        count: int | None = int(answer["unread"])
    except ServiceProblem:
        count = None
    session.unread_cache = (time.time() + UNREAD_MAX_AGE_SECONDS, count)
    return count


def forget_unread(request: Request) -> None:
    session_of(request).unread_cache = None


def problem_text(localizer: Localizer, problem: Problem) -> str:
    """The service's problem in the person's language: a translated sentence for the codes
    the catalog knows, with the service's own detail after it."""
    key = f"problem.{problem.code}"
    translated = localizer.gettext(key)
    if translated == key:
        translated = localizer.gettext("The request was refused (%(code)s).", code=problem.code)
    rule = f" [{problem.rule}]" if problem.rule else ""
    return f"{translated}{rule} — {problem.detail}" if problem.detail else translated + rule


async def render(
    request: Request, template: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    session = session_of(request)
    localizer = localizer_of(request)
    problem: Problem | None = context.get("problem")
    field_errors = dict(problem.fields) if problem else {}
    return portal_of(request).templates.TemplateResponse(
        request,
        template,
        {
            "_": localizer.gettext,
            "l10n": localizer,
            "lang": localizer.language,
            "languages": LANGUAGES,
            "csrf_token": session.csrf_token,
            "person": session.person,
            "unread": await unread_count(request),
            "problem_text": problem_text(localizer, problem) if problem else None,
            "field_errors": field_errors,
            "notices": _take_notices(session),
            "form": {},
            **context,
        },
        status_code=status_code,
    )


def notice(request: Request, text: str) -> None:
    session_of(request).notices.append(text)


def _take_notices(session: PortalSession) -> list[str]:
    notices, session.notices = session.notices, []
    return notices


def see_other(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)
