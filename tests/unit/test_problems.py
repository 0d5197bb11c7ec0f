"""The problem mechanism on a bare app (no database): every kind of error becomes an RFC 9457
problem with its registered code, the body limit answers before the route reads anything,
and the OpenAPI document declares the problems each operation can give."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

import httpx
import pytest
from fastapi import Body, FastAPI
from pydantic import BaseModel

from shared.errors import TransientError, error_code
from shared.http.inputs import Name, Year
from shared.http.limits import BodySizeLimit
from shared.http.openapi import install_problem_responses
from shared.http.problems import install_problem_handlers

QUOTA_USED = error_code(
    "test_quota_used", 409, "Quota used", "The country's quota is used.", rule="R-EQL-4"
)


class SchoolIn(BaseModel):
    name: Name


def bare_app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=2048)

    @app.post("/schools")
    async def create(body: SchoolIn) -> dict[str, str]:
        return {"name": body.name}

    @app.get("/rounds/{year}")
    async def round_of(year: Year) -> dict[str, int]:
        if year == 2030:
            raise QUOTA_USED("the quota of ES is used", quota=2, quota_used=2)
        if year == 2031:
            raise TransientError("database away")
        if year == 2032:
            raise RuntimeError("a bug")
        return {"year": year}

    @app.post("/echo")
    async def echo(payload: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
        return payload

    install_problem_responses(app)
    return app


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=bare_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert (body["status"], body["code"], body["type"]) == (
        status, code, f"urn:etwinning:problem:{code}"
    )  # fmt: skip
    assert body["title"] and body["detail"]
    return body


async def test_a_refusal_carries_its_code_rule_and_figures(http: httpx.AsyncClient) -> None:
    body = problem(await http.get("/rounds/2030"), 409, "test_quota_used")
    assert (body["rule"], body["quota"], body["quota_used"]) == ("R-EQL-4", 2, 2)
    assert (body["title"], body["instance"]) == ("Quota used", "/rounds/2030")


async def test_framework_errors_are_problems(http: httpx.AsyncClient) -> None:
    problem(await http.get("/nowhere"), 404, "route_not_found")
    not_allowed = problem(await http.delete("/schools"), 405, "method_not_allowed")
    assert not_allowed["detail"]
    assert (await http.delete("/schools")).headers["allow"] == "POST"
    broken = await http.post("/schools", content=b"{", headers={"content-type": "application/json"})
    problem(broken, 400, "invalid_json")
    invalid = problem(await http.post("/schools", json={"name": "a\x00b"}), 422, "invalid_request")
    assert [e["field"] for e in invalid["errors"]] == ["body.name"]
    problem(await http.get("/rounds/99999999999999999999"), 422, "invalid_request")
    problem(await http.get("/rounds/2031"), 503, "unavailable")
    problem(await http.get("/rounds/2032"), 500, "internal_error")


async def test_the_body_limit_answers_before_the_route(http: httpx.AsyncClient) -> None:
    problem(await http.post("/echo", json={"x": "y" * 4096}), 413, "payload_too_large")

    async def streamed() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b"x" * 1024

    problem(await http.post("/echo", content=streamed()), 413, "payload_too_large")
    bad_length = await http.post("/echo", content=b"{}", headers={"content-length": "lots"})
    assert bad_length.status_code == 400
    assert (await http.post("/echo", json={"x": "y"})).json() == {"x": "y"}


def test_each_operation_declares_the_problems_it_can_give() -> None:
    document = bare_app().openapi()
    schools = document["paths"]["/schools"]["post"]["responses"]
    assert {"400", "404", "409", "413", "422", "503"} <= set(schools)
    assert "401" not in schools  # no token asked
    rounds = document["paths"]["/rounds/{year}"]["get"]["responses"]
    assert {"404", "422", "503"} <= set(rounds) and "413" not in rounds
    media = rounds["422"]["content"]["application/problem+json"]["schema"]
    assert media == {"$ref": "#/components/schemas/Problem"}
    assert "HTTPValidationError" not in document["components"]["schemas"]
