"""R-REG-4 before the project's state: a teacher who is not validated is told so whatever the
project's state; R-PRJ-3 [ASSUMPTION]: whether an NSO may reject is configuration."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.projects.domain.model import KnownTeacher, Project, ProjectDetails, ProjectStatus
from shared.errors import DomainRuleViolation

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
DETAILS = ProjectDetails(title="NETWORK", subjects=("ICT",), pupil_age_min=12, pupil_age_max=15)


def teacher(teacher_id: str, country: str, status: str = "VALIDATED") -> KnownTeacher:
    return KnownTeacher(teacher_id, status, f"sch-{teacher_id}", f"School {teacher_id}", country)


ANA, JOAO = teacher("ana", "ES"), teacher("joao", "PT")


def proposed() -> Project:
    return Project.propose("prj_1", DETAILS, ANA, JOAO, NOW)


def pending_nso() -> Project:
    project = proposed()
    project.respond(JOAO, True, None, NOW)
    return project


def active() -> Project:
    project = pending_nso()
    project.decide_as_nso("ES", True, None, NOW)
    project.decide_as_nso("PT", True, None, NOW)
    return project


def rejected() -> Project:
    project = pending_nso()
    project.decide_as_nso("ES", False, "not a school project", NOW)
    return project


def code_of(action: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(DomainRuleViolation) as raised:
        action(*args, **kwargs)  # type: ignore[operator]
    return raised.value.code


@pytest.mark.parametrize("make", [proposed, pending_nso, active, rejected])
@pytest.mark.parametrize("status", ["UNKNOWN", "WAITING_FOR_VALIDATION", "REJECTED"])
def test_r_reg_4_joining_unvalidated_is_user_not_validated_in_every_project_state(
    make: object, status: str
) -> None:
    """Never invited (an unvalidated teacher cannot be), in any state: the real obstacle."""
    project = make()  # type: ignore[operator]
    assert code_of(project.join, teacher("ayse", "TR", status), 10, NOW) == "user_not_validated"


def test_r_reg_4_an_invited_teacher_no_longer_validated_is_told_so_after_completion() -> None:
    project = active()
    project.invite("ana", teacher("ayse", "TR"), NOW)
    project.complete("ana", NOW)
    moved = teacher("ayse", "TR", "WAITING_FOR_VALIDATION")  # changed school (R-REG-5)
    assert code_of(project.join, moved, 10, NOW) == "user_not_validated"
    assert code_of(project.join, teacher("ayse", "TR"), 10, NOW) == "project_not_active"


def test_r_reg_4_a_cofounder_accepting_unvalidated_is_told_so_whatever_the_state() -> None:
    project = pending_nso()  # already answered: the state would refuse too
    waiting = teacher("joao", "PT", "WAITING_FOR_VALIDATION")
    assert code_of(project.respond, waiting, True, None, NOW) == "user_not_validated"
    assert code_of(project.respond, JOAO, True, None, NOW) == "project_not_pending_partner"


def test_r_prj_3_an_nso_may_reject_by_default() -> None:
    assert rejected().status is ProjectStatus.REJECTED


def test_r_prj_3_where_configured_an_nso_only_approves() -> None:
    project = pending_nso()
    refused = code_of(project.decide_as_nso, "ES", False, "no", NOW, may_reject=False)
    assert refused == "nso_rejection_disabled"
    assert project.status is ProjectStatus.PENDING_NSO and project.nso_approvals == {}
    project.decide_as_nso("ES", True, None, NOW, may_reject=False)
    project.decide_as_nso("PT", True, None, NOW, may_reject=False)
    assert project.status is ProjectStatus.ACTIVE
