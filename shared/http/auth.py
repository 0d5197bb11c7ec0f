"""Bearer tokens, checked on every state-changing endpoint; routes see a Principal.

Roles: `applicant` (an ESEP account holder, before any eTwinning record, R-REG-2),
`teacher` (with teacher_id), `nso` (staff of the NSO/PSA of `country`), `css`, `operator`.

Which tokens are accepted is shared/identity/verifier.py's decision: the provider's access
tokens (staff roles from groups; a teacher is a subject linked to a teacher record, looked up
in this service's own read models through `teacher_of_subject`), and in development mode only
the HS256 tokens minted here, which carry their role themselves.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

import jwt
from fastapi import Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, ValidationError
from pymongo.asynchronous.database import AsyncDatabase

from shared.http.problems import HttpProblem
from shared.identity.oidc import RejectedToken
from shared.identity.verifier import DevClaims, TokenVerifier, token_verifier_for

Role = Literal["applicant", "teacher", "nso", "css", "operator"]
ROLES: tuple[Role, ...] = ("applicant", "teacher", "nso", "css", "operator")
ALGORITHM = "HS256"


class Principal(BaseModel):
    model_config = ConfigDict(frozen=True)

    subject: str
    role: Role
    teacher_id: str | None = None
    country: str | None = None


def mint_token(
    principal: Principal, *, secret: str, issuer: str, ttl: timedelta = timedelta(hours=12)
) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": principal.subject,
        "role": principal.role,
        "teacher_id": principal.teacher_id,
        "country": principal.country,
        "iss": issuer,
        "iat": now,
        "exp": now + ttl,
    }
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, secret, ALGORITHM)


# Given the service's database and a provider subject, the linked teacher's id (or None).
TeacherOfSubject = Callable[[AsyncDatabase[dict[str, Any]], str], Awaitable[str | None]]


def decode_token(token: str, *, secret: str, issuer: str) -> Principal:
    """A development (HS256) token as a Principal."""
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], issuer=issuer, options={"require": ["exp"]}
        )
    except jwt.InvalidTokenError as error:
        raise HttpProblem(401, "invalid_token", f"bearer token rejected: {error}") from error
    return principal_of_dev_claims(claims)


def principal_of_dev_claims(claims: Mapping[str, Any]) -> Principal:
    try:
        principal = Principal(
            subject=claims["sub"],
            role=claims["role"],
            teacher_id=claims.get("teacher_id"),
            country=claims.get("country"),
        )
    except (KeyError, ValidationError) as error:
        raise HttpProblem(401, "invalid_token", f"bearer token rejected: {error}") from error
    if principal.role == "teacher" and not principal.teacher_id:
        raise HttpProblem(401, "invalid_token", "a teacher token must carry teacher_id")
    if principal.role == "nso" and not principal.country:
        raise HttpProblem(401, "invalid_token", "an nso token must carry country")
    return principal


_bearer = HTTPBearer(auto_error=False)


async def authenticated(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise HttpProblem(401, "missing_token", "this endpoint needs a bearer token")
    verifier = token_verifier_of(request.app)
    try:
        # Off the event loop: a JWKS fetch is blocking I/O (PyJWKClient uses urllib).
        identity = await run_in_threadpool(verifier.verify, credentials.credentials)
    except RejectedToken as rejected:
        raise HttpProblem(401, "invalid_token", f"bearer token rejected: {rejected}") from None
    if isinstance(identity, DevClaims):
        return principal_of_dev_claims(identity.claims)
    if identity.staff is not None:
        staff = identity.staff
        return Principal(subject=identity.subject, role=staff.role, country=staff.country)
    teacher_id = await _teacher_of(request.app, identity.subject)
    if teacher_id is not None:
        return Principal(subject=identity.subject, role="teacher", teacher_id=teacher_id)
    return Principal(subject=identity.subject, role="applicant")


def token_verifier_of(app: FastAPI) -> TokenVerifier:
    """Built by the composition root at start; built here for apps composed by hand."""
    verifier: TokenVerifier | None = getattr(app.state, "token_verifier", None)
    if verifier is None:
        verifier = app.state.token_verifier = token_verifier_for(app.state.settings)
    return verifier


async def _teacher_of(app: FastAPI, subject: str) -> str | None:
    lookup: TeacherOfSubject | None = getattr(app.state, "teacher_of_subject", None)
    runtime = getattr(app.state, "runtime", None)
    if lookup is None or runtime is None:
        return None
    return await lookup(runtime.database, subject)


def require_role(*roles: Role) -> Callable[[Principal], Principal]:
    def check(principal: Annotated[Principal, Depends(authenticated)]) -> Principal:
        if principal.role not in roles:
            raise HttpProblem(
                403, "forbidden_role", f"role {principal.role!r} may not do this; needs {roles}"
            )
        return principal

    return check
