"""Domain events → public integration events (the catalog's payloads)."""

from __future__ import annotations

from services.registration.domain import model
from shared.events import registration as contract
from shared.events.base import EventPayload


def integration_event(event: model.DomainEvent) -> EventPayload:
    match event:
        case model.SchoolRegistered(school=s):
            return contract.SchoolRegistered(
                school_id=s.id, name=s.name, town=s.town, country=s.country,
                registered_at=s.registered_at, head_name=_text(s.details.get("head_name")),
                head_email=_text(s.details.get("head_email")),
            )  # fmt: skip
        case model.TeacherApplied(teacher=t, source=source):
            return contract.TeacherRegistered(
                teacher_id=t.id, name=t.name, email=t.email, language=t.language, role=t.role,
                school_id=t.school_id, country=t.country, registered_at=t.registered_at,
                source=source, identity_subject=t.identity_subject,
            )  # fmt: skip
        case model.TeacherWasValidated(teacher=t, school=s):
            assert t.validated_at is not None
            return contract.TeacherValidated(
                teacher_id=t.id, name=t.name, email=t.email, language=t.language, role=t.role,
                school_id=s.id, school_name=s.name, country=t.country,
                validated_at=t.validated_at, identity_subject=t.identity_subject,
            )  # fmt: skip
        case model.HeadConfirmationRequested(teacher=t, school=s, token=token):
            head_name = s.details.get("head_name")
            return contract.TeacherHeadConfirmationRequested(
                teacher_id=t.id, teacher_name=t.name, role=t.role, school_id=s.id,
                school_name=s.name, country=s.country,
                head_name=head_name if isinstance(head_name, str) else None,
                head_email=str(s.details["head_email"]), language=t.language,
                confirmation_token=token, requested_at=t.status_changed_at,
            )  # fmt: skip
        case model.TeacherWasRejected(teacher=t, reason=reason):
            return contract.TeacherRejected(
                teacher_id=t.id, country=t.country, reason=reason, school_id=t.school_id,
                email=t.email, language=t.language, rejected_at=t.status_changed_at,
            )  # fmt: skip
        case model.TeacherChangedSchool(
            teacher=t, previous_school_id=previous, previous_country=previous_country, school=s
        ):
            return contract.TeacherSchoolChanged(
                teacher_id=t.id, name=t.name, previous_school_id=previous,
                previous_country=previous_country,
                school_id=s.id, school_name=s.name, country=s.country, status=t.status.value,
                email=t.email, language=t.language, changed_at=t.status_changed_at,
            )  # fmt: skip
        case model.TeacherWasDeactivated(teacher=t, reason=reason, by=by):
            return contract.TeacherDeactivated(
                teacher_id=t.id, reason=reason, country=t.country, school_id=t.school_id,
                deactivated_by=by, deactivated_at=t.status_changed_at,
            )  # fmt: skip
        case model.TeacherWasErased(teacher=t):
            # Nothing personal here: the erasure event itself must not spread the data.
            return contract.TeacherErased(
                teacher_id=t.id, country=t.country, erased_at=t.status_changed_at
            )
    raise TypeError(f"no integration event for {event!r}")


def _text(value: object) -> str | None:
    return str(value) if value else None
