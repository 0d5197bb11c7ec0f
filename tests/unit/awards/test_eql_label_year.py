"""The EQL round as NSOs and the CSS live it (issue 15): the candidacy window across the
period boundary (R-EQL-3), each project a candidate once, the nomination by a granting NSO as
configuration (R-EQL-5), the CSS's review of each nominee (R-EQL-5) and the nomination
deadline (R-EQL-1)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.awards.config import DEFAULT_EQL_POLICY
from services.awards.eql.adapters.policy_file import load_eql_policy
from services.awards.eql.domain import model as eql
from services.awards.eql.domain.model import CountryQuota, NqlScore
from services.awards.eql.domain.policy import Candidacy, Nomination, RoundPeriod
from services.awards.eql.domain.review import NominationReview, check_can_close, check_review
from shared.errors import Refused
from tests.support.eql_helpers import assessment, eql_policy

POLICY = eql_policy()


def refused(code: str) -> pytest.RaisesExc[Refused]:
    return pytest.raises(Refused, check=lambda e: e.code == code)


# --- the candidacy window (R-EQL-3) -----------------------------------------------------------


def test_r_eql_3_the_shipped_policy_gathers_two_periods_each_project_once() -> None:
    shipped = load_eql_policy(DEFAULT_EQL_POLICY)
    assert shipped.candidacy == Candidacy(periods=2, once=True)
    assert shipped.nomination.only_granting_nso is True


def test_r_eql_3_the_window_of_a_round_reaches_back_over_the_1_september_boundary() -> None:
    period = RoundPeriod()
    assert period.candidacy_bounds(2026, 2) == (
        datetime(2024, 9, 1, tzinfo=UTC),
        datetime(2026, 9, 1, tzinfo=UTC),
    )
    assert period.candidacy_bounds(2026, 1) == period.bounds(2026)


@pytest.mark.parametrize(
    ("decided", "round_year"),
    [
        (datetime(2025, 8, 31, 23, 59, tzinfo=UTC), 2025),
        (datetime(2025, 9, 1, 0, 0, tzinfo=UTC), 2026),
    ],
)
def test_r_eql_3_the_1_september_boundary_both_ways(decided: datetime, round_year: int) -> None:
    period = RoundPeriod()
    assert period.year_of(decided) == round_year
    start, end = period.bounds(round_year)
    assert start <= decided < end


def _boundary_scores() -> list[NqlScore]:
    """ES decided on 31 August 2025 (round 2025's period), PT on 1 September (round 2026's)."""
    return [
        NqlScore(teacher_id="t-es", country="ES", total=25, granted=True, in_period=False),
        NqlScore(teacher_id="t-pt", country="PT", total=27, granted=True, in_period=True),
    ]


def test_r_eql_3_nqls_on_both_sides_of_the_boundary_make_a_candidate_of_the_later_round() -> None:
    found = eql.assess("p-1", "P", _boundary_scores(), ["ES", "PT"], "EUROPEAN", POLICY.nomination)

    assert found is not None and found.candidate
    assert found.countries == ["ES", "PT"]
    assert found.period_countries == ["PT"]  # the quota base counts each year's NQLs once
    quotas = eql.quotas([found], POLICY.quota)
    assert set(quotas) == {"PT"}


def test_r_eql_3_a_project_is_a_candidate_in_at_most_one_round() -> None:
    again = eql.assess(
        "p-1", "P", _boundary_scores(), ["ES", "PT"], "EUROPEAN", POLICY.nomination, 2025
    )

    assert again is not None and not again.candidate
    assert (again.excluded_by, again.earlier_round) == ("R-EQL-3", 2025)
    assert eql.quotas([again], POLICY.quota) == {}
    with refused("candidate_in_earlier_round"):
        eql.check_nomination(
            "OPEN",
            again,
            "PT",
            CountryQuota(country="PT", nql_projects=4, candidates=1, quota=1),
            0,
            None,
            POLICY.nomination,
        )


def test_r_eql_3_an_earlier_round_does_not_exclude_a_project_that_is_no_candidate_anyway() -> None:
    single = [NqlScore(teacher_id="t", country="ES", total=25, granted=True)]
    found = eql.assess("p-1", "P", single, ["ES", "PT"], "EUROPEAN", POLICY.nomination, 2025)
    assert found is not None and found.excluded_by == "R-EQL-3" and found.earlier_round is None


# --- who nominates (R-EQL-5) ------------------------------------------------------------------


def test_r_eql_5_nomination_only_by_a_granting_nso_can_be_switched_off() -> None:
    candidate = assessment(("ES", 25), ("PT", 25))
    french = CountryQuota(country="FR", nql_projects=4, candidates=1, quota=1)
    with refused("no_nql_in_country"):
        eql.check_nomination("OPEN", candidate, "FR", french, 0, None, POLICY.nomination)

    anyone = Nomination(only_granting_nso=False)
    eql.check_nomination("OPEN", candidate, "FR", french, 0, None, anyone)


# --- the CSS's review (R-EQL-5) ---------------------------------------------------------------


def test_r_eql_5_the_css_confirms_a_nomination() -> None:
    check_review("OPEN", True, None, NominationReview(project_id="p-1", outcome="CONFIRMED"))


def test_r_eql_5_a_refusal_needs_a_reason_for_the_nso() -> None:
    with refused("review_reason_missing"):
        check_review("OPEN", True, None, NominationReview(project_id="p-1", outcome="REFUSED"))
    check_review(
        "OPEN",
        True,
        None,
        NominationReview(project_id="p-1", outcome="REFUSED", reason="Not a collaboration"),
    )


def test_r_eql_5_a_nomination_is_reviewed_once_and_only_while_the_round_is_open() -> None:
    review = NominationReview(project_id="p-1", outcome="CONFIRMED")
    with refused("nomination_already_reviewed"):
        check_review("OPEN", True, "REFUSED", review)
    with refused("unknown_nomination"):
        check_review("OPEN", False, None, review)
    with refused("round_closed"):
        check_review("CLOSING", True, None, review)


# --- closing (R-EQL-1, R-EQL-5) ---------------------------------------------------------------

DEADLINE = POLICY.nomination.deadline(datetime(2026, 9, 1, tzinfo=UTC))


def test_r_eql_1_the_nomination_deadline_is_configured_after_the_period() -> None:
    assert datetime(2026, 10, 16, tzinfo=UTC) == DEADLINE


def test_r_eql_1_the_round_refuses_to_close_before_its_deadline_unless_forced() -> None:
    before = datetime(2026, 10, 15, 23, 59, tzinfo=UTC)
    with refused("nominations_still_open"):
        check_can_close("OPEN", before, DEADLINE, False, 0)
    check_can_close("OPEN", before, DEADLINE, True, 0)
    check_can_close("OPEN", DEADLINE, DEADLINE, False, 0)


def test_r_eql_5_the_round_does_not_close_while_a_nomination_is_not_reviewed() -> None:
    with refused("nominations_not_reviewed"):
        check_can_close("OPEN", DEADLINE, DEADLINE, True, 2)


def test_r_eql_1_a_closed_round_is_not_closed_again_and_a_closing_one_resumes() -> None:
    with refused("round_closed"):
        check_can_close("CLOSED", DEADLINE, DEADLINE, True, 0)
    check_can_close("CLOSING", datetime(2026, 1, 1, tzinfo=UTC), DEADLINE, False, 3)
