"""The CSS's part of the EQL round (R-EQL-5, R-EQL-1): it checks each nomination, confirming
or refusing it with a reason, and closes the round once nominations are over. Only confirmed
nominations are awarded; a refused one goes back to the NSO that made it (its quota place is
free again). Plain Python: no I/O."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.awards.eql.domain import errors

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
        raise errors.ROUND_CLOSED("the round is closing or closed: its nominations are reviewed")
    if not nominated:
        raise errors.UNKNOWN_NOMINATION(
            f"{review.project_id} is not nominated in this round", project_id=review.project_id
        )
    if reviewed_as is not None:
        raise errors.NOMINATION_ALREADY_REVIEWED(
            f"the nomination of {review.project_id} is {reviewed_as} already",
            project_id=review.project_id,
            outcome=reviewed_as,
        )
    if review.outcome == "REFUSED" and not review.reason.strip():
        raise errors.REVIEW_REASON_MISSING(
            f"refusing the nomination of {review.project_id} needs a reason for the NSO",
            project_id=review.project_id,
        )


def check_can_close(
    round_status: str, now: datetime, deadline: datetime, force: bool, unreviewed: int
) -> None:
    """R-EQL-1: nominations run until the round's deadline (the CSS may force an earlier
    closing); R-EQL-5: the CSS reviews every nomination before any is awarded."""
    if round_status == "CLOSED":
        raise errors.ROUND_CLOSED("the round is closed: one round per year")
    if round_status != "OPEN":
        return  # CLOSING: an interrupted closing resumes
    if now < deadline and not force:
        raise errors.NOMINATIONS_STILL_OPEN(
            f"nominations are open until {deadline.date().isoformat()}; "
            "close earlier only by forcing it",
            nominations_close=deadline.isoformat(),
        )
    if unreviewed:
        raise errors.NOMINATIONS_NOT_REVIEWED(
            f"{unreviewed} nomination(s) not reviewed yet: the CSS confirms or refuses each one "
            "before the round closes",
            unreviewed=unreviewed,
        )
