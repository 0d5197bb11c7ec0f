"""Domain events: facts inside the registration service, translated to integration events
by the service layer (services/registration/service_layer/integration.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services.registration.domain.model import School, Teacher


class DomainEvent:
    pass


@dataclass(frozen=True)
class SchoolRegistered(DomainEvent):
    school: School


@dataclass(frozen=True)
class TeacherApplied(DomainEvent):
    teacher: Teacher
    source: str


@dataclass(frozen=True)
class TeacherWasValidated(DomainEvent):
    teacher: Teacher
    school: School


@dataclass(frozen=True)
class TeacherWasRejected(DomainEvent):
    teacher: Teacher
    reason: str


@dataclass(frozen=True)
class TeacherChangedSchool(DomainEvent):
    teacher: Teacher
    previous_school_id: str
    previous_country: str
    school: School


@dataclass(frozen=True)
class TeacherWasDeactivated(DomainEvent):
    teacher: Teacher
    reason: str
    by: str


@dataclass(frozen=True)
class TeacherWasErased(DomainEvent):
    teacher: Teacher
