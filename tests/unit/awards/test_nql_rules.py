"""Applying and evaluating, one test (or more) per rule id: R-NQL-1 .. R-NQL-6."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.awards.nql.domain import model as nql
from services.awards.nql.domain.model import EligibilityAnswers, NqlApplication, ProjectFacts
from services.awards.nql.domain.policy import ApplicationWindow, Calendar
from shared.errors import DomainRuleViolation
from tests.support.awards_helpers import answers, evidence, policy, project_facts, scores

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
CALENDAR = policy().default.calendar
RUBRIC = policy().default.rubric


def opened(project_id: str = "p-1", teacher_id: str = "t-es") -> NqlApplication:
    [application] = [
        a
        for a in nql.open_applications(project_facts(project_id, completed_at=NOW), NOW)[0]
        if a.teacher_id == teacher_id
    ]
    return application


def submitted(position: int = 1, teacher_id: str = "t-es") -> NqlApplication:
    return nql.submit(opened(teacher_id=teacher_id), answers(), evidence(), CALENDAR, NOW, position)


def refused_by(rule: str, status: int) -> pytest.RaisesExc[DomainRuleViolation]:
    return pytest.raises(
        DomainRuleViolation, check=lambda e: (e.rule, e.status_code) == (rule, status)
    )


# --- opening (R-NQL-1, R-NQL-2) --------------------------------------------------------------


def test_r_nql_1_a_european_project_opens_one_personal_application_per_member() -> None:
    applications, not_eligible = nql.open_applications(project_facts(), NOW)

    assert [(a.teacher_id, a.country, a.status) for a in applications] == [
        ("t-es", "ES", "OPEN"),
        ("t-pt", "PT", "OPEN"),
        ("t-tr", "TR", "OPEN"),
    ]
    assert applications[0].id == nql.application_id("p-1", "t-es")
    assert not_eligible == []


def test_r_nql_2_a_national_project_opens_nothing_and_says_why() -> None:
    applications, not_eligible = nql.open_applications(
        project_facts(project_type="NATIONAL", members=(("a", "ES"), ("b", "ES"))), NOW
    )

    assert applications == []
    assert {(n.teacher_id, n.rule) for n in not_eligible} == {("a", "R-NQL-2"), ("b", "R-NQL-2")}


# --- applying ---------------------------------------------------------------------------------


def check(
    project: ProjectFacts | None = None,
    application: NqlApplication | None = None,
    teacher_id: str = "t-es",
    given: EligibilityAnswers | None = None,
    calendar: Calendar = CALENDAR,
    now: datetime = NOW,
) -> NqlApplication:
    return nql.check_can_apply(
        project or project_facts(completed_at=NOW),
        application or opened(),
        teacher_id,
        given or answers(),
        calendar,
        now,
    )


def test_an_open_application_of_a_member_with_five_yes_answers_can_be_submitted() -> None:
    assert check().status == "OPEN"


def test_r_nql_6_a_project_not_completed_cannot_apply() -> None:
    with refused_by("R-NQL-6", 409):
        nql.check_can_apply(None, None, "t-es", answers(), CALENDAR, NOW)


def test_r_nql_2_a_national_project_cannot_apply() -> None:
    national = project_facts(project_type="NATIONAL", members=(("t-es", "ES"), ("b", "ES")))
    with refused_by("R-NQL-2", 409):
        nql.check_can_apply(national, None, "t-es", answers(), CALENDAR, NOW)


def test_r_nql_1_a_teacher_applies_only_on_their_own_project() -> None:
    with refused_by("R-NQL-1", 403):
        nql.check_can_apply(project_facts(), None, "stranger", answers(), CALENDAR, NOW)


def test_r_nql_1_one_application_per_teacher_per_project() -> None:
    with refused_by("R-NQL-1", 409):
        check(application=submitted())


@pytest.mark.parametrize("question", list(answers().model_dump()))
def test_r_nql_4_any_no_answer_blocks_the_submission(question: str) -> None:
    with refused_by("R-NQL-4", 422) as refusal:
        check(given=answers(**{question: False}))
    assert question in refusal.value.detail


def test_r_nql_6_outside_the_country_windows_applications_are_closed() -> None:
    windows = CALENDAR.model_copy(
        update={"application_windows": [ApplicationWindow(opens="05-01", closes="06-30")]}
    )
    with refused_by("R-NQL-6", 409):
        check(calendar=windows, now=NOW)
    assert check(calendar=windows, now=NOW.replace(month=6, day=30)).status == "OPEN"


def test_r_nql_6_spain_accepts_the_current_or_the_next_school_year_only() -> None:
    spain = policy().for_country("ES").calendar.model_copy(update={"school_years_to_apply": 2})
    completed_in_2025_26 = project_facts(completed_at=NOW)

    assert (
        check(project=completed_in_2025_26, calendar=spain, now=NOW + timedelta(days=365)).status
        == "OPEN"
    )
    with refused_by("R-NQL-6", 409):
        check(project=completed_in_2025_26, calendar=spain, now=datetime(2027, 9, 1, tzinfo=UTC))


def test_r_nql_6_re_application_after_refusal_follows_the_country_rule() -> None:
    refused = nql.evaluate(submitted(), "ES", RUBRIC, scores(ict=0), "nso-es", NOW)
    assert refused.status == "REFUSED"

    with refused_by("R-NQL-6", 409):
        check(application=refused)  # default: no re-application
    one_more = CALENDAR.model_copy(update={"reapplications_after_refusal": 1})
    assert check(application=refused, calendar=one_more).status == "REFUSED"

    again = nql.submit(refused, answers(), evidence(), one_more, NOW, 2)
    assert again.status == "SUBMITTED"
    assert again.decision is None
    assert again.history[0]["decision"]["outcome"] == "REFUSED"
    refused_twice = nql.evaluate(again, "ES", RUBRIC, scores(ict=0), "nso-es", NOW)
    with refused_by("R-NQL-6", 409):
        check(application=refused_twice, calendar=one_more)


# --- the cap (R-NQL-3) ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("position", "status"),
    [(1, "SUBMITTED"), (4, "SUBMITTED"), (5, "NOT_EVALUATED_CAP"), (9, "NOT_EVALUATED_CAP")],
)
def test_r_nql_3_only_the_first_four_submissions_of_a_school_year_are_evaluated(
    position: int, status: str
) -> None:
    application = submitted(position)

    assert application.status == status
    assert application.school_year == "2025/26"
    assert application.position_in_school_year == position


def test_r_nql_3_the_cap_is_per_country_configuration() -> None:
    two = CALENDAR.model_copy(update={"evaluated_per_school_year": 2})
    assert nql.submit(opened(), answers(), evidence(), two, NOW, 3).status == "NOT_EVALUATED_CAP"


def test_r_nql_3_a_capped_application_is_not_scored() -> None:
    with refused_by("R-NQL-3", 409):
        nql.evaluate(submitted(5), "ES", RUBRIC, scores(), "nso-es", NOW)


# --- evaluating (R-NQL-1, R-NQL-5) ------------------------------------------------------------


def test_r_nql_1_only_the_nso_of_the_applicant_country_evaluates() -> None:
    with refused_by("R-NQL-1", 403):
        nql.evaluate(submitted(), "PT", RUBRIC, scores(), "nso-pt", NOW)


def test_r_nql_5_the_status_is_the_computed_decision_with_its_explanation() -> None:
    granted = nql.evaluate(submitted(), "ES", RUBRIC, scores(), "nso-es", NOW)
    refused = nql.evaluate(
        submitted(), "ES", RUBRIC, scores(gdpr_copyright_esafety=0), "nso-es", NOW
    )

    assert granted.status == "GRANTED" and granted.refusals == 0
    assert refused.status == "REFUSED" and refused.refusals == 1
    assert refused.decision is not None
    assert refused.decision.decision.scores["gdpr_copyright_esafety"] == 0
    assert "gdpr_copyright_esafety 0 < 1 (1 short)" in refused.decision.summary
    assert refused.decision.decided_by == "nso-es"


def test_r_nql_5_a_decided_application_is_not_scored_again() -> None:
    granted = nql.evaluate(submitted(), "ES", RUBRIC, scores(), "nso-es", NOW)
    with refused_by("R-NQL-5", 409):
        nql.evaluate(granted, "ES", RUBRIC, scores(ict=0), "nso-es", NOW)


def test_r_nql_5_an_open_application_is_not_scored_before_it_is_submitted() -> None:
    with refused_by("R-NQL-5", 409):
        nql.evaluate(opened(), "ES", RUBRIC, scores(), "nso-es", NOW)
