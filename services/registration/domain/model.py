"""Schools and teachers (R-REG-1..7) and the domain events they raise. Plain Python: no I/O."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from email_validator import EmailNotValidError, validate_email

from services.registration.domain.countries import is_participating
from services.registration.domain.errors import (
    INVALID_AGE_RANGE,
    INVALID_EMAIL,
    NOT_SCHOOL_STAFF,
    PUPIL_ROLE,
    REAPPLICATION_NOT_ALLOWED,
    SAME_SCHOOL,
    UNKNOWN_CONFIRMATION,
    WRONG_NSO,
    transition_not_allowed,
    unknown_country,
)
from services.registration.domain.policy import VerificationMethod

STAFF_ROLES = ("teacher", "head_teacher", "librarian", "other_staff")
PUPIL_ROLES = ("pupil", "pupil_admin", "student")


class TeacherStatus(StrEnum):
    WAITING_FOR_VALIDATION = "WAITING_FOR_VALIDATION"
    VALIDATED = "VALIDATED"
    REJECTED = "REJECTED"
    DEACTIVATED = "DEACTIVATED"
    ERASED = "ERASED"


# R-REG-2 and R-REG-5: from which statuses each change is allowed.
_LIVE = (TeacherStatus.WAITING_FOR_VALIDATION, TeacherStatus.VALIDATED, TeacherStatus.REJECTED)
ALLOWED_FROM: dict[str, tuple[TeacherStatus, ...]] = {
    "validate": (TeacherStatus.WAITING_FOR_VALIDATION,),
    "reject": (TeacherStatus.WAITING_FOR_VALIDATION,),
    "change the school of": _LIVE,
    "deactivate": _LIVE,
    "erase": (*_LIVE, TeacherStatus.DEACTIVATED),
    "reapply for": (TeacherStatus.REJECTED,),
    "release the e-mail of": (TeacherStatus.DEACTIVATED,),
}
HEAD_ASKED = "REQUESTED"
HEAD_CONFIRMED = "CONFIRMED"


def normalized(text: str) -> str:
    """Case- and accent-insensitive form used for duplicate detection and prefix search.
    Turkish dotless ı folds to i, as I does: "KOCABIYIK" and "Kocabıyık" are one name."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("ı", "i"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def checked_email(email: str) -> str:
    """The address in its normalized form, or a refusal (R-REG-7: the e-mail identifies the
    one profile of a person, so it must be a real address shape)."""
    try:
        result = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise INVALID_EMAIL(f"not a valid e-mail address: {error}") from error
    return result.normalized.lower()


def checked_role(role: str) -> str:
    """R-REG-1: school staff only; pupils never hold accounts."""
    if role in STAFF_ROLES:
        return role
    if role.strip().lower() in PUPIL_ROLES:
        raise PUPIL_ROLE("pupils never hold accounts")
    raise NOT_SCHOOL_STAFF(
        f"only school staff ({', '.join(STAFF_ROLES)}) can register, not {role!r}"
    )


def checked_ages(age_min: int | None, age_max: int | None) -> None:
    if age_min is not None and age_max is not None and age_min > age_max:
        raise INVALID_AGE_RANGE(
            f"pupils aged {age_min} to {age_max}", age_min=age_min, age_max=age_max
        )


@dataclass
class School:
    id: str
    name: str
    town: str
    country: str
    registered_at: datetime
    details: dict[str, object] = field(default_factory=dict)
    events: list[DomainEvent] = field(default_factory=list)

    @classmethod
    def register(
        cls, school_id: str, name: str, town: str, country: str, now: datetime, **details: object
    ) -> School:
        _require_participating(country)
        school = cls(school_id, name.strip(), town.strip(), country, now, dict(details))
        school.events.append(SchoolRegistered(school))
        return school

    @property
    def identity_key(self) -> str:
        """Same name, town and country: the same school (never registered twice)."""
        return identity_key(self.name, self.town, self.country)


def identity_key(name: str, town: str, country: str) -> str:
    return f"{country}|{normalized(town)}|{normalized(name)}"


@dataclass
class Teacher:
    id: str
    name: str
    email: str
    role: str
    language: str
    school_id: str
    country: str
    status: TeacherStatus
    registered_at: datetime
    subjects: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    school_name: str = ""
    pupil_age_min: int | None = None
    pupil_age_max: int | None = None
    validated_at: datetime | None = None
    status_reason: str | None = None
    status_changed_at: datetime | None = None
    # The person's subject at the identity provider, linked when they applied themselves.
    identity_subject: str | None = None
    school_town: str = ""  # partner search matches the school's town too
    # R-REG-3 where the country asks the school head: REQUESTED, then CONFIRMED by the link.
    head_confirmation: str | None = None
    head_confirmation_token: str | None = None
    head_confirmed_at: datetime | None = None
    version: int = 0
    events: list[DomainEvent] = field(default_factory=list)

    @classmethod
    def apply(
        cls, *, teacher_id: str, name: str, email: str, role: str, language: str,
        school: School, now: datetime, subjects: list[str], languages: list[str],
        pupil_age_min: int | None = None, pupil_age_max: int | None = None,
        source: str = "http", identity_subject: str | None = None,
    ) -> Teacher:  # fmt: skip
        _require_participating(school.country)  # R-REG-6: the school's country is theirs
        role = checked_role(role)
        address = checked_email(email)
        checked_ages(pupil_age_min, pupil_age_max)
        teacher = cls(
            teacher_id, name.strip(), address, role, language, school.id, school.country,
            TeacherStatus.WAITING_FOR_VALIDATION, now, _clean(subjects), _clean(languages),
            school.name, pupil_age_min, pupil_age_max, status_changed_at=now,
            identity_subject=identity_subject, school_town=school.town,
        )  # fmt: skip
        teacher.events.append(TeacherApplied(teacher, source))
        return teacher

    def validate(self, *, by_country: str, school: School, now: datetime) -> None:
        self._require_validator(by_country)
        self._require_status("validate")
        self.status = TeacherStatus.VALIDATED
        self.validated_at = now
        self.status_changed_at = now
        self.events.append(TeacherWasValidated(self, school))

    def reject(self, *, by_country: str, reason: str, now: datetime | None = None) -> None:
        self._require_validator(by_country)
        self._require_status("reject")
        self.status = TeacherStatus.REJECTED
        self.status_reason = reason
        self.status_changed_at = now
        self.events.append(TeacherWasRejected(self, reason))

    def change_school(self, *, school: School, now: datetime) -> None:
        """R-REG-5: a change of workplace is a profile edit (R-REG-7) that puts the teacher
        back through validation, now by the NSO of the new school's country."""
        self._require_status("change the school of")
        if school.id == self.school_id:
            raise SAME_SCHOOL(f"the teacher already works at {school.id}")
        _require_participating(school.country)
        previous_school_id, previous_country = self.school_id, self.country
        self.school_id, self.school_name, self.country = school.id, school.name, school.country
        self.school_town = school.town
        self.status = TeacherStatus.WAITING_FOR_VALIDATION
        self.validated_at = None
        self.status_reason = None
        self.status_changed_at = now
        self.events.append(TeacherChangedSchool(self, previous_school_id, previous_country, school))

    def start_verification(
        self, method: VerificationMethod, school: School, token: str, now: datetime
    ) -> None:
        """R-REG-3: begin the country's verification of a teacher who waits for validation.
        Where the country asks the school head and the school has a head's e-mail, the head
        gets a confirmation link (`token`); otherwise the NSO verifies by its own means."""
        self.head_confirmation = self.head_confirmation_token = self.head_confirmed_at = None
        head_email = school.details.get("head_email")
        if method.asks_head and isinstance(head_email, str) and head_email:
            self.head_confirmation, self.head_confirmation_token = HEAD_ASKED, token
            self.events.append(HeadConfirmationRequested(self, school, token))

    def confirm_by_head(self, token: str, now: datetime) -> None:
        """The school head followed the link: the NSO's queue shows "head confirmed". A link
        of an earlier school, or of a teacher already decided on, is no longer valid."""
        if (
            self.status is not TeacherStatus.WAITING_FOR_VALIDATION
            or self.head_confirmation_token is None
            or token != self.head_confirmation_token
        ):
            raise UNKNOWN_CONFIRMATION("this confirmation link is no longer valid")
        self.head_confirmation, self.head_confirmed_at = HEAD_CONFIRMED, now

    def reapply(
        self, *, may_reapply: bool, school: School, now: datetime, name: str | None = None,
        role: str | None = None, subjects: list[str] | None = None,
        languages: list[str] | None = None, pupil_age_min: int | None = None,
        pupil_age_max: int | None = None,
    ) -> None:  # fmt: skip
        """R-REG-2: a rejected teacher corrects their data and waits for validation again,
        in the queue of their (possibly corrected) school's NSO; `may_reapply` is the policy."""
        self._require_status("reapply for")
        if not may_reapply:
            raise REAPPLICATION_NOT_ALLOWED("a rejected teacher may not apply again here")
        _require_participating(school.country)
        checked_ages(pupil_age_min, pupil_age_max)
        self.role = checked_role(role) if role is not None else self.role
        self.name = name.strip() if name is not None else self.name
        self.subjects = _clean(subjects) if subjects is not None else self.subjects
        self.languages = _clean(languages) if languages is not None else self.languages
        if pupil_age_min is not None or pupil_age_max is not None:
            self.pupil_age_min, self.pupil_age_max = pupil_age_min, pupil_age_max
        self.school_id, self.school_name, self.country = school.id, school.name, school.country
        self.status = TeacherStatus.WAITING_FOR_VALIDATION
        self.status_reason = None
        self.status_changed_at = now
        self.events.append(TeacherApplied(self, "reapplication"))

    def release_email(self) -> None:
        """R-REG-7 with R-REG-2: the deactivated profile gives its e-mail up so that the person
        may register again; the profile stays, deactivated, under a per-id placeholder."""
        self._require_status("release the e-mail of")
        self.email = f"released+{self.id}@invalid"

    def deactivate(self, *, by: str, reason: str, now: datetime) -> None:
        """R-REG-2: DEACTIVATED. `by` is `teacher`, `nso:<country>`, `css` or `operator`; an
        NSO deactivates only teachers of its own country (R-REG-3)."""
        if by.startswith("nso:"):
            self._require_validator(by.removeprefix("nso:"))
        self._require_status("deactivate")
        self.status = TeacherStatus.DEACTIVATED
        self.status_reason = reason
        self.status_changed_at = now
        self.events.append(TeacherWasDeactivated(self, reason, by))

    def erase(self, *, now: datetime) -> None:
        """Right to erasure: keep the id, the country and the school (organisational data, no
        person), drop every personal field. The e-mail becomes a per-id placeholder so that the
        unique index still holds and the address can register again."""
        self._require_status("erase")
        self.name = ""
        self.email = f"erased+{self.id}@invalid"
        self.subjects, self.languages = [], []
        self.pupil_age_min = self.pupil_age_max = None
        self.status = TeacherStatus.ERASED
        self.identity_subject = None  # the person may register again, as anyone may
        self.status_reason = None
        self.validated_at = None
        self.status_changed_at = now
        self.events.append(TeacherWasErased(self))

    def _require_validator(self, country: str) -> None:
        if country != self.country:
            raise WRONG_NSO(
                f"only the NSO of {self.country} decides on this teacher, not the NSO of {country}"
            )

    def _require_status(self, action: str) -> None:
        if self.status not in ALLOWED_FROM[action]:
            raise transition_not_allowed(action, self.status.value)


def _clean(values: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        if value.strip():
            seen.setdefault(value.strip(), None)
    return list(seen)


def _require_participating(country: str) -> None:
    if not is_participating(country):
        raise unknown_country(country)


# --- domain events: each names the aggregate it happened to, so they live beside it; the
# service layer translates them to integration events (service_layer/integration.py) ---


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
class HeadConfirmationRequested(DomainEvent):
    teacher: Teacher
    school: School
    token: str


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
