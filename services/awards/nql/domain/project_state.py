"""What awards knows of a project before it completes (R-NQL-6, eligibility question 2: "is
it finished, or nearly finished?"): its status, type, members and description, kept from the
projects service's events so a member may apply for the NQL while the project is still active,
and the evaluator sees what the project is. Plain Python: no I/O."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.awards.nql.domain.model import APPLIES, Member

ProjectStatus = Literal["PENDING", "ACTIVE", "REJECTED", "WITHDRAWN", "COMPLETED"]
# A later status never gives way to an earlier one, whatever order events arrive in.
RANK: dict[str, int] = {"PENDING": 0, "ACTIVE": 1, "REJECTED": 2, "WITHDRAWN": 2, "COMPLETED": 3}
__all__ = ["APPLIES", "ProjectState", "moves_to"]


class ProjectState(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    project_id: str
    title: str = ""
    status: ProjectStatus = "PENDING"
    project_type: str | None = None
    members: dict[str, Member] = Field(default_factory=dict, description="By teacher id.")
    description: str = ""
    aims: str = ""
    twinspace_id: str | None = None

    def member(self, teacher_id: str) -> Member | None:
        return self.members.get(teacher_id)


def moves_to(current: str | None, new: str) -> bool:
    """True when `new` replaces `current` (an event arriving late never moves it back)."""
    return current is None or RANK[new] > RANK[current]
