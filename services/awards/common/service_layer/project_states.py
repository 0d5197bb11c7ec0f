"""Keeps what awards needs of a project before it completes, from the projects service's
events (services/awards/nql/domain/project_state.py): its status (a member of an active
project may apply for the NQL), type, members, description and TwinSpace (the evaluator's
view). A late event never moves the status back."""

from __future__ import annotations

from typing import Any

from services.awards.nql.adapters.repository import NqlRepository
from shared.envelope import EventEnvelope
from shared.events import projects as facts
from shared.storage.unit_of_work import Transaction


def _member(member: facts.ProjectMember) -> dict[str, Any]:
    return {
        "teacher_id": member.teacher_id,
        "school_id": member.school_id,
        "school_name": member.school_name,
        "country": member.country,
    }


def _details(details: facts.ProjectDetails | None) -> dict[str, Any]:
    if details is None:
        return {}
    # `aims` is read tolerantly: the projects service's details may carry it
    return {"description": details.description, "aims": getattr(details, "aims", "") or ""}


async def on_project_proposed(
    event: facts.ProjectProposed, envelope: EventEnvelope, tx: Transaction
) -> None:
    founders = {m.teacher_id: _member(m) for m in (event.founder, event.cofounder)}
    await NqlRepository(tx).update_project_state(
        event.project_id,
        status="PENDING",
        title=event.title,
        project_type=event.project_type,
        **{f"members.{teacher_id}": member for teacher_id, member in founders.items()},
        **_details(event.details),
    )


async def on_project_edited(
    event: facts.ProjectEdited, envelope: EventEnvelope, tx: Transaction
) -> None:
    await NqlRepository(tx).update_project_state(event.project_id, **_details(event.details))


async def on_project_activated(
    event: facts.ProjectActivated, envelope: EventEnvelope, tx: Transaction
) -> None:
    await NqlRepository(tx).update_project_state(
        event.project_id, status="ACTIVE", title=event.title, twinspace_id=event.twinspace_id
    )


async def on_project_rejected(
    event: facts.ProjectRejected, envelope: EventEnvelope, tx: Transaction
) -> None:
    await NqlRepository(tx).update_project_state(event.project_id, status="REJECTED")


async def on_project_withdrawn(
    event: facts.ProjectWithdrawn, envelope: EventEnvelope, tx: Transaction
) -> None:
    await NqlRepository(tx).update_project_state(event.project_id, status="WITHDRAWN")


async def on_partner_joined(
    event: facts.PartnerJoined, envelope: EventEnvelope, tx: Transaction
) -> None:
    joined: dict[str, Any] = {f"members.{event.member.teacher_id}": _member(event.member)}
    await NqlRepository(tx).update_project_state(event.project_id, **joined)


async def on_partner_left(
    event: facts.PartnerLeft, envelope: EventEnvelope, tx: Transaction
) -> None:
    await NqlRepository(tx).remove_member(event.project_id, event.teacher_id)


async def on_project_completed(
    event: facts.ProjectCompleted, envelope: EventEnvelope, tx: Transaction
) -> None:
    await NqlRepository(tx).update_project_state(
        event.project_id,
        status="COMPLETED",
        title=event.title,
        project_type=event.project_type,
        members={m.teacher_id: _member(m) for m in event.members},
        **({"twinspace_id": event.twinspace_id} if event.twinspace_id else {}),
    )
