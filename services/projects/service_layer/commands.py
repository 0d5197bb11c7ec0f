"""Commands of the projects service: what a caller asks for, already authenticated."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from services.projects.domain.model import ProjectDetails


@dataclass(frozen=True)
class ProposeProject:
    founder_id: str
    cofounder_id: str
    details: ProjectDetails


@dataclass(frozen=True)
class EditProject:
    project_id: str
    by_teacher_id: str
    changes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class WithdrawProject:
    project_id: str
    by_teacher_id: str
    reason: str | None = None


@dataclass(frozen=True)
class RespondAsCofounder:
    project_id: str
    teacher_id: str
    accept: bool
    reason: str | None = None


@dataclass(frozen=True)
class DecideAsNso:
    project_id: str
    country: str
    approve: bool
    reason: str | None = None
    may_reject: bool = True  # R-PRJ-3 [ASSUMPTION], NSO_MAY_REJECT_PROJECTS


@dataclass(frozen=True)
class InvitePartner:
    project_id: str
    by_teacher_id: str
    invitee_id: str


@dataclass(frozen=True)
class DeclineInvitation:
    project_id: str
    teacher_id: str


@dataclass(frozen=True)
class JoinProject:
    project_id: str
    teacher_id: str
    pupil_count: int | None = None


@dataclass(frozen=True)
class LeaveProject:
    project_id: str
    teacher_id: str


@dataclass(frozen=True)
class AppointAdministrator:
    project_id: str
    by_teacher_id: str
    teacher_id: str


@dataclass(frozen=True)
class CountPupils:
    project_id: str
    teacher_id: str
    pupil_count: int


@dataclass(frozen=True)
class RecordActivity:
    project_id: str
    teacher_id: str
    title: str


@dataclass(frozen=True)
class CompleteProject:
    project_id: str
    by_teacher_id: str


@dataclass(frozen=True)
class ArchiveProject:
    project_id: str
    by_teacher_id: str
