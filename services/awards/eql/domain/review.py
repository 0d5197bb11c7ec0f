"""The CSS's part of the EQL round (R-EQL-5, R-EQL-1): it checks each nomination, confirming
or refusing it with a reason, and closes the round once nominations are over. Only confirmed
nominations are awarded; a refused one goes back to the NSO that made it (its quota place is
free again). Plain Python: no I/O."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.errors import DomainRuleViolation

ReviewOutcome = Literal["CONFIRMED", "REFUSED"]


class NominationReview(BaseModel):
    """The CSS's verdict on one nomination."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    project_id: str = Field(min_length=1, max_length=200)
    outcome: ReviewOutcome
    reason: str = Field(default="", max_length=2_000)


def check_review(
    round_status: str, nominated: bool, reviewed_as: str | None, review: NominationReview
) -> None:
    """Raises with the rule id when the review cannot be recorded."""
    if round_status != "OPEN":
        raise DomainRuleViolation(
            "R-EQL-1", "the round is closing or closed: its nominations are reviewed"
        )
    if not nominated:
        raise DomainRuleViolation(
            "R-EQL-5", f"{review.project_id} is not nominated in this round", status_code=404
        )
    if reviewed_as is not None:
        raise DomainRuleViolation(
            "R-EQL-5", f"the nomination of {review.project_id} is {reviewed_as} already"
        )
    if review.outcome == "REFUSED" and not review.reason.strip():
        raise DomainRuleViolation(
            "R-EQL-5",
            f"refusing the nomination of {review.project_id} needs a reason for the NSO",
            status_code=422,
        )


def check_can_close(
    round_status: str, now: datetime, deadline: datetime, force: bool, unreviewed: int
) -> None:
    """R-EQL-1: nominations run until the round's deadline (the CSS may force an earlier
    closing); R-EQL-5: the CSS reviews every nomination before any is awarded."""
    if round_status == "CLOSED":
        raise DomainRuleViolation("R-EQL-1", "the round is closed: one round per year")
    if round_status != "OPEN":
        return  # CLOSING: an interrupted closing resumes
    if now < deadline and not force:
        raise DomainRuleViolation(
            "R-EQL-1",
            f"nominations are open until {deadline.date().isoformat()}; "
            "close earlier only by forcing it",
        )
    if unreviewed:
        raise DomainRuleViolation(
            "R-EQL-5",
            f"{unreviewed} nomination(s) not reviewed yet: the CSS confirms or refuses each one "
            "before the round closes",
        )
