"""Composition root of the portal: settings → service clients, session store, token source,
OIDC client, templates and catalogs → the FastAPI app."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError
from starlette.middleware.sessions import SessionMiddleware

from services.portal.adapters.credentials import BearerSource, DevBearer, ProviderBearer
from services.portal.adapters.platform import Platform, ServiceProblem, start_tally
from services.portal.adapters.sessions import (
    SESSIONS,
    SIGN_IN_STATES,
    MemorySessionStore,
    MongoSessionStore,
    SessionStore,
    StateCache,
)
from services.portal.config import PortalSettings
from services.portal.web import css, links, nso, operator, prizes, signin, teacher
from services.portal.web.base import (
    CsrfRejected,
    Forbidden,
    Portal,
    SignInRequired,
    load_session,
    render,
    save_session,
)
from services.portal.web.i18n import load_translations
from shared.clock import Clock, SystemClock
from shared.logging import configure_logging, get_logger

HERE = Path(__file__).resolve().parent
STORELESS_PATHS = ("/static/", "/health/")  # no session read for assets and probes
log = get_logger(__name__)


def _session_stores(
    settings: PortalSettings,
) -> tuple[SessionStore, StateCache, AsyncMongoClient[Any] | None]:
    lifetime = settings.session_hours * 3600
    if settings.session_store == "memory":
        return MemorySessionStore(lifetime), StateCache(), None
    client: AsyncMongoClient[Any] = AsyncMongoClient(
        settings.mongodb_url, appname="portal", tz_aware=True
    )
    database = client[settings.mongodb_database]
    return (
        MongoSessionStore(database[SESSIONS], lifetime),
        StateCache(database[SIGN_IN_STATES]),
        client,
    )


def bearer_source(settings: PortalSettings) -> BearerSource:
    if settings.service_tokens == "provider":
        return ProviderBearer()
    return DevBearer(settings.jwt_secret.get_secret_value(), settings.jwt_issuer)


def build_app(settings: PortalSettings | None = None, clock: Clock | None = None) -> FastAPI:
    """`clock`: the time the pages read (the current round's year); tests give their own."""
    settings = settings or PortalSettings()
    configure_logging("portal", json=settings.log_json, level=settings.log_level)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per service call is noise
    platform = Platform(
        {
            "registration": settings.registration_url,
            "projects": settings.projects_url,
            "awards": settings.awards_url,
            "notifications": settings.notifications_url,
        },
        timeout=settings.service_timeout_seconds,
    )

    sessions, sign_in_states, mongo = _session_stores(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if isinstance(sessions, MongoSessionStore):
            try:
                await sessions.ensure_indexes()
            except PyMongoError as error:  # expiry is checked on read; the index only tidies
                log.warning("portal.session_index_not_created", error=repr(error))
        yield
        await platform.aclose()
        if mongo is not None:
            await mongo.close()

    app = FastAPI(title="eTwinning portal", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.clock = clock or SystemClock()
    app.state.portal = Portal(
        platform=platform,
        sessions=sessions,
        bearer=bearer_source(settings),
        templates=Jinja2Templates(directory=HERE / "templates"),
        translations=load_translations(),
    )
    app.state.oidc = signin.oauth_client(settings, sign_in_states)

    @app.middleware("http")
    async def session_in_store(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """Inside the cookie middleware: load the session the cookie names, save it after."""
        if request.url.path.startswith(STORELESS_PATHS):
            return await call_next(request)
        await load_session(request)
        response = await call_next(request)
        await save_session(request)
        return response

    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_secret.get_secret_value(),
        session_cookie="portal_session",
        max_age=int(settings.session_hours * 3600),
        same_site="lax",
        https_only=settings.cookie_secure,
    )

    @app.middleware("http")
    async def tally_and_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        tally = start_tally()
        started = time.perf_counter()
        response = await call_next(request)
        total_ms = (time.perf_counter() - started) * 1000
        response.headers["X-Portal-Service-Calls"] = str(tally.calls)
        each = "".join(
            f", {name};dur={spent * 1000:.1f}" for name, spent in tally.by_service.items()
        )
        response.headers["Server-Timing"] = (
            f"services;dur={tally.seconds * 1000:.1f}, total;dur={total_ms:.1f}{each}"
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    _install_health(app, platform)
    _install_error_pages(app)
    for module in (signin, teacher, prizes, nso, css, operator, links):
        app.include_router(module.router)
    return app


def _install_health(app: FastAPI, platform: Platform) -> None:
    @app.get("/health/live", include_in_schema=False)
    async def live() -> dict[str, str]:
        return {"status": "alive"}

    @app.get("/health/ready", include_in_schema=False)
    async def ready() -> JSONResponse:
        """Ready when the four services answer theirs: the portal can do nothing without them."""
        checks = await platform.ready()
        ok = all(checks.values())
        return JSONResponse(
            {"status": "ready" if ok else "not_ready", "checks": checks},
            status_code=200 if ok else 503,
        )


def _install_error_pages(app: FastAPI) -> None:
    @app.exception_handler(SignInRequired)
    async def to_sign_in(_: Request, exc: SignInRequired) -> Response:
        from urllib.parse import quote

        return Response(
            status_code=303, headers={"Location": f"/login?next={quote(exc.next_path)}"}
        )

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, _: Forbidden) -> HTMLResponse:
        return await render(request, "error.html", status_code=403, error_key="forbidden")

    @app.exception_handler(CsrfRejected)
    async def csrf(request: Request, _: CsrfRejected) -> HTMLResponse:
        return await render(request, "error.html", status_code=403, error_key="csrf")

    @app.exception_handler(ServiceProblem)
    async def service_problem(request: Request, exc: ServiceProblem) -> HTMLResponse:
        return await render(
            request,
            "error.html",
            status_code=502 if exc.problem.status >= 500 else exc.problem.status,
            error_key="service",
            problem=exc.problem,
        )
