"""The School Label API over the real broker and database: facts arrive as registration and
project events, an NQL is granted over HTTP, the round is run (twice), a teacher applies and
the NSO decides. Every refusal is a 4xx with its rule id; the label leaves the school out of
the next round; erasure drops the teacher from the read model."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.awards.school_label.adapters.repository import TEACHERS
from shared.events.registration import TeacherErased
from tests.support.awards_bus import AwardsOnBus, awards_on_bus, nso, teacher
from tests.support.awards_helpers import ALL_YES, EVIDENCE, PERFECT
from tests.support.jobs import job_result
from tests.support.probes import envelope_of, eventually, publish_envelope, wait_queue_drained
from tests.support.problems import problem_code
from tests.support.school_label_helpers import (
    CURRENT_YEAR,
    css_headers,
    project_completed_by,
    school_registered,
    teacher_registered,
    teacher_validated,
    write_rounds_opening_tomorrow,
)
from tests.support.servers import Vhost

pytestmark = pytest.mark.integration

YEAR = CURRENT_YEAR
CSS = css_headers()
DECLARED = {"head_declaration": True, "head_name": "María Pérez", "statement": "Our plan."}


def refused(response: httpx.Response, status: int, rule: str) -> bool:
    error = response.json()
    return response.status_code == status and error.get("rule") == rule


async def grant_nql(awards: AwardsOnBus, project_id: str, teacher_id: str, country: str) -> None:
    [application] = await eventually(
        lambda: awards.applications(project_id=project_id, teacher_id=teacher_id),
        seconds=15,
        what=f"NQL application of {teacher_id}",
    )
    applied = await awards.http.post(
        f"/nql/projects/{project_id}/applications",
        json={"answers": ALL_YES, "evidence": EVIDENCE},
        headers=teacher(teacher_id),
    )
    assert applied.status_code == 201, applied.text
    evaluated = await awards.http.post(
        f"/nql/applications/{application['id']}/evaluation",
        json={"scores": PERFECT},
        headers=nso(country),
    )
    assert evaluated.json()["status"] == "GRANTED", evaluated.text


async def known_world(awards: AwardsOnBus) -> None:
    """s-es: registered 3 years ago, 3 validated teachers, one NQL; s-pt: one teacher only."""
    await awards.publish(school_registered("s-es"))
    await awards.publish(school_registered("s-pt", "PT"))
    for teacher_id in ("t-1", "t-2", "t-3"):
        await awards.publish(teacher_validated(teacher_id, "s-es"))
    await awards.publish(teacher_registered("t-waiting", "s-es"))
    await awards.publish(teacher_validated("t-pt", "s-pt", "PT"))
    await awards.publish(
        project_completed_by("p-1", [("t-1", "s-es", "ES"), ("t-pt", "s-pt", "PT")])
    )
    await grant_nql(awards, "p-1", "t-1", "ES")
    await grant_nql(awards, "p-1", "t-pt", "PT")
    await wait_queue_drained(awards.vhost, "awards.events", seconds=15)


async def run(awards: AwardsOnBus, year: int = YEAR, **headers: str) -> httpx.Response:
    return await awards.http.post(
        f"/school-label/rounds/{year}/eligibility-run", headers=headers or CSS
    )


async def test_the_round_finds_the_school_once_and_the_label_follows_r_sch_1_and_2(
    vhost: Vhost, mongodb_url: str, database_prefix: str, tmp_path: Path
) -> None:
    policy = write_rounds_opening_tomorrow(tmp_path)
    async with awards_on_bus(
        vhost, mongodb_url, database_prefix, school_label_policy_path=policy
    ) as awards:
        await known_world(awards)

        assert (await run(awards, **teacher("t-1"))).status_code == 403
        assert (await run(awards, year=1999)).status_code == 422  # before eTwinning: out of bounds
        no_round = await run(awards, year=2090)
        assert no_round.status_code == 404
        assert no_round.json()["code"] == "unknown_school_label_round"
        summary = await job_result(awards.http, await run(awards), CSS)
        assert summary["candidates"] == 2
        assert summary["newly_eligible"] == 1
        assert summary["not_eligible"] == {"active_teachers": 1}

        again = await job_result(awards.http, await run(awards), CSS)
        assert (again["newly_eligible"], again["already_eligible"]) == (0, 1)
        [eligible] = await awards.eventually_emitted("awards.school_label.eligible")
        assert eligible["payload"]["teacher_ids"] == ["t-1", "t-2", "t-3"]
        assert eligible["payload"]["round"] == f"{YEAR}-{YEAR + 1}"
        listed = await awards.http.get(f"/school-label/rounds/{YEAR}/eligible-schools", headers=CSS)
        assert [s["school_id"] for s in listed.json()] == ["s-es"]

        async def apply(teacher_id: str, **body: Any) -> httpx.Response:
            payload = {"school_id": "s-es", "year": YEAR, **DECLARED, **body}
            return await awards.http.post(
                "/school-label/applications", json=payload, headers=teacher(teacher_id)
            )

        assert refused(await apply("t-pt"), 403, "R-SCH-2")
        assert refused(await apply("t-waiting"), 403, "R-SCH-2")
        assert refused(await apply("t-pt", school_id="s-pt"), 409, "R-SCH-1")
        applied = await apply("t-2", head_declaration=True)  # a ticked box counts for nothing
        assert applied.status_code == 201, applied.text
        assert applied.json()["status"] == "AWAITING_HEAD"
        assert applied.json()["declaration"]["head_declaration"] is False
        application_id = applied.json()["id"]
        assert refused(await apply("t-3"), 409, "R-SCH-2")

        async def decide(country: str, outcome: str = "GRANTED") -> httpx.Response:
            return await awards.http.post(
                f"/school-label/applications/{application_id}/decision",
                json={"outcome": outcome, "reason": "A school-wide eTwinning plan."},
                headers=nso(country),
            )

        assert refused(await decide("PT"), 403, "R-SCH-2")
        waiting = await decide("ES")
        assert (waiting.status_code, problem_code(waiting)) == (409, "head_not_confirmed")

        # R-SCH-2: the head confirms the declaration through the link sent to their e-mail
        [asked] = await awards.eventually_emitted("awards.school_label.head_confirmation_requested")
        assert asked["payload"]["head_email"] == "head@s-es.example"
        link = asked["payload"]["confirm_url"]
        path = link[link.index("/school-label/") :]
        shown = await awards.http.get(path)
        assert (shown.status_code, shown.json()["status"]) == (200, "AWAITING_HEAD")
        confirmed = await awards.http.post(path)
        assert (confirmed.status_code, confirmed.json()["status"]) == (200, "SUBMITTED")
        assert (await awards.http.get(path)).json()["status"] == "SUBMITTED"  # seen again
        again = await awards.http.post(path)
        assert (again.status_code, problem_code(again)) == (404, "unknown_head_confirmation")
        await awards.eventually_emitted("awards.school_label.submitted")

        granted = await decide("ES")
        assert granted.status_code == 200, granted.text
        assert granted.json()["decision"]["biennium"] == [YEAR, YEAR + 1]
        assert refused(await decide("ES", "REFUSED"), 409, "R-SCH-2")
        [decided] = await awards.eventually_emitted("awards.school_label.decided")
        assert decided["payload"]["outcome"] == "GRANTED"
        assert decided["payload"]["biennium"] == f"{YEAR}-{YEAR + 1}"
        assert (decided["payload"]["applicant_id"], decided["payload"]["rule"]) == (
            "t-2",
            "R-SCH-2",
        )
        labels = await awards.http.get(
            "/school-label/labels", params={"school_id": "s-es"}, headers=CSS
        )
        assert [label["id"] for label in labels.json()] == [application_id]

        following = await job_result(awards.http, await run(awards, year=YEAR + 1), CSS)
        assert following["newly_eligible"] == 0
        assert following["not_eligible"] == {"active_teachers": 1, "no_label_for_the_year": 1}


async def test_erasure_drops_the_teacher_and_late_events_do_not_undo_newer_facts(
    vhost: Vhost, mongodb_url: str, database_prefix: str
) -> None:
    async with awards_on_bus(vhost, mongodb_url, database_prefix) as awards:
        await awards.publish(teacher_validated("t-gone", "s-es"))
        await awards.publish(TeacherErased(teacher_id="t-gone"))
        # a validation published before the erasure but delivered after it changes nothing
        late = teacher_validated("t-gone", "s-es")
        stale = envelope_of(late, occurred_at=datetime.now(UTC) - timedelta(hours=1))
        await publish_envelope(awards.bus, stale)
        # a registration older than the validation does not put the teacher back in waiting
        await awards.publish(teacher_validated("t-kept", "s-es"))
        older = teacher_registered("t-kept", "s-es")
        await publish_envelope(
            awards.bus, envelope_of(older, occurred_at=datetime.now(UTC) - timedelta(days=9))
        )
        await wait_queue_drained(vhost, "awards.events", seconds=15)

        teachers = awards.app.state.runtime.database[TEACHERS]
        document = await teachers.find_one({"_id": "t-gone"})
        assert document is not None
        assert set(document) == {"_id", "erased", "as_of"}
        assert document["erased"] is True
        kept = await teachers.find_one({"_id": "t-kept"})
        assert kept is not None
        assert (kept["status"], kept["school_id"]) == ("VALIDATED", "s-es")
        assert older.registered_at is not None
        # its date is still kept (BSON dates hold milliseconds)
        assert abs(kept["registered_at"] - older.registered_at) < timedelta(milliseconds=1)


async def test_r_sch_2_applying_outside_the_round_application_window_is_refused(
    vhost: Vhost, mongodb_url: str, database_prefix: str, tmp_path: Path
) -> None:
    policy = write_rounds_opening_tomorrow(tmp_path, closed_window=True)
    async with awards_on_bus(
        vhost, mongodb_url, database_prefix, school_label_policy_path=policy
    ) as awards:
        await known_world(awards)
        assert (await job_result(awards.http, await run(awards), CSS))["newly_eligible"] == 1
        late = await awards.http.post(
            "/school-label/applications",
            json={"school_id": "s-es", "year": YEAR, **DECLARED},
            headers=teacher("t-2"),
        )
        assert (late.status_code, problem_code(late)) == (409, "school_label_applications_not_open")
        assert late.json()["applications_close"] < datetime.now(UTC).date().isoformat()
