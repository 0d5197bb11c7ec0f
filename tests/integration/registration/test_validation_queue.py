"""The NSO's validation queue over the real servers (R-REG-3, R-REG-5, R-REG-2, R-REG-7): the
head of an ES school is asked over the broker and confirms by the link; a school change puts
the teacher in the new NSO's queue; a rejected teacher applies again; a deactivated teacher's
e-mail registers again once the policy's period has passed (a chosen clock)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.registration.bootstrap import build_app
from services.registration.config import RegistrationSettings
from shared.clock import SettableClock
from tests.support.probes import eventually
from tests.support.problems import problem_code
from tests.support.registration_helpers import (
    EventProbe,
    RunningRegistration,
    new_applicant,
    new_school,
    new_teacher,
    nso,
    teacher_token,
)
from tests.support.servers import Vhost
from tests.support.services import running, service_settings

pytestmark = pytest.mark.integration


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
async def registration(
    vhost: Vhost, mongodb_url: str, database_prefix: str, probe: EventProbe, clock: SettableClock
) -> AsyncIterator[RunningRegistration]:
    settings = service_settings(
        "registration", amqp_url=vhost.url, mongodb_url=mongodb_url, prefix=database_prefix
    )
    app = build_app(RegistrationSettings(**settings), clock=clock)
    async with running(app) as client:
        yield RunningRegistration(client, app)


async def events_of(probe: EventProbe, event_type: str, count: int) -> list[dict[str, Any]]:
    received: list[dict[str, Any]] = []

    async def arrived() -> bool:
        received.extend(await probe.drain())
        return len([e for e in received if e["event_type"] == event_type]) >= count

    await eventually(arrived, seconds=10, what=event_type)
    return [e for e in received if e["event_type"] == event_type]


async def queue(registration: RunningRegistration, country: str) -> list[dict[str, Any]]:
    response = await registration.http.get("/validations", headers=nso(country))
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()
    return items


async def test_r_reg_3_the_es_head_is_asked_and_the_nso_sees_head_confirmed(
    registration: RunningRegistration, probe: EventProbe, clock: SettableClock
) -> None:
    http = registration.http
    elx = await new_school(http, head_name="Marta Ruiz", head_email="direccion@ies.example")
    first = await new_teacher(http, elx["id"], "ana@example.org")
    clock.advance(timedelta(hours=1))
    second = await new_teacher(http, elx["id"], "luis@example.org")
    [asked, _] = await events_of(probe, "registration.teacher.head_confirmation_requested", 2)
    payload = asked["payload"]
    assert (payload["head_email"], payload["head_name"], payload["teacher_id"]) == (
        "direccion@ies.example", "Marta Ruiz", first["id"],
    )  # fmt: skip

    waiting = await queue(registration, "ES")
    assert [item["id"] for item in waiting] == [first["id"], second["id"]]  # oldest first
    assert waiting[0]["school"] == {
        "id": elx["id"], "name": "IES Severo Ochoa", "town": "Elx", "head_name": "Marta Ruiz",
    }  # fmt: skip
    assert waiting[0]["verification"]["method"] == "head_email"
    assert waiting[0]["verification"]["head_confirmation"] == "REQUESTED"

    link = f"/head-confirmations/{payload['confirmation_token']}"
    response = await http.post(link)  # the head holds no account: the link is the authority
    assert response.status_code == 200, response.text
    assert response.json() == {"teacher_name": "Ana García", "school_name": "IES Severo Ochoa"}
    confirmed = (await queue(registration, "ES"))[0]["verification"]
    assert (confirmed["head_confirmed"], confirmed["head_confirmed_at"]) == (
        True, "2026-03-01T10:00:00Z",
    )  # fmt: skip
    assert problem_code(await http.post("/head-confirmations/" + "x" * 32)) == (
        "unknown_confirmation"
    )
    assert problem_code(await http.get("/validations?country=PT", headers=nso("ES"))) == (
        "wrong_nso"
    )


async def test_r_reg_5_a_school_change_puts_the_teacher_in_the_new_nsos_queue(
    registration: RunningRegistration, probe: EventProbe
) -> None:
    http = registration.http
    elx = await new_school(http)
    batalha = await new_school(http, "Escola Básica da Batalha", "PT", town="Batalha")
    ana = await new_teacher(http, elx["id"], "ana@example.org")
    assert (await http.post(f"/teachers/{ana['id']}/validation", headers=nso("ES"))).is_success
    assert await queue(registration, "PT") == []
    moved = await http.post(
        f"/teachers/{ana['id']}/school-change", json={"school_id": batalha["id"]},
        headers=teacher_token(ana["id"]),
    )  # fmt: skip
    assert moved.status_code == 200, moved.text
    [waiting] = await queue(registration, "PT")
    assert (waiting["id"], waiting["school"]["id"], waiting["verification"]["method"]) == (
        ana["id"], batalha["id"], "nso_review",
    )  # fmt: skip
    assert await queue(registration, "ES") == []
    [changed] = await events_of(probe, "registration.teacher.school_changed", 1)
    assert (changed["payload"]["country"], changed["payload"]["previous_country"]) == ("PT", "ES")


async def test_r_reg_2_a_rejected_teacher_corrects_their_data_and_waits_again(
    registration: RunningRegistration, probe: EventProbe
) -> None:
    http = registration.http
    elx = await new_school(http)
    ana = await new_teacher(http, elx["id"], "ana@example.org")
    rejected = await http.post(
        f"/teachers/{ana['id']}/rejection", json={"reason": "wrong school"}, headers=nso("ES")
    )
    assert rejected.status_code == 200
    assert await queue(registration, "ES") == []
    other = await new_school(http, "IES Carrús", town="Elx")
    again = await http.post(
        f"/teachers/{ana['id']}/reapplication", json={"school_id": other["id"]},
        headers=teacher_token(ana["id"]),
    )  # fmt: skip
    assert again.status_code == 200, again.text
    assert (again.json()["status"], again.json()["school_id"]) == (
        "WAITING_FOR_VALIDATION", other["id"],
    )  # fmt: skip
    assert [item["id"] for item in await queue(registration, "ES")] == [ana["id"]]
    registered = await events_of(probe, "registration.teacher.registered", 2)
    assert [e["payload"]["source"] for e in registered] == ["http", "reapplication"]
    assert (
        problem_code(
            await http.post(
                f"/teachers/{ana['id']}/reapplication", json={}, headers=teacher_token(ana["id"])
            )
        )
        == "transition_not_allowed"
    )


async def test_r_reg_7_a_deactivated_e_mail_registers_again_after_the_period(
    registration: RunningRegistration, clock: SettableClock
) -> None:
    http = registration.http
    elx = await new_school(http)
    ana = await new_teacher(http, elx["id"], "ana@example.org")
    deactivated = await http.post(
        f"/teachers/{ana['id']}/deactivation", json={"reason": "left teaching"},
        headers=teacher_token(ana["id"]),
    )  # fmt: skip
    assert deactivated.status_code == 200
    body = {"name": "Ana García", "email": "ana@example.org", "role": "teacher",
            "school_id": elx["id"]}  # fmt: skip
    clock.advance(timedelta(days=29))
    early = await http.post("/teachers", json=body, headers=new_applicant())
    assert problem_code(early) == "duplicate_email"
    clock.advance(timedelta(days=1))
    again = await http.post("/teachers", json=body, headers=new_applicant())
    assert again.status_code == 201, again.text
    assert again.json()["id"] != ana["id"]
    old = await http.get(f"/teachers/{ana['id']}", headers=nso("ES"))
    assert (old.json()["status"], old.json()["email"]) == (
        "DEACTIVATED", f"released+{ana['id']}@invalid",
    )  # fmt: skip
