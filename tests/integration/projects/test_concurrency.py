"""Concurrent decisions on one project give one transition and one event each: both NSOs
approving at the same instant, and a double click on "complete". Real HTTP calls into the
in-process app, racing on the real database; the outbox is the count of events."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from tests.integration.projects.conftest import ProjectsService
from tests.support.projects_helpers import as_nso, as_operator, know_validated, new_teacher

pytestmark = pytest.mark.integration

ROUNDS = 5


async def event_counts(projects: ProjectsService, project_id: str) -> Counter[str]:
    found = projects.runtime.database["outbox"].find({"envelope.aggregate_id": project_id})
    return Counter([d["event_type"].removeprefix("projects.project.") async for d in found])


async def test_both_nsos_approving_at_once_activate_the_project_once(
    projects: ProjectsService,
) -> None:
    es, pt = new_teacher("ES"), new_teacher("PT")
    await know_validated(projects.runtime, es, pt)
    for _ in range(ROUNDS):
        project_id = await projects.steps.propose(es, pt)
        await projects.steps.accept(project_id, pt)
        path = f"/projects/{project_id}/nso-decision"

        responses = await asyncio.gather(
            *(
                projects.http.post(path, json={"approve": True}, headers=as_nso(country))
                for country in ("ES", "PT")
            )
        )

        assert [r.status_code for r in responses] == [200, 200], [r.text for r in responses]
        project = (await projects.http.get(f"/projects/{project_id}", headers=as_operator())).json()
        assert project["status"] == "ACTIVE"
        assert project["nso_approvals"] == {"ES": True, "PT": True}
        assert [h["what"] for h in project["history"]].count("activated") == 1
        counts = await event_counts(projects, project_id)
        assert (counts["nso_decided"], counts["activated"]) == (2, 1), counts


async def test_the_same_nso_clicking_twice_decides_once(projects: ProjectsService) -> None:
    es, pt = new_teacher("ES"), new_teacher("PT")
    await know_validated(projects.runtime, es, pt)
    project_id = await projects.steps.propose(es, pt)
    await projects.steps.accept(project_id, pt)
    path = f"/projects/{project_id}/nso-decision"

    responses = await asyncio.gather(
        *(projects.http.post(path, json={"approve": True}, headers=as_nso("ES")) for _ in "ab")
    )

    assert sorted(r.status_code for r in responses) == [200, 409]
    assert (await event_counts(projects, project_id))["nso_decided"] == 1


async def test_a_double_click_on_complete_completes_once(projects: ProjectsService) -> None:
    es, pt = new_teacher("ES"), new_teacher("PT")
    await know_validated(projects.runtime, es, pt)
    for _ in range(ROUNDS):
        project_id = await projects.steps.activate(es, pt)
        path = f"/projects/{project_id}/completion"

        responses = await asyncio.gather(
            projects.http.post(path, headers=es.headers),
            projects.http.post(path, headers=es.headers),
            projects.http.post(path, headers=pt.headers),
        )

        assert sorted(r.status_code for r in responses) == [200, 409, 409]
        refused = [r.json() for r in responses if r.status_code == 409]
        assert {(e["code"], e["rule"]) for e in refused} == {("project_not_active", "R-PRJ-3")}
        assert (await event_counts(projects, project_id))["completed"] == 1
