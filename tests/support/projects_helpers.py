"""Helpers for the projects service's tests: registration facts, tokens and HTTP steps."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from services.projects.service_layer import teacher_facts
from shared.events import registration as facts
from shared.http.auth import Principal, mint_token
from shared.runtime import Runtime
from shared.settings import DEV_JWT_SECRET
from tests.support.probes import envelope_of
from tests.support.problems import problem_code

ISSUER = "etwinning-platform"


def auth(**principal: Any) -> dict[str, str]:
    token = mint_token(Principal(**principal), secret=DEV_JWT_SECRET, issuer=ISSUER)
    return {"Authorization": f"Bearer {token}"}


def as_teacher(teacher_id: str) -> dict[str, str]:
    return auth(subject=f"teacher:{teacher_id}", role="teacher", teacher_id=teacher_id)


def as_nso(country: str) -> dict[str, str]:
    return auth(subject=f"nso:{country}", role="nso", country=country)


def as_operator() -> dict[str, str]:
    return auth(subject="operator:tests", role="operator")


@dataclass(frozen=True)
class Teacher:
    id: str
    country: str
    school_id: str

    @property
    def headers(self) -> dict[str, str]:
        return as_teacher(self.id)


def new_teacher(country: str, school_id: str | None = None) -> Teacher:
    suffix = uuid.uuid4().hex[:8]
    return Teacher(f"tch_{country.lower()}_{suffix}", country, school_id or f"sch_{suffix}")


def validated(teacher: Teacher, name: str = "A Teacher") -> facts.TeacherValidated:
    return facts.TeacherValidated(
        teacher_id=teacher.id, name=name, email=f"{teacher.id}@school.example",
        language="en", role="teacher", school_id=teacher.school_id,
        school_name=f"School {teacher.school_id}", country=teacher.country,
        validated_at=datetime.now(UTC),
    )  # fmt: skip


async def know_validated(runtime: Runtime, *teachers: Teacher) -> None:
    """Feed the read model through the service's own handler, as the consumer would."""
    for teacher in teachers:
        payload = validated(teacher)
        envelope = envelope_of(payload)
        await runtime.unit_of_work.run(
            lambda tx, p=payload, e=envelope: teacher_facts.on_validated(p, e, tx)
        )


async def deactivate(runtime: Runtime, teacher: Teacher) -> None:
    payload = facts.TeacherDeactivated(teacher_id=teacher.id, reason="left teaching")
    envelope = envelope_of(payload)
    await runtime.unit_of_work.run(lambda tx: teacher_facts.on_deactivated(payload, envelope, tx))


async def school_changed(runtime: Runtime, teacher: Teacher) -> None:
    payload = facts.TeacherSchoolChanged(
        teacher_id=teacher.id, previous_school_id=teacher.school_id,
        school_id=f"{teacher.school_id}_new", school_name="New school", country=teacher.country,
    )  # fmt: skip
    envelope = envelope_of(payload)
    await runtime.unit_of_work.run(
        lambda tx: teacher_facts.on_school_changed(payload, envelope, tx)
    )


class ProjectSteps:
    """The HTTP steps of a project's life, each asserting its expected status."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def call(
        self, method: str, path: str, headers: dict[str, str], body: Any = None, expect: int = 200
    ) -> dict[str, Any]:
        response = await self.http.request(method, path, headers=headers, json=body)
        assert response.status_code == expect, response.text
        result: dict[str, Any] = response.json()
        return result

    async def propose(self, founder: Teacher, cofounder: Teacher, **extra: Any) -> str:
        body = {"cofounder_id": cofounder.id, "title": "NETWORK", **extra}
        project = await self.call("POST", "/projects", founder.headers, body, 201)
        return str(project["id"])

    async def accept(self, project_id: str, cofounder: Teacher) -> dict[str, Any]:
        path = f"/projects/{project_id}/cofounder-answer"
        return await self.call("POST", path, cofounder.headers, {"accept": True})

    async def approve(self, project_id: str, country: str) -> dict[str, Any]:
        path = f"/projects/{project_id}/nso-decision"
        return await self.call("POST", path, as_nso(country), {"approve": True})

    async def activate(self, founder: Teacher, cofounder: Teacher) -> str:
        project_id = await self.propose(founder, cofounder)
        await self.accept(project_id, cofounder)
        for country in sorted({founder.country, cofounder.country}):
            await self.approve(project_id, country)
        return project_id

    async def add_partner(
        self, project_id: str, by: Teacher, partner: Teacher, pupils: int = 20
    ) -> dict[str, Any]:
        path = f"/projects/{project_id}/invitations"
        await self.call("POST", path, by.headers, {"teacher_id": partner.id})
        path = f"/projects/{project_id}/membership"
        return await self.call("POST", path, partner.headers, {"pupil_count": pupils})


def error_of(response: httpx.Response) -> tuple[int, str, str | None]:
    """(status, code, rule) of a problem answer, checking it is one (RFC 9457)."""
    assert response.headers["content-type"] == "application/problem+json", response.text
    problem = response.json()
    assert problem["status"] == response.status_code
    return response.status_code, problem_code(response), problem.get("rule")
