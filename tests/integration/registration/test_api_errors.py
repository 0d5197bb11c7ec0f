"""Every invalid request gets a 4xx with a machine-readable code (and the rule id), and leaves
no document and no event behind. Real SecantusDB and RabbitMQ."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.problems import problem_code
from tests.support.registration_helpers import (
    APPLICANT,
    CSS,
    OPERATOR,
    RunningRegistration,
    new_school,
    new_teacher,
    nso,
    teacher_token,
    validated_teacher,
)

pytestmark = pytest.mark.integration


async def refused(
    service: RunningRegistration, method: str, url: str, status: int, code: str, **kwargs: Any
) -> dict[str, Any]:
    before = await service.counts()
    response = await service.http.request(method, url, **kwargs)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    error: dict[str, Any] = response.json()
    assert problem_code(response) == code, error
    assert (error["status"], error["type"]) == (status, f"urn:etwinning:problem:{code}")
    assert await service.counts() == before, "a refused request wrote something"
    return error


async def test_every_registration_error_is_a_4xx_with_its_code(
    registration: RunningRegistration,
) -> None:
    http = registration.http
    school = await new_school(http)
    teacher = await new_teacher(http, school["id"])

    def body(**overrides: Any) -> dict[str, Any]:
        return {"name": "Rui Sousa", "email": "rui@example.org", "role": "teacher",
                "school_id": school["id"], **overrides}  # fmt: skip

    error = await refused(
        registration, "POST", "/schools", 422, "unknown_country",
        json={"name": "École", "town": "Genève", "country": "CH"}, headers=APPLICANT,
    )  # fmt: skip
    assert error["rule"] == "R-REG-6"
    duplicate = await refused(
        registration, "POST", "/schools", 409, "duplicate_school",
        json={"name": "ies severo  OCHOA", "town": "ELX", "country": "ES"}, headers=APPLICANT,
    )  # fmt: skip
    assert duplicate["existing_id"] == school["id"]
    error = await refused(
        registration, "POST", "/teachers", 422, "invalid_email",
        json=body(email="rui.example.org"), headers=APPLICANT,
    )  # fmt: skip
    assert error["rule"] == "R-REG-7"
    error = await refused(
        registration, "POST", "/teachers", 409, "duplicate_email",
        json=body(email="ANA@example.org"), headers=APPLICANT,
    )  # fmt: skip
    assert error["rule"] == "R-REG-7"
    error = await refused(
        registration, "POST", "/teachers", 422, "pupil_role",
        json=body(role="pupil"), headers=APPLICANT,
    )  # fmt: skip
    assert error["rule"] == "R-REG-1"
    await refused(
        registration, "POST", "/teachers", 404, "unknown_school",
        json=body(school_id="sch_missing"), headers=APPLICANT,
    )  # fmt: skip
    error = await refused(
        registration, "POST", f"/teachers/{teacher['id']}/validation", 403, "wrong_nso",
        headers=nso("PT"),
    )  # fmt: skip
    assert error["rule"] == "R-REG-3"
    await refused(
        registration, "POST", f"/teachers/{teacher['id']}/validation", 403, "forbidden_role",
        headers=CSS,
    )  # fmt: skip


async def test_lifecycle_errors_and_transitions(registration: RunningRegistration) -> None:
    http = registration.http
    school = await new_school(http)
    other = await new_school(http, "Escola Básica da Batalha", "PT", town="Batalha")
    teacher = await validated_teacher(http, school, "ana@example.org")
    url = f"/teachers/{teacher['id']}"

    error = await refused(
        registration, "POST", f"{url}/validation", 409, "transition_not_allowed", headers=nso("ES")
    )
    assert error["rule"] == "R-REG-2"
    await refused(
        registration, "POST", f"{url}/school-change", 403, "not_your_record",
        json={"school_id": other["id"]}, headers=teacher_token("tch_someone_else"),
    )  # fmt: skip
    await refused(
        registration, "POST", f"{url}/school-change", 409, "same_school",
        json={"school_id": school["id"]}, headers=teacher_token(teacher["id"]),
    )  # fmt: skip
    moved = await http.post(
        f"{url}/school-change",
        json={"school_id": other["id"]},
        headers=teacher_token(teacher["id"]),
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["status"], moved.json()["country"]) == ("WAITING_FOR_VALIDATION", "PT")
    # R-REG-5 then R-REG-3: the NSO of the new school's country decides now
    await refused(registration, "POST", f"{url}/validation", 403, "wrong_nso", headers=nso("ES"))
    await refused(
        registration, "POST", f"{url}/deactivation", 403, "wrong_nso",
        json={"reason": "not ours"}, headers=nso("ES"),
    )  # fmt: skip
    deactivated = await http.post(f"{url}/deactivation", json={"reason": "left"}, headers=nso("PT"))
    assert deactivated.json()["status"] == "DEACTIVATED"
    await refused(
        registration, "POST", f"{url}/school-change", 409, "transition_not_allowed",
        json={"school_id": school["id"]}, headers=OPERATOR,
    )  # fmt: skip
    await refused(
        registration, "POST", f"{url}/deactivation", 409, "transition_not_allowed",
        json={"reason": "again"}, headers=OPERATOR,
    )  # fmt: skip


async def test_erasure_removes_personal_data_and_frees_the_address(
    registration: RunningRegistration,
) -> None:
    http = registration.http
    school = await new_school(http)
    teacher = await validated_teacher(
        http, school, "ana@example.org", subjects=["Maths"], pupil_age_min=12, pupil_age_max=16
    )
    await refused(
        registration, "POST", f"/teachers/{teacher['id']}/erasure", 403, "forbidden_role",
        headers=nso("ES"),
    )  # fmt: skip
    response = await http.post(
        f"/teachers/{teacher['id']}/erasure", headers=teacher_token(teacher["id"])
    )
    assert response.status_code == 200, response.text
    stored = await registration.database["teachers"].find_one({"_id": teacher["id"]})
    assert stored["status"] == "ERASED"
    personal = {k: stored[k] for k in ("name", "email", "subjects", "name_key", "pupil_age_min")}
    assert "ana" not in repr(personal).lower()
    assert personal["subjects"] == [] and personal["pupil_age_min"] is None
    await refused(
        registration, "POST", f"/teachers/{teacher['id']}/erasure", 409, "transition_not_allowed",
        headers=OPERATOR,
    )  # fmt: skip
    again = await new_teacher(http, school["id"], "ana@example.org")  # the address is free again
    assert again["id"] != teacher["id"]


async def test_a_teacher_profile_is_read_only_by_its_owner_its_nso_the_css_and_operators(
    registration: RunningRegistration,
) -> None:
    http = registration.http
    school = await new_school(http)
    teacher = await new_teacher(http, school["id"], "ana@example.org")
    url = f"/teachers/{teacher['id']}"

    for allowed in (teacher_token(teacher["id"]), nso("ES"), CSS, OPERATOR):
        response = await http.get(url, headers=allowed)
        assert response.status_code == 200, response.text
        assert response.json()["email"] == "ana@example.org"
    assert (await http.get(url)).status_code == 401
    await refused(
        registration, "GET", url, 403, "not_your_record", headers=teacher_token("tch_other")
    )
    await refused(registration, "GET", url, 403, "wrong_nso", headers=nso("PT"))
    await refused(registration, "GET", url, 403, "forbidden_role", headers=APPLICANT)
