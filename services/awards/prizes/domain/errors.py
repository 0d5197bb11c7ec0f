"""The European Prizes' refusals, one code each (docs/errors.md is generated)."""

from __future__ import annotations

from shared.errors import error_code

UNKNOWN_AGE_CATEGORY = error_code(
    "unknown_age_category", 422, "Unknown age category",
    "The entry names an age category the prizes do not have (`known` lists them).",
    rule="R-PRZ-2",
)  # fmt: skip
EQL_NOT_SAME_YEAR = error_code(
    "eql_not_same_year", 409, "No EQL this year",
    "The project holds no EQL from this year's round: the EQL must be awarded in the same "
    "year as the prize selection.", rule="R-PRZ-1",
)  # fmt: skip
NOT_A_PROJECT_MEMBER = error_code(
    "prize_entry_not_a_member", 403, "Not a member of the project",
    "Only a member of the project submits its entry.", rule="R-PRZ-2",
)  # fmt: skip
ONE_ENTRY_PER_PROJECT = error_code(
    "one_entry_per_project", 409, "Already entered this year",
    "One entry per project, in one category: the project already entered this year's prizes.",
    rule="R-PRZ-2",
)  # fmt: skip
COMPETES_ONCE = error_code(
    "competes_once", 409, "Already competed in an earlier year",
    "A project competes once: it entered the prizes of an earlier year.", rule="R-PRZ-2",
)  # fmt: skip
NO_ACCEPTED_ENTRY = error_code(
    "no_accepted_entry", 409, "No accepted entry",
    "A winner is a project with an accepted entry in that year's prizes.", rule="R-PRZ-2",
)  # fmt: skip
ALREADY_WINNER = error_code(
    "already_winner", 409, "Already a winner",
    "The project is already recorded as a winner of that year.", rule="R-PRZ-2",
)  # fmt: skip
