"""European Prizes: R-PRZ-1 (EQL of the same year, R-EQL-6) and R-PRZ-2 (one entry, one
category, compete once; only EQL holders are awarded)."""

from __future__ import annotations

import pytest

from services.awards.prizes.domain import model as prizes
from shared.errors import DomainRuleViolation
from tests.support.eql_helpers import eql_policy

PRIZES = eql_policy().prizes
YEAR = 2026


def refused_by(rule: str, status: int = 409) -> pytest.RaisesExc[DomainRuleViolation]:
    return pytest.raises(
        DomainRuleViolation, check=lambda e: (e.rule, e.status_code) == (rule, status)
    )


def enter(
    category: str = "12-15",
    holders: tuple[str, ...] = ("t-es",),
    is_member: bool = True,
    earlier: tuple[tuple[int, str], ...] = (),
    policy: object = PRIZES,
) -> None:
    prizes.check_entry(YEAR, category, policy, list(holders), is_member, list(earlier))  # type: ignore[arg-type]


def test_an_eql_project_of_the_year_enters_in_one_category() -> None:
    enter()


def test_r_prz_1_and_r_eql_6_without_an_eql_of_the_year_no_entry() -> None:
    with refused_by("R-PRZ-1"):
        enter(holders=())


def test_r_prz_2_the_category_is_one_of_the_configured_age_categories() -> None:
    with refused_by("R-PRZ-2", 422):
        enter(category="adults")


@pytest.mark.parametrize("category", ["ecec", "7-11", "12-15", "16-19", "ivet"])
def test_r_prz_2_every_age_category_of_the_rules_is_accepted(category: str) -> None:
    enter(category=category)


def test_r_prz_2_one_entry_per_project() -> None:
    with refused_by("R-PRZ-2"):
        enter(category="16-19", earlier=((YEAR, "12-15"),))


def test_r_prz_2_a_project_competes_once() -> None:
    with refused_by("R-PRZ-2"):
        enter(earlier=((YEAR - 1, "12-15"),))


def test_r_prz_2_competing_again_is_configurable() -> None:
    enter(earlier=((YEAR - 1, "12-15"),), policy=eql_policy(prizes={"compete_once": False}).prizes)


def test_r_prz_2_only_a_member_submits_the_entry() -> None:
    with refused_by("R-PRZ-2", 403):
        enter(is_member=False)


def test_a_winner_must_be_an_entry_and_is_recorded_once() -> None:
    prizes.check_winner("12-15", already_won=False, year=YEAR)
    with refused_by("R-PRZ-2"):
        prizes.check_winner(None, already_won=False, year=YEAR)
    with refused_by("R-PRZ-2"):
        prizes.check_winner("12-15", already_won=True, year=YEAR)
