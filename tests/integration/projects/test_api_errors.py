"""Every refusal of the projects API: its status, error.code and rule id (R-PRJ-*, R-REG-4)."""

from __future__ import annotations

import pytest

from tests.integration.projects.conftest import ProjectsService
from tests.support.projects_helpers import (
    Teacher,
    as_nso,
    auth,
    deactivate,
    error_of,
    know_validated,
    new_teacher,
    school_changed,
)

pytestmark = pytest.mark.integration


@pytest.fixture
async def founders(projects: ProjectsService) -> tuple[Teacher, Teacher]:
    es, pt = new_teacher("ES"), new_teacher("PT")
    await know_validated(projects.runtime, es, pt)
    return es, pt


async def test_proposing_needs_a_teacher_token(projects: ProjectsService) -> None:
    body = {"cofounder_id": "x", "title": "NETWORK"}
    missing = await projects.http.post("/projects", json=body)
    assert error_of(missing) == (401, "missing_token", None)
    wrong_role = await projects.http.post("/projects", json=body, headers=as_nso("ES"))
    assert error_of(wrong_role) == (403, "forbidden_role", None)


async def test_an_invalid_proposal_is_a_422_naming_the_fields(
    projects: ProjectsService, founders: tuple[Teacher, Teacher]
) -> None:
    es, pt = founders
    body = {"cofounder_id": pt.id, "title": "N", "pupil_age_min": 15, "pupil_age_max": 12}
    response = await projects.http.post("/projects", json=body, headers=es.headers)
    assert error_of(response)[:2] == (422, "invalid_request")
    assert {f["field"] for f in response.json()["errors"]} >= {"body.title"}


async def test_r_reg_4_teachers_unknown_or_not_validated_cannot_found(
    projects: ProjectsService, founders: tuple[Teacher, Teacher]
) -> None:
    es, pt = founders
    stranger = new_teacher("FR")  # no registration event ever arrived
    response = await projects.http.post(
        "/projects", json={"cofounder_id": pt.id, "title": "NETWORK"}, headers=stranger.headers
    )
    assert error_of(response) == (403, "user_not_validated", "R-REG-4")
    response = await projects.http.post(
        "/projects", json={"cofounder_id": stranger.id, "title": "NETWORK"}, headers=es.headers
    )
    assert error_of(response) == (422, "partner_not_validated", "R-REG-4")


async def test_r_prj_1_same_school_founders_are_refused(projects: ProjectsService) -> None:
    es = new_teacher("ES")
    colleague = new_teacher("ES", school_id=es.school_id)
    await know_validated(projects.runtime, es, colleague)
    response = await projects.http.post(
        "/projects", json={"cofounder_id": colleague.id, "title": "NETWORK"}, headers=es.headers
    )
    assert error_of(response) == (422, "same_school_founders", "R-PRJ-1")


async def test_r_prj_3_cofounder_answer_errors(
    projects: ProjectsService, founders: tuple[Teacher, Teacher]
) -> None:
    es, pt = founders
    project_id = await projects.steps.propose(es, pt)
    path = f"/projects/{project_id}/cofounder-answer"
    by_founder = await projects.http.post(path, json={"accept": True}, headers=es.headers)
    assert error_of(by_founder) == (403, "not_the_cofounder", "R-PRJ-3")
    nso_too_early = await projects.http.post(
        f"/projects/{project_id}/nso-decision", json={"approve": True}, headers=as_nso("ES")
    )
    assert error_of(nso_too_early) == (409, "project_not_pending_nso", "R-PRJ-3")
    await projects.steps.accept(project_id, pt)
    again = await projects.http.post(path, json={"accept": True}, headers=pt.headers)
    assert error_of(again) == (409, "project_not_pending_partner", "R-PRJ-3")


async def test_r_reg_4_a_deactivated_cofounder_cannot_accept(
    projects: ProjectsService, founders: tuple[Teacher, Teacher]
) -> None:
    es, pt = founders
    project_id = await projects.steps.propose(es, pt)
    await deactivate(projects.runtime, pt)
    response = await projects.http.post(
        f"/projects/{project_id}/cofounder-answer", json={"accept": True}, headers=pt.headers
    )
    assert error_of(response) == (403, "user_not_validated", "R-REG-4")


async def test_r_prj_3_nso_decision_errors_and_rejection_with_reason(
    projects: ProjectsService, founders: tuple[Teacher, Teacher]
) -> None:
    es, pt = founders
    project_id = await projects.steps.propose(es, pt)
    await projects.steps.accept(project_id, pt)
    path = f"/projects/{project_id}/nso-decision"
    wrong = await projects.http.post(path, json={"approve": True}, headers=as_nso("TR"))
    assert error_of(wrong) == (403, "nso_not_concerned", "R-PRJ-3")
    teacher_role = await projects.http.post(path, json={"approve": True}, headers=es.headers)
    assert error_of(teacher_role) == (403, "forbidden_role", None)
    await projects.steps.approve(project_id, "ES")
    twice = await projects.http.post(path, json={"approve": True}, headers=as_nso("ES"))
    assert error_of(twice) == (409, "nso_already_decided", "R-PRJ-3")
    no_reason = await projects.http.post(path, json={"approve": False}, headers=as_nso("PT"))
    assert error_of(no_reason) == (422, "reason_required", "R-PRJ-3")
    rejected = await projects.steps.call(
        "POST", path, as_nso("PT"), {"approve": False, "reason": "head did not confirm"}
    )
    assert (rejected["status"], rejected["ended_reason"]) == ("REJECTED", "head did not confirm")


async def test_r_prj_3_edit_and_withdraw_only_by_founders_while_pending(
    projects: ProjectsService, founders: tuple[Teacher, Teacher]
) -> None:
    es, pt = founders
    outsider = new_teacher("TR")
    await know_validated(projects.runtime, outsider)
    project_id = await projects.steps.propose(es, pt)
    path = f"/projects/{project_id}"
    edited = await projects.steps.call(
        "PATCH", path, pt.headers, {"title": "NETWORK II", "tools": ["Packet Tracer"]}
    )
    assert (edited["title"], edited["details"]["tools"]) == ("NETWORK II", ["Packet Tracer"])
    not_founder = await projects.http.patch(path, json={"title": "mine"}, headers=outsider.headers)
    assert error_of(not_founder) == (403, "not_a_founder", "R-PRJ-3")
    withdrawn = await projects.steps.call("POST", f"{path}/withdrawal", es.headers, {})
    assert withdrawn["status"] == "WITHDRAWN"
    late = await projects.http.patch(path, json={"title": "again"}, headers=es.headers)
    assert error_of(late) == (409, "project_not_pending", "R-PRJ-3")


async def test_r_prj_4_membership_errors(
    projects: ProjectsService, founders: tuple[Teacher, Teacher]
) -> None:
    es, pt = founders
    tr, unvalidated = new_teacher("TR"), new_teacher("IT")
    await know_validated(projects.runtime, tr)
    project_id = await projects.steps.propose(es, pt)
    invitations = f"/projects/{project_id}/invitations"
    early = await projects.http.post(invitations, json={"teacher_id": tr.id}, headers=es.headers)
    assert error_of(early) == (409, "project_not_active", "R-PRJ-3")

    await projects.steps.accept(project_id, pt)
    for country in ("ES", "PT"):
        await projects.steps.approve(project_id, country)
    not_invited = await projects.http.post(
        f"/projects/{project_id}/membership", json={}, headers=tr.headers
    )
    assert error_of(not_invited) == (403, "not_invited", "R-PRJ-4")
    unvalidated_invitee = await projects.http.post(
        invitations, json={"teacher_id": unvalidated.id}, headers=es.headers
    )
    assert error_of(unvalidated_invitee) == (422, "partner_not_validated", "R-REG-4")
    await projects.steps.add_partner(project_id, es, tr)
    by_partner = await projects.http.post(
        invitations, json={"teacher_id": unvalidated.id}, headers=tr.headers
    )
    assert error_of(by_partner) == (403, "not_an_administrator", "R-PRJ-4")
    appoint = await projects.http.post(
        f"/projects/{project_id}/administrators", json={"teacher_id": es.id}, headers=tr.headers
    )
    assert error_of(appoint) == (403, "not_a_founder", "R-PRJ-3")
    founder_leaves = await projects.http.delete(
        f"/projects/{project_id}/membership", headers=pt.headers
    )
    assert error_of(founder_leaves) == (403, "founder_cannot_leave", "R-PRJ-1")


async def test_r_prj_3_and_6_completion_and_archive_errors(
    projects: ProjectsService, founders: tuple[Teacher, Teacher]
) -> None:
    es, pt = founders
    project_id = await projects.steps.propose(es, pt)
    completion, archive = f"/projects/{project_id}/completion", f"/projects/{project_id}/archive"
    too_early = await projects.http.post(completion, headers=es.headers)
    assert error_of(too_early) == (409, "project_not_active", "R-PRJ-3")
    not_completed = await projects.http.post(archive, headers=es.headers)
    assert error_of(not_completed) == (409, "project_not_completed", "R-PRJ-6")
    await projects.steps.accept(project_id, pt)
    for country in ("ES", "PT"):
        await projects.steps.approve(project_id, country)
    await projects.steps.call("POST", completion, pt.headers)
    await projects.steps.call("POST", archive, es.headers)
    read_only = await projects.http.post(
        f"/projects/{project_id}/activities", json={"title": "late"}, headers=es.headers
    )
    assert error_of(read_only) == (409, "project_archived", "R-PRJ-6")


async def test_unknown_project_and_bad_cursor(projects: ProjectsService) -> None:
    operator = auth(subject="operator:x", role="operator")
    missing = await projects.http.get("/projects/prj_nothing", headers=operator)
    assert error_of(missing) == (404, "unknown_project", None)
    bad = await projects.http.get("/projects", params={"cursor": "not-a-cursor"}, headers=operator)
    assert error_of(bad) == (400, "invalid_cursor", None)
    bad_status = await projects.http.get("/projects", params={"status": "DONE"}, headers=operator)
    assert error_of(bad_status)[:2] == (422, "invalid_request")
    wrong = await projects.http.post("/projects/prj_nothing/completion", headers=operator)
    assert error_of(wrong) == (403, "forbidden_role", None)


async def test_r_reg_4_an_invitee_who_changed_school_cannot_join_and_a_decline_is_final(
    projects: ProjectsService, founders: tuple[Teacher, Teacher]
) -> None:
    es, pt = founders
    mover, decliner = new_teacher("TR"), new_teacher("TR")
    await know_validated(projects.runtime, mover, decliner)
    project_id = await projects.steps.activate(es, pt)
    for invitee in (mover, decliner):
        await projects.steps.call(
            "POST", f"/projects/{project_id}/invitations", es.headers, {"teacher_id": invitee.id}
        )
    await school_changed(projects.runtime, mover)  # R-REG-5: back in validation
    membership = f"/projects/{project_id}/membership"
    response = await projects.http.post(membership, json={}, headers=mover.headers)
    assert error_of(response) == (403, "user_not_validated", "R-REG-4")

    await projects.steps.call(
        "POST", f"/projects/{project_id}/invitation-decline", decliner.headers
    )
    response = await projects.http.post(membership, json={}, headers=decliner.headers)
    assert error_of(response) == (403, "not_invited", "R-PRJ-4")
