"""Events published by the registration service (rules R-REG-1..7).

Every teacher event carries the teacher's id, country and school, so that consumers keep their
read models without ever calling registration. Events that may lead to a message to the teacher
also carry the e-mail address and the preferred language (notifications). Personal data is
dropped by every consumer on `registration.teacher.erased`.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from shared.events.base import EventPayload
from shared.events.fields import CountryCode, EntityId, LanguageCode, StaffRole


class SchoolRegistered(EventPayload):
    """A school record was created (a school is a record, never an account, R-REG-1)."""

    event_type = "registration.school.registered"
    aggregate_field = "school_id"

    school_id: EntityId
    name: str = Field(description="Official name of the school.")
    town: str = Field(description="Town of the school, as registered.")
    country: CountryCode
    registered_at: datetime = Field(description="When the record was created (UTC).")
    head_name: str | None = Field(default=None, description="The school head (personal data).")
    head_email: str | None = Field(
        default=None,
        description="Where the school head is asked to confirm things (personal data): the "
        "School Label's declaration of honour (R-SCH-2), a teacher's employment (R-REG-3).",
    )


class TeacherRegistered(EventPayload):
    """A member of school staff applied to join; waiting for NSO validation (R-REG-2)."""

    event_type = "registration.teacher.registered"
    aggregate_field = "teacher_id"

    teacher_id: EntityId
    name: str = Field(description="Full name of the teacher (personal data).")
    email: str = Field(description="Where the teacher receives messages (personal data).")
    language: LanguageCode = Field(description="Preferred language for messages.")
    role: StaffRole
    school_id: EntityId
    country: CountryCode = Field(description="Country of the teacher's school (R-REG-6).")
    registered_at: datetime | None = Field(
        default=None, description="When the application was made (UTC)."
    )
    source: str = Field(
        default="http",
        description="`http` for the platform's API, or the `producer` of the intake event "
        "(e.g. a national portal) that requested the sign-up.",
    )
    identity_subject: str | None = Field(
        default=None,
        description="The teacher's subject (`sub`) at the identity provider, linked when they "
        "applied: services map a caller's token to this teacher from it. Absent for sign-ups "
        "by intake or by an operator.",
    )


class TeacherValidated(EventPayload):
    """The NSO of the school's country validated the teacher (R-REG-3): the teacher may now
    found, accept or join projects (R-REG-4)."""

    event_type = "registration.teacher.validated"
    aggregate_field = "teacher_id"

    teacher_id: EntityId
    name: str = Field(description="Full name of the teacher (personal data).")
    email: str = Field(description="Where the teacher receives messages (personal data).")
    language: LanguageCode = Field(description="Preferred language for messages.")
    role: StaffRole
    school_id: EntityId
    school_name: str
    country: CountryCode = Field(description="Country of the teacher's school (R-REG-6).")
    validated_at: datetime
    identity_subject: str | None = Field(
        default=None,
        description="The teacher's subject (`sub`) at the identity provider, linked when they "
        "applied: services map a caller's token to this teacher from it. Absent for sign-ups "
        "by intake or by an operator.",
    )


class TeacherHeadConfirmationRequested(EventPayload):
    """The teacher's country verifies teachers through their school head (R-REG-3; e.g. ES):
    the head is asked, by e-mail, to confirm that the teacher works at the school. The link
    carries `confirmation_token`; following it shows the NSO "head confirmed"."""

    event_type = "registration.teacher.head_confirmation_requested"
    aggregate_field = "teacher_id"

    teacher_id: EntityId
    teacher_name: str = Field(description="Full name of the teacher (personal data).")
    role: StaffRole
    school_id: EntityId
    school_name: str
    country: CountryCode = Field(description="Country of the school (R-REG-6).")
    head_name: str | None = Field(default=None, description="The school head's name.")
    head_email: str = Field(description="Where the head is asked (the school's `head_email`).")
    language: LanguageCode = Field(description="Language of the message (the teacher's).")
    confirmation_token: str = Field(
        description="The secret of the confirmation link (POST /head-confirmations/{token})."
    )
    requested_at: datetime | None = None


class TeacherRejected(EventPayload):
    """The NSO of the school's country refused the application, with a reason (R-REG-3)."""

    event_type = "registration.teacher.rejected"
    aggregate_field = "teacher_id"

    teacher_id: EntityId
    country: CountryCode
    reason: str = Field(description="Why the NSO refused, as the NSO wrote it.")
    school_id: EntityId | None = Field(default=None, description="School applied with.")
    email: str | None = Field(default=None, description="Where to tell the teacher.")
    language: LanguageCode | None = Field(default=None, description="Language for messages.")
    rejected_at: datetime | None = None


class TeacherSchoolChanged(EventPayload):
    """The teacher moved school and is back in validation, by the NSO of the new school's
    country (R-REG-5). Projects started earlier stay linked to the old school."""

    event_type = "registration.teacher.school_changed"
    aggregate_field = "teacher_id"

    teacher_id: EntityId
    name: str | None = Field(
        default=None, description="Full name of the teacher (personal data), for the new NSO."
    )
    previous_school_id: EntityId
    previous_country: CountryCode | None = Field(
        default=None, description="Country of the previous school."
    )
    school_id: EntityId = Field(description="The new school.")
    school_name: str = Field(description="Name of the new school.")
    country: CountryCode = Field(description="Country of the new school (R-REG-6).")
    status: str = Field(
        default="WAITING_FOR_VALIDATION", description="The teacher's status after the change."
    )
    email: str | None = Field(default=None, description="Where the teacher receives messages.")
    language: LanguageCode | None = Field(default=None, description="Language for messages.")
    changed_at: datetime | None = None


class TeacherDeactivated(EventPayload):
    """The profile was deactivated (R-REG-2): the teacher can no longer found, accept or join
    projects (R-REG-4); existing memberships stay as history."""

    event_type = "registration.teacher.deactivated"
    aggregate_field = "teacher_id"

    teacher_id: EntityId
    reason: str
    country: CountryCode | None = Field(default=None, description="Country of the school.")
    school_id: EntityId | None = None
    deactivated_by: str | None = Field(
        default=None, description="`teacher`, `nso:<country>`, `css` or `operator`."
    )
    deactivated_at: datetime | None = None


class TeacherErased(EventPayload):
    """Right to erasure: the teacher's personal data is gone from registration; every service
    drops it from its read models and keeps at most a tombstone with the id."""

    event_type = "registration.teacher.erased"
    aggregate_field = "teacher_id"

    teacher_id: EntityId
    country: CountryCode | None = Field(default=None, description="Country of the school.")
    erased_at: datetime | None = None
