"""Registration and projects together over the real broker: projects keeps a teacher who
applied with their real status (`registration.teacher.registered`), refuses them with
`user_not_validated` whatever the project's state (R-REG-4), and after a school change keeps
the earlier project's member on the old school (R-REG-5)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from services.projects.adapters.repository import TEACHERS
from services.projects.bootstrap import build_app as projects_app
from services.projects.config import ProjectsSettings
from services.registration.bootstrap import build_app as registration_app
from services.registration.config import RegistrationSettings
from tests.support.probes import eventually
from tests.support.projects_helpers import ProjectSteps, Teacher, error_of
from tests.support.registration_helpers import new_school, new_teacher, nso, teacher_token
from tests.support.servers import Vhost
from tests.support.services import all_running, service_settings

pytestmark = pytest.mark.integration


async def registered(http: httpx.AsyncClient, school: dict[str, Any], email: str) -> Teacher:
    teacher = await new_teacher(http, school["id"], email)
    return Teacher(teacher["id"], school["country"], school["id"])


async def validate(http: httpx.AsyncClient, teacher: Teacher) -> None:
    response = await http.post(f"/teachers/{teacher.id}/validation", headers=nso(teacher.country))
    assert response.status_code == 200, response.text


async def test_r_reg_4_and_r_reg_5_from_registration_to_projects(
    vhost: Vhost, mongodb_url: str, database_prefix: str
) -> None:
    def settings(service: str) -> dict[str, Any]:
        return service_settings(
            service, amqp_url=vhost.url, mongodb_url=mongodb_url, prefix=database_prefix
        )

    apps = {
        "registration": registration_app(RegistrationSettings(**settings("registration"))),
        "projects": projects_app(ProjectsSettings(**settings("projects"))),
    }
    async with all_running(apps) as http:
        reg, prj = http["registration"], http["projects"]
        known = apps["projects"].state.runtime.database[TEACHERS]

        async def status_in_projects(teacher: Teacher, status: str) -> bool:
            document = await known.find_one({"_id": teacher.id})
            return document is not None and document.get("status") == status

        elx = await new_school(reg)
        batalha = await new_school(reg, "Escola Básica da Batalha", "PT", town="Batalha")
        istanbul = await new_school(reg, "Borusan Lisesi", "TR", town="Istanbul")
        izmir = await new_school(reg, "Izmir Lisesi", "TR", town="Izmir")
        ana = await registered(reg, elx, "ana@example.org")
        joao = await registered(reg, batalha, "joao@example.org")
        ayse = await registered(reg, istanbul, "ayse@example.org")
        await validate(reg, ana)
        await validate(reg, joao)
        for teacher, status in ((ana, "VALIDATED"), (joao, "VALIDATED"),
                                (ayse, "WAITING_FOR_VALIDATION")):  # fmt: skip
            await eventually(
                lambda t=teacher, s=status: status_in_projects(t, s), seconds=15,
                what=f"projects knows {teacher.id} as {status}",
            )  # fmt: skip

        steps = ProjectSteps(prj)
        pending = await steps.propose(ana, joao)
        active = await steps.activate(ana, joao)
        for project_id in (pending, active):  # whatever the state: the real obstacle
            response = await prj.post(
                f"/projects/{project_id}/membership", json={}, headers=ayse.headers
            )
            assert error_of(response) == (403, "user_not_validated", "R-REG-4")
            assert response.json()["teacher_status"] == "WAITING_FOR_VALIDATION"  # not UNKNOWN

        await validate(reg, ayse)
        await eventually(lambda: status_in_projects(ayse, "VALIDATED"), seconds=15, what="ayse")
        await steps.add_partner(active, ana, ayse)

        moved = await reg.post(
            f"/teachers/{ayse.id}/school-change", json={"school_id": izmir["id"]},
            headers=teacher_token(ayse.id),
        )  # fmt: skip
        assert moved.status_code == 200, moved.text
        await eventually(
            lambda: status_in_projects(ayse, "WAITING_FOR_VALIDATION"), seconds=15, what="moved"
        )
        project = await steps.call("GET", f"/projects/{active}", ana.headers)
        [member] = [m for m in project["members"] if m["teacher_id"] == ayse.id]
        assert (member["school_id"], member["school_name"]) == (istanbul["id"], "Borusan Lisesi")
        document = await known.find_one({"_id": ayse.id})
        assert document is not None and document["school_id"] == izmir["id"]
