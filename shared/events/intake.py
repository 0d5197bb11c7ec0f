"""Inbound events other systems publish into the platform (routing keys `intake.*`).

How to publish (for national portals and school systems):

- exchange `etwinning.events` (topic), routing key = `event_type`, with the credentials of an
  intake user: it may write only routing keys `intake.*` (deploy/rabbitmq/definitions.json);
- body: the JSON event envelope (shared/envelope.py) with `producer` naming your system, a fresh
  `event_id` (UUID; resending the same id is deduplicated) and `payload` as below;
- AMQP properties: `message_id` = `event_id`, `type` = `event_type`, header `x-event-version`.

What happens: the registration service checks the request as strictly as its HTTP API. A valid
request creates the teacher, waiting for validation by the NSO of the school's country, and
`registration.teacher.registered` is published with `source` = your `producer`. An invalid one
is dead-lettered with the reason in the header `x-dead-letter-reason`, for example
`unknown_school`, `unknown_country`, `invalid_email`, `duplicate_email`, `pupil_role`,
`not_school_staff` or `schema_violation`.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from shared.events.base import EventPayload
from shared.events.fields import CountryCode, EntityId, LanguageCode


class TeacherSignupRequested(EventPayload):
    """Another system asks registration to register a member of school staff (R-REG-1..7).

    The school is given either by its platform id (`school_id`) or by its identity (`school_name`
    + `school_town` + `school_country`, matched case- and accent-insensitively like the duplicate
    check of schools). The school must already be registered.
    """

    event_type = "intake.teacher.signup_requested"
    aggregate_field = "email"

    name: str = Field(min_length=2, max_length=200, description="Full name of the teacher.")
    email: str = Field(min_length=3, max_length=320, description="Personal e-mail (unique).")
    role: str = Field(
        max_length=40,
        description="teacher, head_teacher, librarian or other_staff; pupils never (R-REG-1).",
    )
    language: LanguageCode = Field(default="en", description="Preferred language for messages.")
    subjects: list[str] = Field(default_factory=list, max_length=30)
    languages: list[str] = Field(default_factory=list, max_length=30, description="Spoken.")
    pupil_age_min: int | None = Field(default=None, ge=0, le=99, description="Youngest pupils.")
    pupil_age_max: int | None = Field(default=None, ge=0, le=99, description="Oldest pupils.")
    school_id: EntityId | None = Field(default=None, description="The platform's school id.")
    school_name: str | None = Field(default=None, max_length=200)
    school_town: str | None = Field(default=None, max_length=120)
    school_country: CountryCode | None = None
    external_ref: str | None = Field(
        default=None, max_length=200, description="The sender's own id of this request."
    )

    @model_validator(mode="after")
    def _school_given_once(self) -> TeacherSignupRequested:
        by_identity = (self.school_name, self.school_town, self.school_country)
        if self.school_id is None and None in by_identity:
            raise ValueError("give school_id, or school_name + school_town + school_country")
        return self
