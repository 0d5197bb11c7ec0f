"""Bearer tokens: minting and checking, and the 401/403 answers of protected endpoints."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Annotated

import httpx
import jwt
import pytest
from fastapi import Depends, FastAPI

from shared.http.auth import ALGORITHM, Principal, decode_token, mint_token, require_role
from shared.http.problems import HttpProblem, install_problem_handlers
from shared.settings import ServiceSettings
from tests.support.problems import problem_code

SECRET = "unit-test-secret-0123456789-abcdefghijklmnop"
OTHER_SECRET = "another-secret-0123456789-abcdefghijklmnopq"
ISSUER = "etwinning-tests"

TEACHER = Principal(subject="user-1", role="teacher", teacher_id="t-1")
NSO = Principal(subject="user-2", role="nso", country="ES")


def mint(principal: Principal, **kwargs: object) -> str:
    return mint_token(principal, secret=SECRET, issuer=ISSUER, **kwargs)  # type: ignore[arg-type]


def decode(token: str, *, secret: str = SECRET, issuer: str = ISSUER) -> Principal:
    return decode_token(token, secret=secret, issuer=issuer)


def rejection(token: str, **kwargs: str) -> HttpProblem:
    with pytest.raises(HttpProblem) as raised:
        decode(token, **kwargs)
    return raised.value


@pytest.mark.parametrize(
    "principal",
    [
        TEACHER,
        NSO,
        Principal(subject="user-3", role="applicant"),
        Principal(subject="user-4", role="css"),
        Principal(subject="user-5", role="operator"),
    ],
    ids=lambda principal: principal.role,
)
def test_a_minted_token_decodes_to_the_same_principal(principal: Principal) -> None:
    assert decode(mint(principal)) == principal


def test_an_expired_token_is_rejected() -> None:
    problem = rejection(mint(TEACHER, ttl=timedelta(seconds=-5)))

    assert (problem.status_code, problem.code) == (401, "invalid_token")
    assert "expired" in problem.message.lower()


def test_a_token_signed_with_another_secret_is_rejected() -> None:
    problem = rejection(mint(TEACHER), secret=OTHER_SECRET)

    assert (problem.status_code, problem.code) == (401, "invalid_token")


def test_a_token_from_another_issuer_is_rejected() -> None:
    problem = rejection(mint(TEACHER), issuer="someone-else")

    assert (problem.status_code, problem.code) == (401, "invalid_token")


def test_a_teacher_token_without_teacher_id_is_rejected() -> None:
    problem = rejection(mint(Principal(subject="user-1", role="teacher")))

    assert (problem.status_code, problem.code) == (401, "invalid_token")
    assert "teacher_id" in problem.message


def test_an_nso_token_without_country_is_rejected() -> None:
    problem = rejection(mint(Principal(subject="user-2", role="nso")))

    assert (problem.status_code, problem.code) == (401, "invalid_token")


def test_a_token_without_expiry_is_rejected() -> None:
    token = jwt.encode({"sub": "user-1", "role": "css", "iss": ISSUER}, SECRET, ALGORITHM)

    assert rejection(token).code == "invalid_token"


def test_a_token_with_an_unknown_role_is_rejected() -> None:
    token = jwt.encode(
        {"sub": "user-1", "role": "admin", "iss": ISSUER, "exp": 4_000_000_000}, SECRET, ALGORITHM
    )

    assert rejection(token).code == "invalid_token"


# --- through HTTP --------------------------------------------------------------------------


def protected_app() -> FastAPI:
    app = FastAPI()
    app.state.settings = ServiceSettings(service_name="tests", jwt_secret=SECRET, jwt_issuer=ISSUER)
    install_problem_handlers(app)

    @app.post("/teachers-only")
    async def teachers_only(
        principal: Annotated[Principal, Depends(require_role("teacher"))],
    ) -> dict[str, str | None]:
        return {"teacher_id": principal.teacher_id}

    return app


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=protected_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_http_without_a_token_is_401_missing_token(http: httpx.AsyncClient) -> None:
    response = await http.post("/teachers-only")

    assert response.status_code == 401
    assert problem_code(response) == "missing_token"
    assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_http_with_a_bad_token_is_401_invalid_token(http: httpx.AsyncClient) -> None:
    response = await http.post("/teachers-only", headers=bearer("not.a.jwt"))

    assert response.status_code == 401
    assert problem_code(response) == "invalid_token"


async def test_http_with_the_wrong_role_is_403_forbidden_role(http: httpx.AsyncClient) -> None:
    response = await http.post("/teachers-only", headers=bearer(mint(NSO)))

    assert response.status_code == 403
    assert problem_code(response) == "forbidden_role"


async def test_http_with_the_right_role_reaches_the_endpoint(http: httpx.AsyncClient) -> None:
    response = await http.post("/teachers-only", headers=bearer(mint(TEACHER)))

    assert response.status_code == 200
    assert response.json() == {"teacher_id": "t-1"}
