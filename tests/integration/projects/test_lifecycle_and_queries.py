"""A project's whole life over the HTTP API, its events in the outbox, and the queries."""

from __future__ import annotations

from typing import Any

import pytest

from services.projects.adapters.repository import PROJECTS
from tests.integration.projects.conftest import ProjectsService
from tests.support.projects_helpers import as_operator, know_validated, new_teacher

pytestmark = pytest.mark.integration


async def events_of(projects: ProjectsService, project_id: str) -> list[dict[str, Any]]:
    found = projects.runtime.database["outbox"].find({"envelope.aggregate_id": project_id})
    return [d["envelope"] async for d in found.sort("envelope.occurred_at", 1)]


async def test_from_proposal_to_archive_every_step_has_history_and_one_event(
    projects: ProjectsService,
) -> None:
    es, pt, tr, tr2 = (new_teacher(c) for c in ("ES", "PT", "TR", "TR"))
    await know_validated(projects.runtime, es, pt, tr, tr2)
    steps = projects.steps
    project_id = await steps.propose(
        es, pt, description="Networks", subjects=["ICT"], pupil_age_min=12, pupil_age_max=15,
        languages=["en"], tools=["Packet Tracer"], erasmus_plus_ref="2026-1-ES01-KA220",
    )  # fmt: skip
    await steps.accept(project_id, pt)
    await steps.approve(project_id, "PT")
    active = await steps.approve(project_id, "ES")
    assert active["status"] == "ACTIVE" and active["twinspace_id"]
    await steps.add_partner(project_id, es, tr, pupils=24)
    base = f"/projects/{project_id}"
    await steps.call("POST", f"{base}/administrators", pt.headers, {"teacher_id": tr.id})
    await steps.add_partner(project_id, tr, tr2, pupils=10)  # an administrator invites
    await steps.call("DELETE", f"{base}/membership", tr2.headers)
    await steps.call("PUT", f"{base}/pupils", es.headers, {"pupil_count": 30})
    await steps.call("POST", f"{base}/activities", tr.headers, {"title": "Kick-off"})
    completed = await steps.call("POST", f"{base}/completion", es.headers)
    assert (completed["pupil_count"], completed["activity_count"]) == (54, 1)
    archived = await steps.call("POST", f"{base}/archive", pt.headers)
    assert archived["status"] == "ARCHIVED"

    project = await steps.call("GET", base, es.headers)
    assert project["details"]["erasmus_plus_ref"] == "2026-1-ES01-KA220"
    assert [(m["teacher_id"], m["role"], m["administrator"]) for m in project["members"]] == [
        (es.id, "FOUNDER", True), (pt.id, "FOUNDER", True), (tr.id, "PARTNER", True),
    ]  # fmt: skip
    assert [h["what"] for h in project["history"]] == [
        "proposed", "cofounder_responded", "nso_decided", "nso_decided", "activated",
        "partner_invited", "partner_joined", "administrator_appointed", "partner_invited",
        "partner_joined", "partner_left", "pupils_counted", "activity_recorded", "completed",
        "archived",
    ]  # fmt: skip
    types = [e["event_type"].removeprefix("projects.project.") for e in await events_of(
        projects, project_id)]  # fmt: skip
    assert types == [
        "proposed", "cofounder_responded", "nso_decided", "nso_decided", "activated",
        "partner_invited", "partner_joined", "partner_invited", "partner_joined",
        "partner_left", "completed", "archived",
    ]  # fmt: skip
    completion = next(
        e for e in await events_of(projects, project_id)
        if e["event_type"] == "projects.project.completed"
    )["payload"]  # fmt: skip
    assert completion["founder_countries"] == ["ES", "PT"]
    assert [(m["teacher_id"], m["country"], m["pupil_count"]) for m in completion["members"]] == [
        (es.id, "ES", 30), (pt.id, "PT", 0), (tr.id, "TR", 24),
    ]  # fmt: skip


async def test_queries_by_teacher_country_status_and_type_page_through_everything(
    projects: ProjectsService,
) -> None:
    country = "MT"  # only this test's projects have Maltese members
    mt, mt2, pt = new_teacher(country), new_teacher(country), new_teacher("PT")
    await know_validated(projects.runtime, mt, mt2, pt)
    national = [await projects.steps.propose(mt, mt2) for _ in range(3)]
    european = [await projects.steps.activate(mt, pt) for _ in range(2)]

    async def all_pages(params: dict[str, Any], path: str = "/projects") -> list[str]:
        ids: list[str] = []
        cursor = None
        while True:
            query = {**params, "limit": 2, **({"cursor": cursor} if cursor else {})}
            page = (await projects.http.get(path, params=query, headers=as_operator())).json()
            ids += [p["id"] for p in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                return ids

    newest_first = list(reversed(national + european))
    assert await all_pages({"country": country}) == newest_first
    assert await all_pages({"country": country, "type": "NATIONAL"}) == national[::-1]
    assert await all_pages({"country": country, "status": "ACTIVE"}) == european[::-1]
    assert await all_pages({"teacher_id": pt.id}) == european[::-1]
    assert await all_pages({}, f"/teachers/{mt2.id}/projects") == national[::-1]


async def test_listings_are_served_by_indexes(projects: ProjectsService) -> None:
    indexes = await projects.runtime.database[PROJECTS].index_information()
    keys = {tuple(k for k, _ in index["key"]) for index in indexes.values()}
    for first in ("members.teacher_id", "member_countries", "status", "project_type"):
        assert (first, "created_at", "_id") in keys
