"""Commands: what a caller asks the registration service to do."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RegisterSchool:
    name: str
    town: str
    country: str
    details: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class RegisterTeacher:
    """From the HTTP API or an intake event: the same checks either way. The school is given
    by id, or by identity key (name + town + country, normalized) for intake."""

    name: str
    email: str
    role: str
    language: str
    school_id: str | None = None
    subjects: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    pupil_age_min: int | None = None
    pupil_age_max: int | None = None
    school_identity_key: str | None = None
    source: str = "http"
    identity_subject: str | None = None  # who applied, when they applied themselves


@dataclass(frozen=True)
class ValidateTeacher:
    teacher_id: str
    nso_country: str


@dataclass(frozen=True)
class RejectTeacher:
    teacher_id: str
    nso_country: str
    reason: str


@dataclass(frozen=True)
class ChangeSchool:
    teacher_id: str
    school_id: str


@dataclass(frozen=True)
class DeactivateTeacher:
    teacher_id: str
    reason: str
    by: str


@dataclass(frozen=True)
class EraseTeacher:
    teacher_id: str


@dataclass(frozen=True)
class Reapply:
    """A rejected teacher's corrected data (R-REG-2); what is None stays as it was."""

    teacher_id: str
    school_id: str | None = None
    name: str | None = None
    role: str | None = None
    subjects: list[str] | None = None
    languages: list[str] | None = None
    pupil_age_min: int | None = None
    pupil_age_max: int | None = None


@dataclass(frozen=True)
class ConfirmByHead:
    token: str
