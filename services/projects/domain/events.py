"""Domain events of a project, translated to integration events by the service layer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services.projects.domain.model import Member, Project


class DomainEvent:
    pass


@dataclass(frozen=True)
class Proposed(DomainEvent):
    project: Project


@dataclass(frozen=True)
class Edited(DomainEvent):
    project: Project
    by_teacher_id: str
    at: datetime


@dataclass(frozen=True)
class Withdrawn(DomainEvent):
    project: Project
    by_teacher_id: str
    reason: str | None
    at: datetime


@dataclass(frozen=True)
class CofounderResponded(DomainEvent):
    project: Project
    accepted: bool
    reason: str | None


@dataclass(frozen=True)
class NsoDecided(DomainEvent):
    project: Project
    country: str
    approved: bool
    reason: str | None


@dataclass(frozen=True)
class Activated(DomainEvent):
    project: Project


@dataclass(frozen=True)
class Rejected(DomainEvent):
    project: Project
    rejected_by: str
    reason: str


@dataclass(frozen=True)
class PartnerInvited(DomainEvent):
    project: Project
    teacher_id: str
    invited_by: str


@dataclass(frozen=True)
class PartnerJoined(DomainEvent):
    project: Project
    member: Member


@dataclass(frozen=True)
class PartnerLeft(DomainEvent):
    project: Project
    member: Member
    at: datetime


@dataclass(frozen=True)
class Completed(DomainEvent):
    project: Project
    by_teacher_id: str


@dataclass(frozen=True)
class Archived(DomainEvent):
    project: Project
    by_teacher_id: str
