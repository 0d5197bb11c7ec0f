"""Each event registration emits reaches a consumer over the real broker, with what consumers
need (ids, country, school, e-mail and language), and nothing else is sent."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from tests.support.probes import eventually
from tests.support.registration_helpers import (
    EventProbe,
    RunningRegistration,
    new_school,
    new_teacher,
    nso,
    teacher_token,
)

pytestmark = pytest.mark.integration

EMITTED = {
    "registration.school.registered": 2,
    "registration.teacher.registered": 2,
    "registration.teacher.validated": 1,
    "registration.teacher.rejected": 1,
    "registration.teacher.school_changed": 1,
    "registration.teacher.deactivated": 1,
    "registration.teacher.erased": 1,
}


async def test_every_emitted_event_reaches_a_consumer(
    registration: RunningRegistration, probe: EventProbe
) -> None:
    http = registration.http
    elx = await new_school(http)
    batalha = await new_school(http, "Escola Básica da Batalha", "PT", town="Batalha")
    ana = await new_teacher(http, elx["id"], "ana@example.org", language="es")
    rui = await new_teacher(http, elx["id"], "rui@example.org", language="pt")
    ana_url, rui_url = f"/teachers/{ana['id']}", f"/teachers/{rui['id']}"
    for url, body in [
        (f"{ana_url}/validation", None),
        (f"{rui_url}/rejection", {"reason": "not a member of staff"}),
    ]:
        assert (await http.post(url, json=body, headers=nso("ES"))).status_code == 200
    ana_token = teacher_token(ana["id"])
    for url, body in [
        (f"{ana_url}/school-change", {"school_id": batalha["id"]}),
        (f"{ana_url}/deactivation", {"reason": "moving abroad"}),
        (f"{ana_url}/erasure", None),
    ]:
        assert (await http.post(url, json=body, headers=ana_token)).status_code == 200

    received: list[dict[str, Any]] = []

    async def all_arrived() -> bool:
        received.extend(await probe.drain())
        return sum(EMITTED.values()) <= len(received)

    await eventually(all_arrived, seconds=10, what="every registration event")
    assert Counter(e["event_type"] for e in received) == Counter(EMITTED)
    by_type = {e["event_type"]: e for e in received if e["aggregate_id"] == ana["id"]}
    assert all(e["producer"] == "registration" and e["event_version"] == 1 for e in received)

    registered = by_type["registration.teacher.registered"]["payload"]
    assert (registered["email"], registered["language"], registered["country"]) == (
        "ana@example.org", "es", "ES",
    )  # fmt: skip
    validated = by_type["registration.teacher.validated"]["payload"]
    assert (validated["school_name"], validated["email"]) == ("IES Severo Ochoa", "ana@example.org")
    moved = by_type["registration.teacher.school_changed"]["payload"]
    assert (moved["previous_school_id"], moved["school_id"], moved["country"]) == (
        elx["id"], batalha["id"], "PT",
    )  # fmt: skip
    assert moved["status"] == "WAITING_FOR_VALIDATION"
    deactivated = by_type["registration.teacher.deactivated"]["payload"]
    assert (deactivated["deactivated_by"], deactivated["country"]) == ("teacher", "PT")
    erased = by_type["registration.teacher.erased"]
    assert "ana" not in str(erased["payload"]).lower()
    rejected = next(e for e in received if e["event_type"] == "registration.teacher.rejected")
    assert rejected["payload"]["reason"] == "not a member of staff"
    assert rejected["payload"]["language"] == "pt"
