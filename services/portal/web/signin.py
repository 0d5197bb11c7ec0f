"""Sign-in with OpenID Connect (authorization code + PKCE, Authlib's Starlette client),
sign-out that ends the portal session (and the provider's, where it offers end_session), and
the language switch."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from authlib.integrations.starlette_client import OAuth, OAuthError
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.portal.adapters.platform import ServiceProblem
from services.portal.adapters.sessions import Person
from services.portal.config import PortalSettings
from services.portal.web.base import (
    SESSION_KEY,
    bearer_of,
    check_csrf,
    portal_of,
    render,
    see_other,
    session_of,
)
from services.portal.web.i18n import LANGUAGES

router = APIRouter()
ROLES = ("applicant", "teacher", "nso", "css", "operator")


def discovery_url(settings: PortalSettings) -> str:
    """The back-channel discovery URL when one is set (Keycloak, asked from inside the compose
    network with KC_HOSTNAME_BACKCHANNEL_DYNAMIC, answers the public authorization endpoint
    and issuer with internal token and key endpoints)."""
    if settings.oidc_discovery_url:
        return settings.oidc_discovery_url
    return settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration"


def oauth_client(settings: PortalSettings, cache: Any) -> Any:
    oauth = OAuth(cache=cache)
    oauth.register(
        "platform",
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret.get_secret_value(),
        server_metadata_url=discovery_url(settings),
        client_kwargs={"scope": settings.oidc_scope, "code_challenge_method": "S256"},
    )
    return oauth.create_client("platform")


def person_from_claims(claims: dict[str, Any]) -> Person:
    """The provider's claims: `role` (or a `groups` entry naming one), `teacher_id` and
    `country`; someone the platform does not know yet is an applicant (first registration)."""
    role, country = claims.get("role"), claims.get("country")
    if role not in ROLES:
        role = "applicant"
        for group in claims.get("groups") or []:
            name = str(group).rstrip("/").rsplit("/", 1)[-1]  # Keycloak sends full paths
            if name in ROLES:
                role = name
            elif name.startswith("nso-") and len(name) == 6:  # the services' reading of groups
                role, country = "nso", name[4:].upper()
    locale = str(claims.get("locale") or "")[:2].lower()
    return Person(
        subject=str(claims["sub"]),
        name=str(claims.get("name") or claims.get("preferred_username") or claims["sub"]),
        email=claims.get("email"),
        role=role,
        teacher_id=claims.get("teacher_id"),
        country=country,
        language=locale if locale in LANGUAGES else None,
    )


@router.get("/login")
async def login(request: Request, next: str = "/") -> Response:
    settings: PortalSettings = request.app.state.settings
    session_of(request)
    request.session["next"] = next if next.startswith("/") and not next.startswith("//") else "/"
    redirect_uri = settings.portal_base_url.rstrip("/") + "/auth/callback"
    response: Response = await request.app.state.oidc.authorize_redirect(request, redirect_uri)
    return response


@router.get("/auth/callback", response_model=None)
async def callback(request: Request) -> Response:
    try:
        token = await request.app.state.oidc.authorize_access_token(request)
    except OAuthError as error:
        return await render(
            request,
            "signed_out.html",
            status_code=400,
            sign_in_error=error.description or error.error,
        )
    session = session_of(request)
    claims = dict(token.get("userinfo") or {})
    session.person = person_from_claims(claims)
    session.access_token = token.get("access_token")
    session.id_token = token.get("id_token")
    session.unread_cache = None
    await _as_the_platform_knows(request)
    return see_other(request.session.pop("next", "/"))


async def _as_the_platform_knows(request: Request) -> None:
    """Who the services take this person for (registration's `/me`: staff role and country
    from the provider's groups, the teacher a subject registered as), then a teacher's profile
    language. Either read failing leaves what the ID token said."""
    person = session_of(request).person
    if person is None:
        return
    platform, bearer = portal_of(request).platform, bearer_of(request)
    try:
        me = await platform.get("registration", "/me", bearer=bearer)
        person.role = me.get("role") or person.role
        person.teacher_id = me.get("teacher_id") or person.teacher_id
        person.country = me.get("country") or person.country
    except ServiceProblem:
        pass
    if person.role != "teacher" or not person.teacher_id:
        return
    try:
        profile = await platform.get(
            "registration", f"/teachers/{person.teacher_id}", bearer=bearer_of(request)
        )
    except ServiceProblem:
        return
    if profile.get("language") in LANGUAGES:
        person.language = profile["language"]
    person.country = person.country or profile.get("country")


@router.post("/logout")
async def logout(request: Request) -> Response:
    await check_csrf(request)
    session = session_of(request)
    id_token = session.id_token
    await portal_of(request).sessions.end(session.id)
    request.session.clear()
    request.state.portal_session = None
    settings: PortalSettings = request.app.state.settings
    after = settings.portal_base_url.rstrip("/") + "/signed-out"
    end_session = None
    try:
        metadata = await request.app.state.oidc.load_server_metadata()
        end_session = metadata.get("end_session_endpoint")
    except Exception:
        end_session = None
    if end_session and id_token:
        query = urlencode({"id_token_hint": id_token, "post_logout_redirect_uri": after})
        return RedirectResponse(f"{end_session}?{query}", status_code=303)
    return see_other("/signed-out")


@router.get("/signed-out", response_class=HTMLResponse)
async def signed_out(request: Request) -> HTMLResponse:
    return await render(request, "signed_out.html")


@router.post("/language")
async def switch_language(request: Request) -> Response:
    fields = await check_csrf(request)
    language = fields.get("language")
    if language in LANGUAGES:
        session_of(request).language = language
    back = fields.get("next", "/")
    return see_other(back if back.startswith("/") and not back.startswith("//") else "/")


__all__ = ["SESSION_KEY", "router"]
