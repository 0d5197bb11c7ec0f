"""Keeps the teacher facts a certificate needs (name, school) from registration events, and
forgets them on erasure. Events may arrive out of order: the envelope's time decides."""

from __future__ import annotations

from services.awards.common.service_layer import school_facts
from services.awards.nql.adapters.repository import NqlRepository
from shared.envelope import EventEnvelope
from shared.events import registration as facts
from shared.identity.links import SubjectLinks
from shared.storage.unit_of_work import Transaction


async def on_teacher_registered(
    event: facts.TeacherRegistered, envelope: EventEnvelope, tx: Transaction
) -> None:
    await NqlRepository(tx).remember_teacher(
        event.teacher_id,
        {"name": event.name, "school_id": event.school_id, "country": event.country},
        envelope.occurred_at,
    )
    await SubjectLinks(tx).link(event.identity_subject, event.teacher_id, envelope.occurred_at)
    await school_facts.on_teacher_registered(event, envelope, tx)


async def on_teacher_validated(
    event: facts.TeacherValidated, envelope: EventEnvelope, tx: Transaction
) -> None:
    await NqlRepository(tx).remember_teacher(
        event.teacher_id,
        {
            "name": event.name,
            "school_id": event.school_id,
            "school_name": event.school_name,
            "country": event.country,
        },
        envelope.occurred_at,
    )
    await SubjectLinks(tx).link(event.identity_subject, event.teacher_id, envelope.occurred_at)
    await school_facts.on_teacher_validated(event, envelope, tx)


async def on_teacher_erased(
    event: facts.TeacherErased, envelope: EventEnvelope, tx: Transaction
) -> None:
    await NqlRepository(tx).erase_teacher(event.teacher_id, envelope.occurred_at)
    await SubjectLinks(tx).erase(event.teacher_id, envelope.occurred_at)
    await school_facts.on_teacher_erased(event, envelope, tx)
