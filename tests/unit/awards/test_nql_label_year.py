"""The label year as teachers and NSOs live it (issue 15): a capped application is told and
not forever (R-NQL-3), one NQL per teacher or per school (R-NQL-1 [ASSUMPTION]), evidence per
criterion and the NSO's feedback with the decision (R-NQL-5)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.awards.nql.domain import model as nql
from services.awards.nql.domain.model import Evidence, NqlApplication
from services.awards.nql.domain.policy import Scope
from services.awards.nql.domain.project_state import ProjectState, moves_to
from shared.errors import Refused
from tests.support.awards_helpers import answers, evidence, policy, project_facts, scores

MARCH_2026 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
CALENDAR = policy().default.calendar
RUBRIC = policy().default.rubric


def capped(at: datetime = MARCH_2026, teacher_id: str = "t-es") -> NqlApplication:
    members = (("t-es", "ES"), ("t-pt", "PT"), (teacher_id, "ES"))
    [application, *_] = [
        a
        for a in nql.open_applications(project_facts(completed_at=at, members=members), at)[0]
        if a.teacher_id == teacher_id
    ]
    return nql.submit(application, answers(), evidence(), CALENDAR, at, position_in_school_year=5)


def test_r_nql_3_a_capped_teacher_is_told_from_when_they_may_apply_again() -> None:
    assert nql.may_apply_again_from(CALENDAR, MARCH_2026) == date(2026, 9, 1)
    assert nql.may_apply_again_from(CALENDAR, datetime(2026, 9, 1, tzinfo=UTC)) == date(2027, 9, 1)


def test_r_nql_3_a_capped_application_is_not_submitted_again_in_the_same_school_year() -> None:
    application = capped()
    with pytest.raises(Refused, check=lambda e: e.code == "already_applied"):
        nql.check_can_apply(
            project_facts(completed_at=MARCH_2026),
            application,
            "t-es",
            answers(),
            CALENDAR,
            datetime(2026, 8, 31, 23, 59, tzinfo=UTC),
        )


def test_r_nql_3_a_capped_application_may_be_submitted_again_in_a_later_school_year() -> None:
    application = capped()
    september = datetime(2026, 9, 1, tzinfo=UTC)

    again = nql.check_can_apply(
        project_facts(completed_at=MARCH_2026), application, "t-es", answers(), CALENDAR, september
    )
    resubmitted = nql.submit(again, answers(), evidence(), CALENDAR, september, 1)

    assert resubmitted.status == "SUBMITTED"
    assert resubmitted.school_year == "2026/27"


def _submitted(teacher_id: str, school_id: str) -> NqlApplication:
    application = capped(teacher_id=teacher_id).model_copy(
        update={"status": "SUBMITTED", "school_id": school_id}
    )
    return application


def test_r_nql_1_one_nql_per_teacher_per_project_lets_a_colleague_of_the_school_apply() -> None:
    colleague = _submitted("t-colleague", "s-1")
    nql.check_one_per_school("t-es", "s-1", [colleague], Scope())  # today's default: teacher


def test_r_nql_1_one_nql_per_school_per_project_refuses_a_second_teacher_of_the_school() -> None:
    colleague = _submitted("t-colleague", "s-1")
    with pytest.raises(Refused, check=lambda e: e.code == "one_nql_per_school"):
        nql.check_one_per_school("t-es", "s-1", [colleague], Scope(one_per="school"))
    open_one = colleague.model_copy(update={"status": "OPEN"})
    nql.check_one_per_school("t-es", "s-1", [open_one], Scope(one_per="school"))


def test_r_nql_5_evidence_per_criterion_names_criteria_of_the_rubric() -> None:
    nql.check_evidence(
        Evidence(text="x", per_criterion={"technology": "we used a shared padlet"}), RUBRIC
    )
    with pytest.raises(
        Refused, check=lambda e: (e.code, e.status_code) == ("evidence_not_the_rubric", 422)
    ):
        nql.check_evidence(Evidence(text="x", per_criterion={"astrology": "..."}), RUBRIC)


def test_r_nql_5_the_nso_feedback_is_stored_with_the_decision() -> None:
    submitted = capped().model_copy(update={"status": "SUBMITTED"})
    decided = nql.evaluate(
        submitted, "ES", RUBRIC, scores(ict=0), "nso-es", MARCH_2026, "Show the tools you used."
    )

    assert decided.status == "REFUSED"
    assert decided.decision is not None
    assert decided.decision.feedback == "Show the tools you used."


# --- applying when the project is finished or nearly finished (R-NQL-6, question 2) ----------


def _state(status: str, kind: str = "EUROPEAN") -> ProjectState:
    return ProjectState.model_validate(
        {
            "project_id": "p-live",
            "title": "Live",
            "status": status,
            "project_type": kind,
            "members": {"t-es": {"teacher_id": "t-es", "country": "ES", "school_id": "s-1"}},
        }
    )


def test_r_nql_6_a_member_of_an_active_project_applies_before_completion() -> None:
    project = nql.project_to_apply_on(None, _state("ACTIVE"), MARCH_2026)
    application = nql.open_application_for(project, "t-es", MARCH_2026)

    checked = nql.check_can_apply(project, application, "t-es", answers(), CALENDAR, MARCH_2026)
    assert (checked.status, checked.country, checked.school_id) == ("OPEN", "ES", "s-1")


@pytest.mark.parametrize("status", ["PENDING", "REJECTED", "WITHDRAWN"])
def test_r_nql_6_a_project_not_active_is_refused_with_its_own_code(status: str) -> None:
    with pytest.raises(Refused, check=lambda e: e.code == "project_not_active"):
        nql.project_to_apply_on(None, _state(status), MARCH_2026)


def test_r_nql_6_an_unknown_project_is_refused_with_its_own_code() -> None:
    with pytest.raises(
        Refused, check=lambda e: (e.code, e.status_code) == ("unknown_project", 404)
    ):
        nql.project_to_apply_on(None, None, MARCH_2026)


def test_r_nql_2_an_active_national_project_is_refused_as_national() -> None:
    project = nql.project_to_apply_on(None, _state("ACTIVE", "NATIONAL"), MARCH_2026)
    with pytest.raises(Refused, check=lambda e: e.code == "national_project_not_eligible"):
        nql.check_can_apply(project, None, "t-es", answers(), CALENDAR, MARCH_2026)


def test_a_late_event_never_moves_a_project_back() -> None:
    assert moves_to(None, "PENDING") and moves_to("PENDING", "ACTIVE")
    assert moves_to("ACTIVE", "COMPLETED")
    assert not moves_to("COMPLETED", "ACTIVE") and not moves_to("ACTIVE", "PENDING")
