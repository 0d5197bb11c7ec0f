"""Read models kept from other services' events, so that a rule can reach people a payload
does not list (the members of a project on partner_joined) and name things it only refers to
(a project's title, a school's name). The service never calls another service."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from services.notifications.adapters.repository import ContactBook, ProjectBook, SchoolBook
from services.notifications.domain.messages import Contact
from shared.envelope import EventEnvelope
from shared.events import projects, registration
from shared.identity.links import SubjectLinks
from shared.storage.unit_of_work import Transaction

ReadModelUpdate = Callable[[Any, EventEnvelope, Transaction], Awaitable[None]]


async def on_teacher_known(
    event: registration.TeacherRegistered | registration.TeacherValidated,
    envelope: EventEnvelope,
    tx: Transaction,
) -> None:
    contact = Contact(event.teacher_id, event.name, event.email, event.language)
    await ContactBook(tx).remember(contact, envelope.occurred_at)
    await SubjectLinks(tx).link(event.identity_subject, event.teacher_id, envelope.occurred_at)


async def on_teacher_erased(
    event: registration.TeacherErased, envelope: EventEnvelope, tx: Transaction
) -> None:
    await ContactBook(tx).erase(event.teacher_id, envelope.occurred_at)
    await SubjectLinks(tx).erase(event.teacher_id, envelope.occurred_at)


async def on_school_registered(
    event: registration.SchoolRegistered, _: EventEnvelope, tx: Transaction
) -> None:
    await SchoolBook(tx).note(event.school_id, event.name, event.town, event.country)


async def on_project_proposed(
    event: projects.ProjectProposed, _: EventEnvelope, tx: Transaction
) -> None:
    members = (event.founder.teacher_id, event.cofounder.teacher_id)
    await ProjectBook(tx).note(event.project_id, title=event.title, members=members)


async def on_project_activated(
    event: projects.ProjectActivated, _: EventEnvelope, tx: Transaction
) -> None:
    await ProjectBook(tx).note(event.project_id, title=event.title, members=event.member_ids)


async def on_partner_joined(
    event: projects.PartnerJoined, _: EventEnvelope, tx: Transaction
) -> None:
    await ProjectBook(tx).note(event.project_id, members=[event.member.teacher_id])


async def on_partner_left(event: projects.PartnerLeft, _: EventEnvelope, tx: Transaction) -> None:
    await ProjectBook(tx).remove_member(event.project_id, event.teacher_id)


async def on_project_completed(
    event: projects.ProjectCompleted, _: EventEnvelope, tx: Transaction
) -> None:
    members = [member.teacher_id for member in event.members]
    await ProjectBook(tx).note(event.project_id, title=event.title, members=members)


READ_MODEL_UPDATES: dict[str, ReadModelUpdate] = {
    registration.TeacherRegistered.event_type: on_teacher_known,
    registration.TeacherValidated.event_type: on_teacher_known,
    registration.TeacherErased.event_type: on_teacher_erased,
    registration.SchoolRegistered.event_type: on_school_registered,
    projects.ProjectProposed.event_type: on_project_proposed,
    projects.ProjectActivated.event_type: on_project_activated,
    projects.PartnerJoined.event_type: on_partner_joined,
    projects.PartnerLeft.event_type: on_partner_left,
    projects.ProjectCompleted.event_type: on_project_completed,
}
