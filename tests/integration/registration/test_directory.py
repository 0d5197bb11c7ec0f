"""The lists the portal reads (entrypoints/directory.py through adapters/queries.py): schools
by the start of their name and town, and the teachers of a country in one status."""

from __future__ import annotations

import pytest

from tests.support.registration_helpers import (
    APPLICANT,
    CSS,
    RunningRegistration,
    new_school,
    new_teacher,
    nso,
    validated_teacher,
)

pytestmark = pytest.mark.integration


async def test_schools_are_found_by_the_start_of_their_name_and_town_whatever_the_accents(
    registration: RunningRegistration,
) -> None:
    http = registration.http
    severo = await new_school(http, "IES Severo Ochoa", town="Elx")
    await new_school(http, "IES Sèvres", town="Alacant")
    await new_school(http, "Colegio Severo", town="Elx")
    await new_school(http, "IES Severo Ochoa", country="PT", town="Elx")

    found = await http.get(
        "/schools", params={"country": "ES", "name": "ies se"}, headers=APPLICANT
    )
    assert found.status_code == 200, found.text
    assert [s["name"] for s in found.json()] == ["IES Severo Ochoa", "IES Sèvres"]

    in_elx = await http.get(
        "/schools", params={"country": "ES", "name": "IES", "town": "el"}, headers=APPLICANT
    )
    assert [s["id"] for s in in_elx.json()] == [severo["id"]]
    one = await http.get(
        "/schools", params={"country": "ES", "name": "ies", "limit": 1}, headers=APPLICANT
    )
    assert len(one.json()) == 1


async def test_an_nso_lists_its_countrys_teachers_in_one_status_oldest_first(
    registration: RunningRegistration,
) -> None:
    http = registration.http
    es, pt = await new_school(http, "IES Uno"), await new_school(http, "Escola Um", "PT")
    first = await new_teacher(http, es["id"], "first@example.org")
    second = await new_teacher(http, es["id"], "second@example.org")
    await new_teacher(http, pt["id"], "pt@example.org")
    validated = await validated_teacher(http, es, "valid@example.org")

    waiting = await http.get("/teachers", headers=nso("ES"))
    assert waiting.status_code == 200, waiting.text
    assert [t["id"] for t in waiting.json()] == [first["id"], second["id"]]
    asked_for_pt = await http.get("/teachers", params={"country": "PT"}, headers=nso("ES"))
    assert asked_for_pt.status_code == 403  # another country's queue is not the NSO's
    done = await http.get("/teachers", params={"status": "VALIDATED"}, headers=nso("ES"))
    assert [t["id"] for t in done.json()] == [validated["id"]]
    everywhere = await http.get("/teachers", headers=CSS)
    assert {t["country"] for t in everywhere.json()} == {"ES", "PT"}
