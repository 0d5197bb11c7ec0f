"""The NQL API over the real broker and database: every refusal of the issue's "Bad input"
is a 4xx with its rule id; duplicated completions; the cap and the NSO queue; re-application."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.awards.nql.domain.model import application_id
from tests.support.awards_bus import AwardsOnBus, awards_on_bus, nso, operator, teacher
from tests.support.awards_helpers import (
    ALL_YES,
    EVIDENCE,
    PERFECT,
    project_completed,
    shipped_policy_document,
    write_policy,
)
from tests.support.probes import eventually, wait_queue_drained
from tests.support.problems import problem_code
from tests.support.servers import Vhost

pytestmark = pytest.mark.integration


def body(**answers: bool) -> dict[str, Any]:
    return {"answers": {**ALL_YES, **answers}, "evidence": EVIDENCE}


async def apply(
    awards: AwardsOnBus, project_id: str, teacher_id: str, **answers: bool
) -> httpx.Response:
    return await awards.http.post(
        f"/nql/projects/{project_id}/applications",
        json=body(**answers),
        headers=teacher(teacher_id),
    )


async def score(awards: AwardsOnBus, app_id: str, country: str, **changes: int) -> httpx.Response:
    return await awards.http.post(
        f"/nql/applications/{app_id}/evaluation",
        json={"scores": {**PERFECT, **changes}},
        headers=nso(country),
    )


def refused(response: httpx.Response, status: int, rule: str) -> bool:
    error = response.json()
    return response.status_code == status and error.get("rule") == rule


async def test_every_bad_input_is_a_4xx_with_its_rule_id(
    vhost: Vhost, mongodb_url: str, database_prefix: str
) -> None:
    async with awards_on_bus(vhost, mongodb_url, database_prefix) as awards:
        national = (("n-1", "ES"), ("n-2", "ES"))
        await awards.publish(project_completed("p-eu"))
        await awards.publish(project_completed("p-eu"))  # the same completion again, new event id
        await awards.publish(project_completed("p-nat", "NATIONAL", national))

        async def national_recorded() -> list[Any]:
            found = (
                await awards.http.get(
                    "/nql/not-eligible", params={"project_id": "p-nat"}, headers=operator()
                )
            ).json()
            return found if len(found) == 2 else []

        [record, _] = await eventually(national_recorded, seconds=15, what="R-NQL-2 recorded")
        assert record["rule"] == "R-NQL-2"
        await wait_queue_drained(vhost, "awards.events", seconds=15)
        assert len(await awards.applications(project_id="p-eu")) == 3
        assert len(await awards.eventually_emitted("awards.nql.application_opened", 3)) == 3
        assert await awards.applications(project_id="p-nat") == []

        assert refused(await apply(awards, "p-nat", "n-1"), 409, "R-NQL-2")
        unknown = await apply(awards, "p-unknown", "t-es")  # never seen by awards
        assert (unknown.status_code, problem_code(unknown)) == (404, "unknown_project")
        assert refused(await apply(awards, "p-eu", "stranger"), 403, "R-NQL-1")
        assert refused(
            await apply(awards, "p-eu", "t-es", finished_or_nearly_finished=False), 422, "R-NQL-4"
        )
        missing = await awards.http.post(
            "/nql/projects/p-eu/applications",
            json={"answers": {"common_goals": True}, "evidence": EVIDENCE},
            headers=teacher("t-es"),
        )
        assert missing.status_code == 422
        assert (await apply(awards, "p-eu", "t-es")).status_code == 201
        assert refused(await apply(awards, "p-eu", "t-es"), 409, "R-NQL-1")

        mine = application_id("p-eu", "t-es")
        assert refused(await score(awards, mine, "PT"), 403, "R-NQL-1")
        assert refused(await score(awards, mine, "ES", ict=4), 422, "R-NQL-5")
        negative = await score(awards, mine, "ES", pedagogy=-1)  # refused by the Score bound
        assert (negative.status_code, problem_code(negative)) == (422, "invalid_request")
        as_teacher = await awards.http.post(
            f"/nql/applications/{mine}/evaluation",
            json={"scores": PERFECT},
            headers=teacher("t-es"),
        )
        assert as_teacher.status_code == 403
        unauthenticated = await awards.http.post("/nql/projects/p-eu/applications", json=body())
        assert unauthenticated.status_code == 401
        assert (
            await awards.http.get(f"/nql/applications/{mine}", headers=nso("PT"))
        ).status_code == 403
        assert (
            await awards.http.get(
                f"/nql/applications/{mine}/certificate.pdf", headers=teacher("t-es")
            )
        ).status_code == 404

        [stored] = await awards.applications(project_id="p-eu", teacher_id="t-es")
        assert (stored["status"], stored["decision"]) == ("SUBMITTED", None)


async def test_spain_allows_one_re_application_after_a_refusal_portugal_none(
    vhost: Vhost, mongodb_url: str, database_prefix: str
) -> None:
    async with awards_on_bus(vhost, mongodb_url, database_prefix) as awards:
        await awards.publish(project_completed("p-1"))
        await eventually(
            lambda: awards.applications(project_id="p-1"), seconds=15, what="applications open"
        )
        spanish, portuguese = application_id("p-1", "t-es"), application_id("p-1", "t-pt")
        for teacher_id in ("t-es", "t-pt"):
            assert (await apply(awards, "p-1", teacher_id)).status_code == 201

        first = await score(awards, spanish, "ES", ict=0)
        assert first.json()["status"] == "REFUSED"
        [check] = [c for c in first.json()["decision"]["explanation"] if not c["passed"]]
        assert (check["check"], check["rule"], check["margin"]) == (
            "key_minimum:ict",
            "R-NQL-5",
            -1,
        )
        [event] = await awards.eventually_emitted("awards.nql.refused", application_id=spanish)
        assert event["payload"]["reapplication_allowed"] is True
        assert event["payload"]["explanation"] == first.json()["decision"]["explanation"]

        again = await apply(awards, "p-1", "t-es")
        assert again.status_code == 201
        assert again.json()["position_in_school_year"] == 2
        assert again.json()["history"][0]["decision"]["outcome"] == "REFUSED"
        await awards.eventually_emitted(
            "awards.nql.applied", 1, application_id=spanish, reapplication=True
        )
        assert (await score(awards, spanish, "ES", ict=0)).json()["status"] == "REFUSED"
        assert refused(await apply(awards, "p-1", "t-es"), 409, "R-NQL-6")

        assert (await score(awards, portuguese, "PT", gdpr_copyright_esafety=0)).status_code == 200
        assert refused(await apply(awards, "p-1", "t-pt"), 409, "R-NQL-6")

        detail = (
            await awards.http.get(f"/nql/applications/{spanish}", headers=teacher("t-es"))
        ).json()
        assert detail["refusals"] == 2
        assert detail["evidence"]["links"] == EVIDENCE["links"]


async def test_only_the_first_four_of_a_school_year_are_evaluated_and_queued_oldest_first(
    vhost: Vhost, mongodb_url: str, database_prefix: str
) -> None:
    async with awards_on_bus(vhost, mongodb_url, database_prefix) as awards:
        projects = [f"p-{n}" for n in range(6)]
        for project_id in projects:
            await awards.publish(project_completed(project_id))
        await awards.eventually_emitted("awards.nql.application_opened", 3 * len(projects))

        for project_id in projects[:5]:  # one after the other: submission order is known
            assert (await apply(awards, project_id, "t-es")).status_code == 201
        statuses = [
            (a["project_id"], a["status"], a["position_in_school_year"])
            for a in await awards.applications(teacher_id="t-es", status="")
            if a["submitted_at"]
        ]
        assert sorted(statuses) == [
            ("p-0", "SUBMITTED", 1),
            ("p-1", "SUBMITTED", 2),
            ("p-2", "SUBMITTED", 3),
            ("p-3", "SUBMITTED", 4),
            ("p-4", "NOT_EVALUATED_CAP", 5),
        ]
        [capped] = await awards.eventually_emitted("awards.nql.not_evaluated", teacher_id="t-es")
        assert (capped["payload"]["project_id"], capped["payload"]["rule"]) == ("p-4", "R-NQL-3")
        assert refused(await score(awards, application_id("p-4", "t-es"), "ES"), 409, "R-NQL-3")

        queue = (await awards.http.get("/nql/queue", headers=nso("ES"))).json()
        assert [a["project_id"] for a in queue] == ["p-0", "p-1", "p-2", "p-3"]
        assert (await awards.http.get("/nql/queue", headers=nso("PT"))).json() == []

        # concurrent submissions never share a position: exactly four are evaluated
        results = await asyncio.gather(*(apply(awards, p, "t-pt") for p in projects[:5]))
        assert [r.status_code for r in results] == [201] * 5
        positions = sorted(r.json()["position_in_school_year"] for r in results)
        assert positions == [1, 2, 3, 4, 5]
        assert (
            sorted(r.json()["status"] for r in results) == ["NOT_EVALUATED_CAP"] + ["SUBMITTED"] * 4
        )

        assert (await score(awards, application_id("p-0", "t-es"), "ES")).status_code == 200
        labels = (
            await awards.http.get(
                "/nql/labels", params={"teacher_id": "t-es"}, headers=teacher("t-es")
            )
        ).json()
        assert [label["project_id"] for label in labels] == ["p-0"]
        queue = (await awards.http.get("/nql/queue", headers=nso("ES"))).json()
        assert [a["project_id"] for a in queue] == ["p-1", "p-2", "p-3"]


async def test_the_running_service_decides_by_the_rubric_file_it_is_given(
    vhost: Vhost, mongodb_url: str, database_prefix: str, tmp_path: Path
) -> None:
    document = shipped_policy_document()
    document["default"]["rubric"].update(id="all-or-nothing", min_total=30)
    policy_file = write_policy(tmp_path / "policy.json", document)

    async with awards_on_bus(
        vhost, mongodb_url, database_prefix, nql_policy_path=policy_file
    ) as awards:
        await awards.publish(project_completed("p-1"))
        await eventually(
            lambda: awards.applications(project_id="p-1"), seconds=15, what="applications open"
        )
        assert (await apply(awards, "p-1", "t-pt")).status_code == 201

        decided = (await score(awards, application_id("p-1", "t-pt"), "PT", results=5)).json()

        assert decided["status"] == "REFUSED"  # granted under the shipped rubric (min 15)
        assert decided["decision"]["rubric_id"] == "all-or-nothing"
        [failed] = [c for c in decided["decision"]["explanation"] if not c["passed"]]
        assert (failed["check"], failed["required"], failed["margin"]) == ("min_total", 30, -1)
