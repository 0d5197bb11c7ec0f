"""Keeps what the School Label needs of schools and teachers (R-SCH-1, R-SCH-2) from the
registration events: a school's registration date and country, a teacher's current school,
status and registration/validation dates. Events may arrive out of order: the envelope's
time decides; an erased teacher keeps only a tombstone."""

from __future__ import annotations

from services.awards.school_label.adapters.repository import SchoolFactsRepository
from services.awards.school_label.domain.model import SchoolFacts
from shared.envelope import EventEnvelope
from shared.events import registration as facts
from shared.storage.unit_of_work import Transaction


async def on_school_registered(
    event: facts.SchoolRegistered, envelope: EventEnvelope, tx: Transaction
) -> None:
    school = SchoolFacts(
        school_id=event.school_id,
        name=event.name,
        country=event.country,
        registered_at=event.registered_at,
        head_name=event.head_name,
        head_email=event.head_email,
    )
    await SchoolFactsRepository(tx).remember_school(school, envelope.occurred_at)


async def on_teacher_registered(
    event: facts.TeacherRegistered, envelope: EventEnvelope, tx: Transaction
) -> None:
    await SchoolFactsRepository(tx).remember_teacher(
        event.teacher_id,
        {
            "school_id": event.school_id,
            "country": event.country,
            "status": "WAITING_FOR_VALIDATION",
        },
        envelope.occurred_at,
        {"registered_at": event.registered_at or envelope.occurred_at},
    )


async def on_teacher_validated(
    event: facts.TeacherValidated, envelope: EventEnvelope, tx: Transaction
) -> None:
    await SchoolFactsRepository(tx).remember_teacher(
        event.teacher_id,
        {"school_id": event.school_id, "country": event.country, "status": "VALIDATED"},
        envelope.occurred_at,
        {"validated_at": event.validated_at},
    )


async def on_teacher_rejected(
    event: facts.TeacherRejected, envelope: EventEnvelope, tx: Transaction
) -> None:
    changes = {"status": "REJECTED", "country": event.country}
    if event.school_id:
        changes["school_id"] = event.school_id
    await SchoolFactsRepository(tx).remember_teacher(
        event.teacher_id, changes, envelope.occurred_at
    )


async def on_teacher_school_changed(
    event: facts.TeacherSchoolChanged, envelope: EventEnvelope, tx: Transaction
) -> None:
    """Back in validation at the new school (R-REG-5): no longer a teacher of the old one."""
    await SchoolFactsRepository(tx).remember_teacher(
        event.teacher_id,
        {"school_id": event.school_id, "country": event.country, "status": event.status},
        envelope.occurred_at,
    )


async def on_teacher_deactivated(
    event: facts.TeacherDeactivated, envelope: EventEnvelope, tx: Transaction
) -> None:
    await SchoolFactsRepository(tx).remember_teacher(
        event.teacher_id, {"status": "DEACTIVATED"}, envelope.occurred_at
    )


async def on_teacher_erased(
    event: facts.TeacherErased, envelope: EventEnvelope, tx: Transaction
) -> None:
    await SchoolFactsRepository(tx).erase_teacher(event.teacher_id, envelope.occurred_at)
