"""The eTwinning School Label, one group of tests per rule id, at the boundaries:
R-SCH-1 (eligibility of a round) and R-SCH-2 (application, decision, biennium)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.awards.school_label.domain import model as school_label
from services.awards.school_label.domain.model import (
    Declaration,
    NqlGrant,
    SchoolFacts,
    SchoolLabelApplication,
    TeacherFacts,
    label_covers,
)
from services.awards.school_label.domain.policy import RoundDates, SchoolLabelPolicy
from shared.errors import DomainRuleViolation
from tests.support.school_label_helpers import OPENS, at, grant, label_policy, school, teacher

POLICY = label_policy()
DATES = POLICY.round(2025)
THRESHOLDS = POLICY.thresholds
TWO_YEARS_BEFORE = date(2023, 1, 20)
NOW = at(date(2025, 3, 1))


def teachers(count: int, school_id: str = "s-1") -> list[TeacherFacts]:
    return [teacher(f"t-{i}", school_id) for i in range(count)]


def assess(
    facts: SchoolFacts | None = None,
    staff: list[TeacherFacts] | None = None,
    grants: list[NqlGrant] | None = None,
    dates: RoundDates = DATES,
    policy: SchoolLabelPolicy = POLICY,
    **options: object,
) -> school_label.Assessment:
    return school_label.assess(
        "s-1",
        facts if facts is not None else school(),
        teachers(3) if staff is None else staff,
        [grant()] if grants is None else grants,
        dates,
        policy.thresholds,
        **options,  # type: ignore[arg-type]
    )


def refused_by(rule: str, status: int) -> pytest.RaisesExc[DomainRuleViolation]:
    return pytest.raises(
        DomainRuleViolation, check=lambda e: (e.rule, e.status_code) == (rule, status)
    )


# --- R-SCH-1: the round's dates ---------------------------------------------------------------


def test_r_sch_1_cut_offs_follow_from_the_opening_day_when_the_round_gives_only_that() -> None:
    assert DATES.registered_on_or_before == TWO_YEARS_BEFORE
    assert DATES.teachers_active_since == TWO_YEARS_BEFORE
    assert (DATES.nql_granted_from, DATES.nql_granted_until) == (TWO_YEARS_BEFORE, OPENS)
    assert DATES.name == "2025-2026"


def test_r_sch_1_a_round_may_give_its_own_cut_off_dates() -> None:
    policy = SchoolLabelPolicy.from_document(
        {
            "rounds": {
                "2025": {
                    "opens": "2025-01-20",
                    "registered_on_or_before": "2023-01-09",
                    "teachers_active_since": "2023-01-09",
                    "nql_granted_from": "2022-11-09",
                    "nql_granted_until": "2025-01-16",
                }
            }
        }
    )
    dates = policy.round(2025)

    assert dates.registered_on_or_before == date(2023, 1, 9)
    assert dates.nql_granted_from == date(2022, 11, 9)
    assert dates.nql_granted_until == date(2025, 1, 16)
    assert assess(school(registered_at=at(date(2023, 1, 9), 23)), dates=dates).eligible
    assert not assess(school(registered_at=at(date(2023, 1, 10), 0)), dates=dates).eligible


def test_r_sch_1_all_three_conditions_make_a_school_eligible() -> None:
    result = assess()

    assert result.eligible
    assert {check.rule for check in result.checks} == {"R-SCH-1"}
    assert result.teachers_to_notify == ["t-0", "t-1", "t-2"]


# --- R-SCH-1: registered for at least 2 years -------------------------------------------------


def test_r_sch_1_registered_exactly_two_years_before_the_round_opens_is_eligible() -> None:
    assert assess(school(registered_at=at(TWO_YEARS_BEFORE, 23))).eligible


def test_r_sch_1_registered_a_day_less_than_two_years_is_not_eligible() -> None:
    result = assess(school(registered_at=at(TWO_YEARS_BEFORE + timedelta(days=1), 0)))

    assert not result.eligible
    assert result.failed() == ["registered_on_or_before"]
    assert result.teachers_to_notify == []


def test_r_sch_1_a_school_awards_never_heard_of_is_not_eligible() -> None:
    result = school_label.assess("s-x", None, teachers(3), [grant()], DATES, THRESHOLDS)

    assert result.failed() == ["registered_on_or_before"]


def test_r_sch_1_years_registered_is_configuration() -> None:
    one_year = label_policy(years_registered=1)
    recent = school(registered_at=at(date(2024, 1, 20)))

    assert assess(recent, policy=one_year, dates=one_year.round(2025)).eligible
    assert not assess(recent).eligible


# --- R-SCH-1: at least 3 teachers active since the cut-off ------------------------------------


def test_r_sch_1_exactly_three_active_teachers_is_enough() -> None:
    assert assess(staff=teachers(3)).eligible


def test_r_sch_1_two_active_teachers_are_not_enough() -> None:
    result = assess(staff=teachers(2))

    assert result.failed() == ["active_teachers"]
    [check] = [c for c in result.checks if c.check == "active_teachers"]
    assert (check.required, check.actual) == (3, 2)


def test_r_sch_1_the_minimum_is_configuration_two_in_older_rounds() -> None:
    older = label_policy(min_active_teachers=2)
    assert assess(staff=teachers(2), policy=older, dates=older.round(2025)).eligible


def test_r_sch_1_validated_on_the_cut_off_day_counts_as_active_the_day_before_does_not() -> None:
    on_the_day = teacher("t-on", validated_at=at(TWO_YEARS_BEFORE, 0))
    day_before = teacher("t-before", validated_at=at(TWO_YEARS_BEFORE - timedelta(days=1), 23))

    assert school_label.is_active(on_the_day, DATES, THRESHOLDS)
    assert not school_label.is_active(day_before, DATES, THRESHOLDS)


def test_r_sch_1_activity_seen_in_awards_makes_a_long_standing_teacher_active() -> None:
    veteran = teacher("t-old", validated_at=at(date(2015, 1, 1)))

    assert not school_label.is_active(veteran, DATES, THRESHOLDS)
    assert school_label.is_active(veteran, DATES, THRESHOLDS, active_in_awards={"t-old"})


def test_r_sch_1_only_validated_teachers_count_and_are_told() -> None:
    staff = [*teachers(2), teacher("t-waiting", status="WAITING_FOR_VALIDATION")]
    staff.append(teacher("t-off", status="DEACTIVATED"))

    result = assess(staff=staff, active_in_awards={"t-waiting", "t-off"})

    assert result.failed() == ["active_teachers"]
    assert all(
        not school_label.is_active(t, DATES, THRESHOLDS, {"t-waiting", "t-off"}) for t in staff[2:]
    )


def test_r_sch_1_every_registered_teacher_is_told_not_only_the_active_ones() -> None:
    veteran = teacher("t-old", validated_at=at(date(2015, 1, 1)))

    result = assess(staff=[*teachers(3), veteran])

    assert result.eligible
    assert result.teachers_to_notify == ["t-0", "t-1", "t-2", "t-old"]


# --- R-SCH-1: a European project with an NQL in the previous 2 years --------------------------


def test_r_sch_1_an_nql_granted_exactly_two_years_before_opening_counts() -> None:
    assert assess(grants=[grant(granted_at=at(TWO_YEARS_BEFORE, 0))]).eligible


def test_r_sch_1_an_nql_a_day_older_than_two_years_does_not_count() -> None:
    result = assess(grants=[grant(granted_at=at(TWO_YEARS_BEFORE - timedelta(days=1), 23))])

    assert result.failed() == ["european_projects_with_nql"]


def test_r_sch_1_an_nql_granted_after_the_window_does_not_count() -> None:
    result = assess(grants=[grant(granted_at=at(OPENS + timedelta(days=1)))])

    assert result.failed() == ["european_projects_with_nql"]


def test_r_sch_1_nqls_of_several_teachers_on_one_project_are_one_project() -> None:
    result = assess(grants=[grant("p-1"), grant("p-1"), grant("p-2")])

    [check] = [c for c in result.checks if c.check == "european_projects_with_nql"]
    assert check.actual == 2


# --- R-SCH-2: the biennium and the next run ---------------------------------------------------


def test_r_sch_2_the_label_of_a_round_covers_two_calendar_years() -> None:
    assert POLICY.biennium(2025) == (2025, 2026)
    assert label_policy(label_years=3).biennium(2025) == (2025, 2027)


def test_r_sch_2_a_school_labelled_for_the_current_biennium_is_left_out_of_the_next_run() -> None:
    biennium = POLICY.biennium(2025)
    next_round = label_policy(2026, date(2026, 2, 12))

    assert label_covers(biennium, 2026)
    result = assess(dates=next_round.round(2026), holds_label=label_covers(biennium, 2026))
    assert result.failed() == ["no_label_for_the_year"]
    assert not label_covers(biennium, 2027)


# --- R-SCH-2: application ---------------------------------------------------------------------

DECLARED = Declaration(head_declaration=True, head_name="Head Teacher")


def submit(**changes: object) -> SchoolLabelApplication:
    arguments: dict[str, object] = {
        "eligible_school": school(),
        "year": 2025,
        "teacher": teacher("t-0"),
        "existing": None,
        "declaration": DECLARED,
        "thresholds": THRESHOLDS,
        "now": NOW,
        **changes,
    }
    return school_label.submit(**arguments)  # type: ignore[arg-type]


def test_r_sch_2_a_teacher_of_an_eligible_school_applies_with_the_heads_declaration() -> None:
    application = submit()

    assert (application.id, application.status) == ("sch_2025_s-1", "SUBMITTED")
    assert (application.applicant_id, application.country) == ("t-0", "ES")


def test_r_sch_1_a_school_not_eligible_in_the_round_cannot_apply() -> None:
    with refused_by("R-SCH-1", 409):
        submit(eligible_school=None)


def test_r_sch_2_without_the_heads_declaration_the_application_is_refused() -> None:
    with refused_by("R-SCH-2", 422):
        submit(declaration=Declaration(head_declaration=False, head_name="Head"))


def test_r_sch_2_only_a_registered_teacher_of_that_school_applies() -> None:
    with refused_by("R-SCH-2", 403):
        submit(teacher=teacher("t-x", school_id="s-other"))
    with refused_by("R-SCH-2", 403):
        submit(teacher=teacher("t-w", status="WAITING_FOR_VALIDATION"))
    with refused_by("R-SCH-2", 403):
        submit(teacher=None)


def test_r_sch_2_one_application_per_school_and_round() -> None:
    with refused_by("R-SCH-2", 409):
        submit(existing=submit())


# --- R-SCH-2: the NSO's decision --------------------------------------------------------------


def test_r_sch_2_the_nso_of_the_schools_country_grants_for_the_biennium() -> None:
    decided = school_label.decide(
        submit(), nso_country="ES", outcome="GRANTED", reason="ok", decided_by="nso-ES",
        biennium=(2025, 2026), now=NOW,
    )  # fmt: skip

    assert decided.status == "GRANTED"
    assert decided.decision is not None and decided.decision.biennium == (2025, 2026)


def test_r_sch_2_a_refusal_has_no_biennium() -> None:
    decided = school_label.decide(
        submit(), nso_country="ES", outcome="REFUSED", reason="thin evidence",
        decided_by="nso-ES", biennium=(2025, 2026), now=NOW,
    )  # fmt: skip

    assert decided.decision is not None and decided.decision.biennium is None


def test_r_sch_2_a_foreign_nso_may_not_decide_and_a_decision_is_final() -> None:
    with refused_by("R-SCH-2", 403):
        school_label.decide(
            submit(), nso_country="PT", outcome="GRANTED", reason="ok", decided_by="nso-PT",
            biennium=(2025, 2026), now=NOW,
        )  # fmt: skip
    granted = school_label.decide(
        submit(), nso_country="ES", outcome="GRANTED", reason="ok", decided_by="nso-ES",
        biennium=(2025, 2026), now=NOW,
    )  # fmt: skip
    with refused_by("R-SCH-2", 409):
        school_label.decide(
            granted, nso_country="ES", outcome="REFUSED", reason="no", decided_by="nso-ES",
            biennium=(2025, 2026), now=NOW,
        )  # fmt: skip


def test_r_sch_1_activity_is_looked_up_only_where_it_can_change_the_outcome() -> None:
    veteran = teacher("t-old", validated_at=at(date(2015, 1, 1)))
    too_young = school(registered_at=at(OPENS))

    assert (
        school_label.undecided_teachers(school(), [*teachers(3), veteran], DATES, THRESHOLDS) == []
    )
    assert school_label.undecided_teachers(
        school(), [*teachers(2), veteran], DATES, THRESHOLDS
    ) == ["t-old"]
    assert school_label.undecided_teachers(too_young, [veteran], DATES, THRESHOLDS) == []
