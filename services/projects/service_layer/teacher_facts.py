"""Keeps the teacher read model from registration events (the service never calls
registration). Each handler runs inside the consumer's inbox transaction; the envelope's
occurred_at orders facts that arrive out of order."""

from __future__ import annotations

from services.projects.adapters.repository import TeacherDirectory
from shared.envelope import EventEnvelope
from shared.events import registration as facts
from shared.identity.links import SubjectLinks
from shared.messaging.consumer import EventHandler
from shared.storage.unit_of_work import Transaction


async def on_registered(
    event: facts.TeacherRegistered, envelope: EventEnvelope, tx: Transaction
) -> None:
    """A teacher who applied (or applied again) waits for validation: known here with their
    real status, so a refusal says `WAITING_FOR_VALIDATION`, not `UNKNOWN` (R-REG-4)."""
    await TeacherDirectory(tx).record(
        event.teacher_id,
        envelope.occurred_at,
        {
            "name": event.name,
            "school_id": event.school_id,
            "country": event.country,
            "status": "WAITING_FOR_VALIDATION",
            "erased": False,
        },
    )
    await SubjectLinks(tx).link(event.identity_subject, event.teacher_id, envelope.occurred_at)


async def on_validated(
    event: facts.TeacherValidated, envelope: EventEnvelope, tx: Transaction
) -> None:
    await TeacherDirectory(tx).record(
        event.teacher_id,
        envelope.occurred_at,
        {
            "name": event.name,
            "school_id": event.school_id,
            "school_name": event.school_name,
            "country": event.country,
            "status": "VALIDATED",
            "erased": False,
        },
    )
    await SubjectLinks(tx).link(event.identity_subject, event.teacher_id, envelope.occurred_at)


async def on_rejected(
    event: facts.TeacherRejected, envelope: EventEnvelope, tx: Transaction
) -> None:
    await TeacherDirectory(tx).record(
        event.teacher_id, envelope.occurred_at, {"status": "REJECTED", "country": event.country}
    )


async def on_school_changed(
    event: facts.TeacherSchoolChanged, envelope: EventEnvelope, tx: Transaction
) -> None:
    # R-REG-5: back in validation; earlier projects keep the old school on their members.
    await TeacherDirectory(tx).record(
        event.teacher_id,
        envelope.occurred_at,
        {
            "school_id": event.school_id,
            "school_name": event.school_name,
            "country": event.country,
            "status": "WAITING_FOR_VALIDATION",
        },
    )


async def on_deactivated(
    event: facts.TeacherDeactivated, envelope: EventEnvelope, tx: Transaction
) -> None:
    await TeacherDirectory(tx).record(
        event.teacher_id, envelope.occurred_at, {"status": "DEACTIVATED"}
    )


async def on_erased(event: facts.TeacherErased, envelope: EventEnvelope, tx: Transaction) -> None:
    await TeacherDirectory(tx).erase(event.teacher_id, envelope.occurred_at)
    await SubjectLinks(tx).erase(event.teacher_id, envelope.occurred_at)


HANDLERS: dict[str, EventHandler] = {
    facts.TeacherRegistered.event_type: on_registered,
    facts.TeacherValidated.event_type: on_validated,
    facts.TeacherRejected.event_type: on_rejected,
    facts.TeacherSchoolChanged.event_type: on_school_changed,
    facts.TeacherDeactivated.event_type: on_deactivated,
    facts.TeacherErased.event_type: on_erased,
}
