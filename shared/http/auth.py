"""Bearer tokens (JWT, HS256) carrying a role, checked on every state-changing endpoint.

Roles: `applicant` (an ESEP account holder, before any eTwinning record, R-REG-2),
`teacher` (with teacher_id), `nso` (staff of the NSO/PSA of `country`), `css`, `operator`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, ValidationError

from shared.http.problems import HttpProblem

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


def decode_token(token: str, *, secret: str, issuer: str) -> Principal:
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], issuer=issuer, options={"require": ["exp"]}
        )
        principal = Principal(
            subject=claims["sub"],
            role=claims["role"],
            teacher_id=claims.get("teacher_id"),
            country=claims.get("country"),
        )
    except (jwt.InvalidTokenError, KeyError, ValidationError) as error:
        raise HttpProblem(401, "invalid_token", f"bearer token rejected: {error}") from error
    if principal.role == "teacher" and not principal.teacher_id:
        raise HttpProblem(401, "invalid_token", "a teacher token must carry teacher_id")
    if principal.role == "nso" and not principal.country:
        raise HttpProblem(401, "invalid_token", "an nso token must carry country")
    return principal


_bearer = HTTPBearer(auto_error=False)


def authenticated(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise HttpProblem(401, "missing_token", "this endpoint needs a bearer token")
    settings = request.app.state.settings
    return decode_token(
        credentials.credentials,
        secret=settings.jwt_secret.get_secret_value(),
        issuer=settings.jwt_issuer,
    )


def require_role(*roles: Role) -> Callable[[Principal], Principal]:
    def check(principal: Annotated[Principal, Depends(authenticated)]) -> Principal:
        if principal.role not in roles:
            raise HttpProblem(
                403, "forbidden_role", f"role {principal.role!r} may not do this; needs {roles}"
            )
        return principal

    return check
