"""European eTwinning Prizes (R-PRZ-1, R-PRZ-2, R-EQL-6). Plain Python: no I/O.

A project holding an EQL from the round of the prize's year enters once, in one age category;
a member teacher submits the entry. The CSS records the winners; only the project's EQL
holders are officially awarded."""

from __future__ import annotations

from collections.abc import Sequence

from services.awards.eql.domain.policy import Prizes
from services.awards.prizes.domain import errors


def check_entry(
    year: int,
    category: str,
    prizes: Prizes,
    eql_holders: Sequence[str],
    is_member: bool,
    entries_of_project: Sequence[tuple[int, str]],
) -> None:
    """`entries_of_project`: (year, category) of the project's earlier entries, if any."""
    if prizes.category(category) is None:
        known = ", ".join(c.id for c in prizes.categories)
        raise errors.UNKNOWN_AGE_CATEGORY(
            f"unknown age category {category!r}; one of {known}",
            known=[c.id for c in prizes.categories],
        )
    if not eql_holders:
        raise errors.EQL_NOT_SAME_YEAR(
            f"the project holds no EQL from the {year} round: the EQL must be awarded in the "
            "same year as the prize selection (R-EQL-6)",
            year=year,
        )
    if not is_member:
        raise errors.NOT_A_PROJECT_MEMBER("only a member of the project submits its entry")
    for entered_year, entered_category in entries_of_project:
        if entered_year == year:
            raise errors.ONE_ENTRY_PER_PROJECT(
                f"one entry per project, in one category: already entered in {entered_category}",
                category=entered_category,
            )
        if prizes.compete_once:
            raise errors.COMPETES_ONCE(
                f"a project competes once: it already entered the {entered_year} prizes",
                entered_year=entered_year,
            )


def check_winner(entry_category: str | None, already_won: bool, year: int) -> None:
    if entry_category is None:
        raise errors.NO_ACCEPTED_ENTRY(f"the project has no accepted entry in the {year} prizes")
    if already_won:
        raise errors.ALREADY_WINNER(f"already recorded as a {year} winner")
