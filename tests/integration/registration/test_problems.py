"""Every error answer is an RFC 9457 problem, FastAPI's and Starlette's own included, and bad
input is a 4xx that stores nothing: oversized bodies (413 before parsing), megabyte strings,
control characters, unbounded integers. Real SecantusDB and RabbitMQ, via registration."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from shared.http.problems import Problem
from tests.support.problems import problem_code
from tests.support.registration_helpers import (
    APPLICANT,
    OPERATOR,
    RunningRegistration,
    new_school,
)

pytestmark = pytest.mark.integration


def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    Problem.model_validate(body)
    assert problem_code(response) == code
    assert body["type"] == f"urn:etwinning:problem:{code}"
    assert body["status"] == status and body["title"] and body["detail"]
    return body


async def test_fastapi_and_starlette_errors_are_problems(
    registration: RunningRegistration,
) -> None:
    http = registration.http
    problem(await http.get("/no/such/route"), 404, "route_not_found")
    not_allowed = await http.delete("/schools")
    problem(not_allowed, 405, "method_not_allowed")
    assert "POST" in not_allowed.headers["allow"]
    not_json = await http.post(
        "/schools", content=b'{"name": ', headers={**APPLICANT, "content-type": "application/json"}
    )
    problem(not_json, 400, "invalid_json")
    invalid = problem(
        await http.post("/schools", json={"town": 5}, headers=APPLICANT), 422, "invalid_request"
    )
    assert {"body.name", "body.town", "body.country"} <= {e["field"] for e in invalid["errors"]}
    assert all(e["message"] for e in invalid["errors"])
    missing = problem(await http.post("/schools", json={}), 401, "missing_token")
    assert missing["instance"] == "/schools"
    unknown = problem(await http.get("/schools/nope", headers=OPERATOR), 404, "unknown_school")
    assert unknown["detail"] == "no school nope"


async def test_a_body_over_the_limit_is_a_413_before_it_is_parsed(
    registration: RunningRegistration,
) -> None:
    http = registration.http
    before = await registration.counts()
    big = {"name": "IES Big", "town": "Elx", "country": "ES", "address": "x" * (1024 * 1024)}
    declared = problem(
        await http.post("/schools", json=big, headers=APPLICANT), 413, "payload_too_large"
    )
    assert declared["limit"] == 1024 * 1024

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: streamed
        for _ in range(20):
            yield b"x" * 65536

    streamed = await http.post("/schools", content=chunks(), headers=APPLICANT)
    problem(streamed, 413, "payload_too_large")
    assert await registration.counts() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("address", "x" * 301),
        ("postcode", "1" * 21),
        ("kind", "k" * 101),
        ("head_name", "h" * 201),
        ("name", "IES\x00Severo"),
        ("town", "El\x07x"),
    ],
)
async def test_strings_are_bounded_and_names_refuse_control_characters(
    registration: RunningRegistration, field: str, value: str
) -> None:
    body = {"name": "IES Severo Ochoa", "town": "Elx", "country": "ES", field: value}
    before = await registration.counts()
    response = await registration.http.post("/schools", json=body, headers=APPLICANT)
    invalid = problem(response, 422, "invalid_request")
    assert [e["field"] for e in invalid["errors"]] == [f"body.{field}"]
    assert await registration.counts() == before


async def test_teacher_lists_and_integers_are_bounded(registration: RunningRegistration) -> None:
    http = registration.http
    school = await new_school(http)
    teacher = {"name": "Rui Sousa", "email": "rui@example.org", "role": "teacher",
               "school_id": school["id"]}  # fmt: skip
    for change in (
        {"subjects": ["s" * 101]},
        {"subjects": ["maths"] * 31},
        {"pupil_age_min": 99999999999999999999},
    ):
        response = await http.post("/teachers", json={**teacher, **change}, headers=APPLICANT)
        problem(response, 422, "invalid_request")
    huge_page = await http.get("/partners", params={"country": "ES", "page": 10**20})
    assert huge_page.status_code in (401, 422)  # never a 500


async def test_the_openapi_document_declares_problems_for_every_operation(
    registration: RunningRegistration,
) -> None:
    document = (await registration.http.get("/openapi.json")).json()
    assert "Problem" in document["components"]["schemas"]
    assert "HTTPValidationError" not in document["components"]["schemas"]
    register_school = document["paths"]["/schools"]["post"]["responses"]
    assert {"400", "401", "403", "409", "413", "422", "503"} <= set(register_school)
    assert register_school["409"]["content"]["application/problem+json"]["schema"] == {
        "$ref": "#/components/schemas/Problem"
    }
    get_teacher = document["paths"]["/teachers/{teacher_id}"]["get"]["responses"]
    assert {"401", "403", "404", "422"} <= set(get_teacher)
    assert "409" not in get_teacher and "413" not in get_teacher
    live = document["paths"]["/health/live"]["get"]["responses"]
    assert set(live) == {"200"}
