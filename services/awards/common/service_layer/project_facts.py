"""Reacts to project completion: open an NQL application per member of a European project,
or record why a national project's members are not eligible (R-NQL-2). The composition root
binds `clock` (the time applications open at)."""

from __future__ import annotations

from services.awards.nql.adapters.repository import NqlRepository
from services.awards.nql.domain.model import Member, ProjectFacts, open_applications
from shared.clock import Clock
from shared.envelope import EventEnvelope
from shared.events import awards as emitted
from shared.events import projects as facts
from shared.storage.unit_of_work import Transaction


async def on_project_completed(
    event: facts.ProjectCompleted, envelope: EventEnvelope, tx: Transaction, clock: Clock
) -> None:
    project = ProjectFacts(
        project_id=event.project_id,
        title=event.title,
        project_type=event.project_type,
        members=[
            Member(
                teacher_id=m.teacher_id,
                school_id=m.school_id,
                school_name=m.school_name,
                country=m.country,
            )
            for m in event.members
        ],
        completed_at=event.completed_at,
    )
    repository = NqlRepository(tx)
    repository.remember_project(project)
    applications, not_eligible = open_applications(project, clock.now())
    # a completion seen twice (another event id) opens, and announces, nothing twice
    for application in await repository.open_applications(applications):
        await tx.emit(
            emitted.NqlApplicationOpened(
                application_id=application.id,
                project_id=application.project_id,
                project_title=application.project_title,
                teacher_id=application.teacher_id,
                country=application.country,
                opened_at=application.opened_at,
            )
        )
    repository.add_not_eligible(not_eligible)
