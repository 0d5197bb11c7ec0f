"""Domain rules of a project (R-PRJ-1..6, R-REG-4), without I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.projects.domain import model
from services.projects.domain.model import KnownTeacher, Project, ProjectDetails, ProjectStatus
from services.projects.service_layer.integration import integration_events
from shared.errors import DomainRuleViolation
from shared.events import projects as contract

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def teacher(
    teacher_id: str, country: str = "ES", school: str | None = None, status: str = "VALIDATED"
) -> KnownTeacher:
    school_id = school or f"sch-{teacher_id}"
    return KnownTeacher(teacher_id, status, school_id, f"School {school_id}", country)


ANA = teacher("ana", "ES")
JOAO = teacher("joao", "PT")
AYSE = teacher("ayse", "TR")
EMRE = teacher("emre", "TR")
DETAILS = ProjectDetails(title="NETWORK", subjects=("ICT",), pupil_age_min=12, pupil_age_max=15)


def proposed(founder: KnownTeacher = ANA, cofounder: KnownTeacher = JOAO) -> Project:
    return Project.propose("prj_1", DETAILS, founder, cofounder, NOW)


def pending_nso() -> Project:
    project = proposed()
    project.respond(JOAO, True, None, NOW)
    return project


def active() -> Project:
    project = pending_nso()
    project.decide_as_nso("ES", True, None, NOW)
    project.decide_as_nso("PT", True, None, NOW)
    return project


def with_partner(pupils: int | None = 20) -> Project:
    project = active()
    project.invite("ana", AYSE, NOW)
    project.join(AYSE, pupils, NOW)
    return project


def completed() -> Project:
    project = with_partner()
    project.complete("ana", NOW + timedelta(days=90))
    return project


def broken(error: pytest.ExceptionInfo[DomainRuleViolation]) -> tuple[str, str, int]:
    return error.value.rule, error.value.reason, error.value.status_code


# --- R-PRJ-1, R-PRJ-2, R-REG-4: founding -------------------------------------------------


def test_founders_in_different_countries_make_a_european_project() -> None:
    project = proposed()
    assert project.project_type == "EUROPEAN"
    assert project.status is ProjectStatus.PENDING_PARTNER
    assert [m.role for m in project.members] == ["FOUNDER", "FOUNDER"]
    assert all(m.administrator for m in project.members)


def test_founders_in_the_same_country_make_a_national_project() -> None:
    assert proposed(ANA, teacher("luis", "ES")).project_type == "NATIONAL"


def test_r_prj_1_founders_must_work_in_different_schools() -> None:
    with pytest.raises(DomainRuleViolation) as error:
        proposed(ANA, teacher("luis", "ES", school=ANA.school_id))
    assert broken(error) == ("R-PRJ-1", "same_school_founders", 422)


def test_r_prj_1_the_cofounder_is_another_teacher() -> None:
    with pytest.raises(DomainRuleViolation) as error:
        proposed(ANA, ANA)
    assert broken(error)[:2] == ("R-PRJ-1", "cofounder_is_founder")


@pytest.mark.parametrize("status", ["UNKNOWN", "WAITING_FOR_VALIDATION", "REJECTED",
                                    "DEACTIVATED", "ERASED"])  # fmt: skip
def test_r_reg_4_an_unvalidated_teacher_cannot_found(status: str) -> None:
    with pytest.raises(DomainRuleViolation) as error:
        proposed(teacher("ana", "ES", status=status), JOAO)
    assert broken(error) == ("R-REG-4", "user_not_validated", 403)


def test_r_reg_4_an_unvalidated_teacher_cannot_be_cofounder() -> None:
    with pytest.raises(DomainRuleViolation) as error:
        proposed(ANA, teacher("joao", "PT", status="WAITING_FOR_VALIDATION"))
    assert broken(error) == ("R-REG-4", "partner_not_validated", 422)


def test_r_reg_4_a_cofounder_no_longer_validated_cannot_accept() -> None:
    project = proposed()
    with pytest.raises(DomainRuleViolation) as error:
        project.respond(teacher("joao", "PT", status="DEACTIVATED"), True, None, NOW)
    assert broken(error)[:2] == ("R-REG-4", "user_not_validated")
    assert project.status is ProjectStatus.PENDING_PARTNER


# --- R-PRJ-3: lifecycle -----------------------------------------------------------------------


def test_r_prj_3_only_the_cofounder_answers() -> None:
    with pytest.raises(DomainRuleViolation) as error:
        proposed().respond(AYSE, True, None, NOW)
    assert broken(error) == ("R-PRJ-3", "not_the_cofounder", 403)


def test_r_prj_3_a_cofounder_rejection_ends_the_project_with_its_reason() -> None:
    project = proposed()
    project.respond(JOAO, False, "no time this year", NOW)
    assert project.status is ProjectStatus.REJECTED
    assert project.ended_reason == "no time this year"
    rejected = [e for e in project.events if isinstance(e, model.Rejected)]
    assert [(e.rejected_by, e.reason) for e in rejected] == [("cofounder", "no time this year")]


def test_r_prj_3_both_founders_nsos_must_approve_before_activation() -> None:
    project = pending_nso()
    project.decide_as_nso("PT", True, None, NOW)
    assert project.status is ProjectStatus.PENDING_NSO
    assert project.awaiting_nso_of == ["ES"]
    project.decide_as_nso("ES", True, None, NOW)
    assert project.status is ProjectStatus.ACTIVE
    assert project.twinspace_id
    assert sum(isinstance(e, model.Activated) for e in project.events) == 1


def test_r_prj_3_a_national_project_needs_one_nso_decision() -> None:
    project = proposed(ANA, teacher("luis", "ES"))
    project.respond(teacher("luis", "ES"), True, None, NOW)
    project.decide_as_nso("ES", True, None, NOW)
    assert project.status is ProjectStatus.ACTIVE


def test_r_prj_3_an_nso_of_another_country_does_not_decide() -> None:
    with pytest.raises(DomainRuleViolation) as error:
        pending_nso().decide_as_nso("TR", True, None, NOW)
    assert broken(error) == ("R-PRJ-3", "nso_not_concerned", 403)


def test_r_prj_3_one_decision_per_country() -> None:
    project = pending_nso()
    project.decide_as_nso("ES", True, None, NOW)
    with pytest.raises(DomainRuleViolation) as error:
        project.decide_as_nso("ES", True, None, NOW)
    assert broken(error) == ("R-PRJ-3", "nso_already_decided", 409)


def test_r_prj_3_nso_decides_only_after_the_cofounder_accepted() -> None:
    with pytest.raises(DomainRuleViolation) as error:
        proposed().decide_as_nso("ES", True, None, NOW)
    assert broken(error)[:2] == ("R-PRJ-3", "project_not_pending_nso")


def test_r_prj_3_an_nso_rejection_needs_a_reason_and_ends_the_project() -> None:
    project = pending_nso()
    with pytest.raises(DomainRuleViolation) as error:
        project.decide_as_nso("PT", False, " ", NOW)
    assert broken(error) == ("R-PRJ-3", "reason_required", 422)
    project.decide_as_nso("PT", False, "school head did not confirm", NOW)
    assert project.status is ProjectStatus.REJECTED
    assert project.ended_reason == "school head did not confirm"
    payloads = [p for e in project.events for p in integration_events(e)]
    rejected = [p for p in payloads if isinstance(p, contract.ProjectRejected)]
    assert [(r.rejected_by, r.reason) for r in rejected] == [
        ("nso:PT", "school head did not confirm")
    ]


@pytest.mark.parametrize("make", [proposed, pending_nso])
def test_r_prj_3_founders_edit_while_pending_and_the_type_stays(make: object) -> None:
    project = make()  # type: ignore[operator]
    project.edit("joao", {"title": "NETWORK 2", "languages": ("en", "pt")}, NOW)
    assert project.title == "NETWORK 2"
    assert project.details.languages == ("en", "pt")
    assert project.details.subjects == ("ICT",)
    assert project.project_type == "EUROPEAN"
    assert project.history[-1]["what"] == "edited"


def test_r_prj_3_only_founders_edit() -> None:
    with pytest.raises(DomainRuleViolation) as error:
        proposed().edit("ayse", {"title": "mine"}, NOW)
    assert broken(error) == ("R-PRJ-3", "not_a_founder", 403)


def test_r_prj_3_an_active_project_is_no_longer_edited_or_withdrawn() -> None:
    project = active()
    with pytest.raises(DomainRuleViolation) as error:
        project.edit("ana", {"title": "late"}, NOW)
    assert broken(error) == ("R-PRJ-3", "project_not_pending", 409)
    with pytest.raises(DomainRuleViolation) as error:
        project.withdraw("ana", None, NOW)
    assert broken(error)[:2] == ("R-PRJ-3", "project_not_pending")


def test_r_prj_3_an_empty_age_range_is_refused() -> None:
    with pytest.raises(DomainRuleViolation) as error:
        proposed().edit("ana", {"pupil_age_min": 16, "pupil_age_max": 12}, NOW)
    assert broken(error)[:2] == ("R-PRJ-3", "project_age_range_empty")


def test_r_prj_3_a_founder_withdraws_a_pending_project() -> None:
    project = pending_nso()
    project.withdraw("joao", "changed plans", NOW)
    assert project.status is ProjectStatus.WITHDRAWN
    with pytest.raises(DomainRuleViolation):
        project.decide_as_nso("ES", True, None, NOW)


# --- R-PRJ-4: membership ----------------------------------------------------------------------


@pytest.mark.parametrize("make", [proposed, pending_nso])
def test_r_prj_4_no_partner_before_activation(make: object) -> None:
    with pytest.raises(DomainRuleViolation) as error:
        make().invite("ana", AYSE, NOW)  # type: ignore[operator]
    assert broken(error) == ("R-PRJ-3", "project_not_active", 409)


def test_r_prj_4_only_administrators_invite() -> None:
    project = with_partner()
    with pytest.raises(DomainRuleViolation) as error:
        project.invite("ayse", EMRE, NOW)
    assert broken(error) == ("R-PRJ-4", "not_an_administrator", 403)
    project.appoint_administrator("joao", "ayse", NOW)
    project.invite("ayse", EMRE, NOW)
    assert project.invited == ["emre"]


def test_r_prj_4_only_founders_appoint_administrators() -> None:
    project = with_partner()
    project.invite("ana", EMRE, NOW)
    project.join(EMRE, None, NOW)
    with pytest.raises(DomainRuleViolation) as error:
        project.appoint_administrator("ayse", "emre", NOW)
    assert broken(error) == ("R-PRJ-3", "not_a_founder", 403)


def test_r_reg_4_an_unvalidated_teacher_is_not_invited_and_cannot_join() -> None:
    project = active()
    with pytest.raises(DomainRuleViolation) as error:
        project.invite("ana", teacher("ayse", "TR", status="REJECTED"), NOW)
    assert broken(error) == ("R-REG-4", "partner_not_validated", 422)
    project.invite("ana", AYSE, NOW)
    with pytest.raises(DomainRuleViolation) as error:
        project.join(teacher("ayse", "TR", status="WAITING_FOR_VALIDATION"), 10, NOW)
    assert broken(error) == ("R-REG-4", "user_not_validated", 403)
    assert not project.is_member("ayse")


def test_r_prj_4_only_invited_teachers_join_and_decline() -> None:
    project = active()
    with pytest.raises(DomainRuleViolation) as error:
        project.join(AYSE, 10, NOW)
    assert broken(error) == ("R-PRJ-4", "not_invited", 403)
    project.invite("ana", AYSE, NOW)
    project.decline("ayse", NOW)
    assert project.invited == []
    with pytest.raises(DomainRuleViolation):
        project.join(AYSE, 10, NOW)


def test_r_prj_4_no_second_invitation() -> None:
    project = with_partner()
    with pytest.raises(DomainRuleViolation) as error:
        project.invite("ana", AYSE, NOW)
    assert broken(error)[:2] == ("R-PRJ-4", "already_member_or_invited")


def test_r_prj_5_a_national_project_stays_national_with_foreign_partners() -> None:
    luis = teacher("luis", "ES")
    project = proposed(ANA, luis)
    project.respond(luis, True, None, NOW)
    project.decide_as_nso("ES", True, None, NOW)
    project.invite("ana", AYSE, NOW)
    project.join(AYSE, 5, NOW)
    assert project.project_type == "NATIONAL"
    assert project.founder_countries == ["ES"]


def test_members_leave_but_founders_do_not() -> None:
    project = with_partner()
    with pytest.raises(DomainRuleViolation) as error:
        project.leave("ana", NOW)
    assert broken(error) == ("R-PRJ-1", "founder_cannot_leave", 403)
    project.leave("ayse", NOW)
    assert not project.is_member("ayse")
    assert project.pupil_count == 0
    left = [p for e in project.events for p in integration_events(e)][-1]
    assert isinstance(left, contract.PartnerLeft) and left.teacher_id == "ayse"


def test_r_prj_6_pupils_are_counted_once_per_member_school() -> None:
    project = with_partner(pupils=20)
    colleague = teacher("deniz", "TR", school=AYSE.school_id)
    project.invite("ana", colleague, NOW)
    project.join(colleague, None, NOW)  # same school: its pupils are already counted
    project.count_pupils("ana", 25, NOW)
    assert project.pupils_by_school == {ANA.school_id: 25, AYSE.school_id: 20}
    assert project.pupil_count == 45
    project.leave("ayse", NOW)  # a colleague of the same school stays
    assert project.pupil_count == 45


def test_only_members_count_pupils_and_record_activities() -> None:
    project = with_partner()
    with pytest.raises(DomainRuleViolation) as error:
        project.record_activity("emre", "Kick-off", NOW)
    assert broken(error) == ("R-PRJ-4", "not_a_member", 403)
    project.record_activity("ayse", "Kick-off", NOW)
    project.record_activity("ana", "Network lab", NOW)
    assert project.activity_count == 2


# --- completion and archive -----------------------------------------------------------------


def test_completion_event_carries_what_label_evaluation_needs() -> None:
    project = with_partner(pupils=24)
    project.count_pupils("joao", 18, NOW)
    project.record_activity("ana", "Kick-off", NOW)
    project.complete("joao", NOW + timedelta(days=90))
    payload = integration_events(project.events[-1])[0]
    assert isinstance(payload, contract.ProjectCompleted)
    assert payload.project_type == "EUROPEAN"
    assert payload.founder_ids == ["ana", "joao"]
    assert payload.founder_countries == ["ES", "PT"]
    assert [(m.teacher_id, m.country, m.role, m.school_id) for m in payload.members] == [
        ("ana", "ES", "FOUNDER", ANA.school_id),
        ("joao", "PT", "FOUNDER", JOAO.school_id),
        ("ayse", "TR", "PARTNER", AYSE.school_id),
    ]
    assert (payload.activity_count, payload.pupil_count) == (1, 42)
    assert payload.created_at == NOW and payload.completed_at == NOW + timedelta(days=90)


def test_r_prj_3_only_founders_complete() -> None:
    with pytest.raises(DomainRuleViolation) as error:
        with_partner().complete("ayse", NOW)
    assert broken(error) == ("R-PRJ-3", "not_a_founder", 403)


@pytest.mark.parametrize("make", [proposed, pending_nso, completed])
def test_r_prj_3_only_an_active_project_completes(make: object) -> None:
    with pytest.raises(DomainRuleViolation) as error:
        make().complete("ana", NOW)  # type: ignore[operator]
    assert broken(error) == ("R-PRJ-3", "project_not_active", 409)


def test_a_completed_project_takes_no_new_members() -> None:
    project = completed()
    with pytest.raises(DomainRuleViolation) as error:
        project.invite("ana", EMRE, NOW)
    assert broken(error)[:2] == ("R-PRJ-3", "project_not_active")


def test_r_prj_6_only_a_completed_project_is_archived_then_read_only() -> None:
    with pytest.raises(DomainRuleViolation) as error:
        with_partner().archive("ana", NOW)
    assert broken(error) == ("R-PRJ-6", "project_not_completed", 409)
    project = completed()
    project.archive("joao", NOW)
    assert project.status is ProjectStatus.ARCHIVED
    for attempt in (
        lambda: project.complete("ana", NOW),
        lambda: project.archive("ana", NOW),
        lambda: project.leave("ayse", NOW),
        lambda: project.record_activity("ana", "late", NOW),
        lambda: project.edit("ana", {"title": "late"}, NOW),
    ):
        with pytest.raises(DomainRuleViolation) as error:
            attempt()
        assert broken(error) == ("R-PRJ-6", "project_archived", 409)


def test_every_transition_is_in_the_history() -> None:
    project = completed()
    project.archive("ana", NOW)
    assert [h["what"] for h in project.history] == [
        "proposed", "cofounder_responded", "nso_decided", "nso_decided", "activated",
        "partner_invited", "partner_joined", "completed", "archived",
    ]  # fmt: skip
    assert [h["status"] for h in project.history][-2:] == ["COMPLETED", "ARCHIVED"]
    assert project.history[2]["by"] == "nso:ES"


def test_every_domain_event_has_exactly_one_integration_event() -> None:
    project = completed()
    project.archive("ana", NOW)
    types = [integration_events(e)[0].event_type for e in project.events]
    assert types == [
        "projects.project.proposed", "projects.project.cofounder_responded",
        "projects.project.nso_decided", "projects.project.nso_decided",
        "projects.project.activated", "projects.project.partner_invited",
        "projects.project.partner_joined", "projects.project.completed",
        "projects.project.archived",
    ]  # fmt: skip
