"""European eTwinning Prizes (R-PRZ-1, R-PRZ-2, R-EQL-6). Plain Python: no I/O.

A project holding an EQL from the round of the prize's year enters once, in one age category;
a member teacher submits the entry. The CSS records the winners; only the project's EQL
holders are officially awarded."""

from __future__ import annotations

from collections.abc import Sequence

from services.awards.eql.domain.policy import Prizes
from shared.errors import DomainRuleViolation


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
        raise DomainRuleViolation(
            "R-PRZ-2", f"unknown age category {category!r}; one of {known}", status_code=422
        )
    if not eql_holders:
        raise DomainRuleViolation(
            "R-PRZ-1",
            f"the project holds no EQL from the {year} round: the EQL must be awarded in the "
            "same year as the prize selection (R-EQL-6)",
        )
    if not is_member:
        raise DomainRuleViolation(
            "R-PRZ-2", "only a member of the project submits its entry", status_code=403
        )
    for entered_year, entered_category in entries_of_project:
        if entered_year == year:
            raise DomainRuleViolation(
                "R-PRZ-2",
                f"one entry per project, in one category: already entered in {entered_category}",
            )
        if prizes.compete_once:
            raise DomainRuleViolation(
                "R-PRZ-2",
                f"a project competes once: it already entered the {entered_year} prizes",
            )


def check_winner(entry_category: str | None, already_won: bool, year: int) -> None:
    if entry_category is None:
        raise DomainRuleViolation(
            "R-PRZ-2", f"the project has no accepted entry in the {year} prizes"
        )
    if already_won:
        raise DomainRuleViolation("R-PRZ-2", f"already recorded as a {year} winner")
