"""An NQL application when the project is finished or nearly finished (eligibility question
2, R-NQL-6), over the real broker and SecantusDB: awards follows the project from the
projects service's events; a member of an active European project applies without waiting
for completion; completion still invites the members who have not applied; each refusal has
its own code (unknown project, project not active, national project)."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from shared.clock import SettableClock
from shared.events import projects
from tests.support.awards_bus import AwardsOnBus, awards_on_bus, nso, teacher
from tests.support.awards_helpers import ALL_YES, EVIDENCE, PERFECT, project_completed
from tests.support.probes import wait_queue_drained
from tests.support.problems import problem_code
from tests.support.servers import Vhost

pytestmark = pytest.mark.integration


def member(teacher_id: str, country: str, role: str = "FOUNDER") -> projects.ProjectMember:
    return projects.ProjectMember(
        teacher_id=teacher_id,
        school_id=f"s-{teacher_id}",
        school_name=f"School of {teacher_id}",
        country=country,
        role=role,  # type: ignore[arg-type]
    )


def proposed(
    project_id: str, kind: str = "EUROPEAN", countries: tuple[str, str] = ("ES", "PT")
) -> projects.ProjectProposed:
    return projects.ProjectProposed(
        project_id=project_id,
        title=f"Project {project_id}",
        project_type=kind,  # type: ignore[arg-type]
        founder=member("t-es", countries[0]),
        cofounder=member("t-pt", countries[1]),
        details=projects.ProjectDetails(
            title=f"Project {project_id}", description="Water of Europe, measured by pupils."
        ),
        proposed_at=datetime.now(UTC),
    )


def activated(project_id: str) -> projects.ProjectActivated:
    return projects.ProjectActivated(
        project_id=project_id,
        title=f"Project {project_id}",
        twinspace_id=f"ts-{project_id}",
        member_ids=["t-es", "t-pt"],
        activated_at=datetime.now(UTC),
    )


async def apply(awards: AwardsOnBus, project_id: str, teacher_id: str) -> httpx.Response:
    return await awards.http.post(
        f"/nql/projects/{project_id}/applications",
        json={"answers": ALL_YES, "evidence": EVIDENCE},
        headers=teacher(teacher_id),
    )


async def test_a_member_of_an_active_project_applies_before_completion(
    vhost: Vhost, mongodb_url: str, database_prefix: str
) -> None:
    async with awards_on_bus(vhost, mongodb_url, database_prefix) as awards:
        await awards.publish(proposed("p-live"))
        await awards.publish(proposed("p-pending"))
        await awards.publish(proposed("p-nat", "NATIONAL", ("ES", "ES")))
        await awards.publish(activated("p-nat"))
        await awards.publish(
            projects.PartnerJoined(project_id="p-live", member=member("t-tr", "TR", "PARTNER"))
        )
        await awards.publish(activated("p-live"))
        await wait_queue_drained(vhost, "awards.events", seconds=15)

        pending = await apply(awards, "p-pending", "t-es")
        assert (pending.status_code, problem_code(pending)) == (409, "project_not_active")
        unknown = await apply(awards, "p-nowhere", "t-es")
        assert (unknown.status_code, problem_code(unknown)) == (404, "unknown_project")
        national = await apply(awards, "p-nat", "t-es")
        assert (national.status_code, problem_code(national)) == (
            409,
            "national_project_not_eligible",
        )
        stranger = await apply(awards, "p-live", "t-fr")
        assert (stranger.status_code, problem_code(stranger)) == (403, "not_a_project_member")

        early = await awards.http.post(  # a partner, before any completion
            "/nql/projects/p-live/applications",
            json={
                "answers": ALL_YES,
                "evidence": {**EVIDENCE, "per_criterion": {"technology": "A shared padlet."}},
            },
            headers=teacher("t-tr"),
        )
        assert early.status_code == 201, early.text
        assert early.json()["status"] == "SUBMITTED"
        assert early.json()["country"] == "TR"
        # R-NQL-5: the evaluator sees what they score
        view_path = f"/nql/applications/{early.json()['id']}/evaluation-view"
        assert (await awards.http.get(view_path, headers=nso("ES"))).status_code == 403
        view = (await awards.http.get(view_path, headers=nso("TR"))).json()
        assert view["project"]["description"] == "Water of Europe, measured by pupils."
        assert view["project"]["twinspace_id"] == "ts-p-live"
        assert [(p["teacher_id"], p["nql_status"]) for p in view["partners"]] == [
            ("t-es", None),
            ("t-pt", None),
        ]
        technology = next(
            c for c in view["evidence_by_criterion"] if c["criterion_id"] == "technology"
        )
        assert (technology["evidence"], technology["max_points"]) == ("A shared padlet.", 6)
        assert {s["id"] for s in view["rubric"]["criteria"][1]["sub_criteria"]} == {
            "ict",
            "gdpr_copyright_esafety",
        }
        # The decision before submitting: computed, nothing stored.
        preview_path = f"/nql/applications/{early.json()['id']}/evaluation-preview"
        foreign = await awards.http.post(preview_path, json={"scores": PERFECT}, headers=nso("ES"))
        assert (foreign.status_code, problem_code(foreign)) == (403, "wrong_nso")
        granted = await awards.http.post(preview_path, json={"scores": PERFECT}, headers=nso("TR"))
        assert granted.status_code == 200, granted.text
        assert granted.json()["outcome"] == "GRANTED"
        zeros = dict.fromkeys(PERFECT, 0)
        refused = (
            await awards.http.post(preview_path, json={"scores": zeros}, headers=nso("TR"))
        ).json()
        assert refused["outcome"] == "REFUSED"
        assert {c["code"] for c in refused["checks"] if not c["passed"]} >= {"total_below_minimum"}
        short = await awards.http.post(preview_path, json={"scores": {"ict": 1}},
                                       headers=nso("TR"))  # fmt: skip
        assert (short.status_code, problem_code(short)) == (422, "scores_not_the_rubric")
        still = await awards.http.get(f"/nql/applications/{early.json()['id']}", headers=nso("TR"))
        assert still.json()["status"] == "SUBMITTED"
        evaluated = await awards.http.post(
            f"/nql/applications/{early.json()['id']}/evaluation",
            json={"scores": PERFECT, "feedback": "A model of online collaboration."},
            headers=nso("TR"),
        )
        assert evaluated.json()["status"] == "GRANTED", evaluated.text
        [granted] = await awards.eventually_emitted("awards.nql.granted", project_id="p-live")
        assert granted["payload"]["feedback"] == "A model of online collaboration."

        # completion still invites every member who has not applied yet
        members = (("t-es", "ES"), ("t-pt", "PT"), ("t-tr", "TR"))
        await awards.publish(project_completed("p-live", members=members))
        opened = await awards.eventually_emitted(
            "awards.nql.application_opened", 2, project_id="p-live"
        )
        assert sorted(e["payload"]["teacher_id"] for e in opened) == ["t-es", "t-pt"]
        await wait_queue_drained(vhost, "awards.events", seconds=15)
        again = await apply(awards, "p-live", "t-tr")
        assert (again.status_code, problem_code(again)) == (409, "already_applied")


async def test_r_nql_3_a_capped_teacher_is_told_when_and_applies_again_next_school_year(
    vhost: Vhost, mongodb_url: str, database_prefix: str
) -> None:
    clock = SettableClock(datetime(2026, 3, 10, 12, tzinfo=UTC))
    async with awards_on_bus(vhost, mongodb_url, database_prefix, clock=clock) as awards:
        projects_ = [f"p-{n}" for n in range(5)]
        for project_id in projects_:
            await awards.publish(project_completed(project_id))
        await awards.eventually_emitted("awards.nql.application_opened", 3 * len(projects_))
        for project_id in projects_:
            assert (await apply(awards, project_id, "t-es")).status_code == 201
        [capped] = await awards.eventually_emitted("awards.nql.not_evaluated", teacher_id="t-es")
        assert capped["payload"]["may_apply_again_from"] == "2026-09-01"
        same_year = await apply(awards, "p-4", "t-es")
        assert (same_year.status_code, problem_code(same_year)) == (409, "already_applied")

        clock.set(datetime(2026, 9, 1, 8, tzinfo=UTC))  # the next school year
        again = await apply(awards, "p-4", "t-es")
        assert again.status_code == 201, again.text
        assert (again.json()["status"], again.json()["school_year"]) == ("SUBMITTED", "2026/27")
