"""Use cases of the projects service: load, ask the aggregate, save, emit; one transaction.

Two requests on one project at once (both NSOs approving, a double click on "complete")
both read the same version; the second save finds it gone and the whole use case runs
again on the new state, where the aggregate decides afresh. So each transition, and its
event, happens once.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from datetime import datetime
from uuid import uuid4

from services.projects.adapters.repository import (
    ConcurrentChange,
    ProjectRepository,
    TeacherDirectory,
)
from services.projects.domain.model import KnownTeacher, Project
from services.projects.service_layer import commands
from services.projects.service_layer.integration import integration_events
from shared.clock import Clock
from shared.storage.unit_of_work import Transaction, UnitOfWork, Work

MAX_ATTEMPTS = 10
Change = Callable[[Project, datetime], None]


async def propose_project(cmd: commands.ProposeProject, uow: UnitOfWork, clock: Clock) -> Project:
    async def work(tx: Transaction) -> Project:
        teachers = TeacherDirectory(tx)
        project = Project.propose(
            f"prj_{uuid4().hex[:16]}", cmd.details,
            await teachers.get(cmd.founder_id), await teachers.get(cmd.cofounder_id), clock.now(),
        )  # fmt: skip
        ProjectRepository(tx).add(project)
        await _emit(tx, project)
        return project

    return await uow.run(work)


async def edit_project(cmd: commands.EditProject, uow: UnitOfWork, clock: Clock) -> Project:
    return await _change(
        uow, clock, cmd.project_id, lambda p, now: p.edit(cmd.by_teacher_id, cmd.changes, now)
    )


async def withdraw_project(cmd: commands.WithdrawProject, uow: UnitOfWork, clock: Clock) -> Project:
    return await _change(
        uow, clock, cmd.project_id, lambda p, now: p.withdraw(cmd.by_teacher_id, cmd.reason, now)
    )


async def respond_as_cofounder(
    cmd: commands.RespondAsCofounder, uow: UnitOfWork, clock: Clock
) -> Project:
    return await _change_as(
        uow, clock, cmd.project_id, cmd.teacher_id,
        lambda p, me, now: p.respond(me, cmd.accept, cmd.reason, now),
    )  # fmt: skip


async def decide_as_nso(cmd: commands.DecideAsNso, uow: UnitOfWork, clock: Clock) -> Project:
    return await _change(
        uow, clock, cmd.project_id,
        lambda p, now: p.decide_as_nso(
            cmd.country, cmd.approve, cmd.reason, now, may_reject=cmd.may_reject
        ),
    )  # fmt: skip


async def invite_partner(cmd: commands.InvitePartner, uow: UnitOfWork, clock: Clock) -> Project:
    return await _change_as(
        uow, clock, cmd.project_id, cmd.invitee_id,
        lambda p, invitee, now: p.invite(cmd.by_teacher_id, invitee, now),
    )  # fmt: skip


async def decline_invitation(
    cmd: commands.DeclineInvitation, uow: UnitOfWork, clock: Clock
) -> Project:
    return await _change(uow, clock, cmd.project_id, lambda p, now: p.decline(cmd.teacher_id, now))


async def join_project(cmd: commands.JoinProject, uow: UnitOfWork, clock: Clock) -> Project:
    return await _change_as(
        uow, clock, cmd.project_id, cmd.teacher_id,
        lambda p, me, now: p.join(me, cmd.pupil_count, now),
    )  # fmt: skip


async def leave_project(cmd: commands.LeaveProject, uow: UnitOfWork, clock: Clock) -> Project:
    return await _change(uow, clock, cmd.project_id, lambda p, now: p.leave(cmd.teacher_id, now))


async def appoint_administrator(
    cmd: commands.AppointAdministrator, uow: UnitOfWork, clock: Clock
) -> Project:
    return await _change(
        uow, clock, cmd.project_id,
        lambda p, now: p.appoint_administrator(cmd.by_teacher_id, cmd.teacher_id, now),
    )  # fmt: skip


async def count_pupils(cmd: commands.CountPupils, uow: UnitOfWork, clock: Clock) -> Project:
    return await _change(
        uow,
        clock,
        cmd.project_id,
        lambda p, now: p.count_pupils(cmd.teacher_id, cmd.pupil_count, now),
    )


async def record_activity(cmd: commands.RecordActivity, uow: UnitOfWork, clock: Clock) -> Project:
    return await _change(
        uow, clock, cmd.project_id, lambda p, now: p.record_activity(cmd.teacher_id, cmd.title, now)
    )


async def complete_project(cmd: commands.CompleteProject, uow: UnitOfWork, clock: Clock) -> Project:
    return await _change(
        uow, clock, cmd.project_id, lambda p, now: p.complete(cmd.by_teacher_id, now)
    )


async def archive_project(cmd: commands.ArchiveProject, uow: UnitOfWork, clock: Clock) -> Project:
    return await _change(
        uow, clock, cmd.project_id, lambda p, now: p.archive(cmd.by_teacher_id, now)
    )


# --- plumbing ------------------------------------------------------------------------------


async def _change(uow: UnitOfWork, clock: Clock, project_id: str, change: Change) -> Project:
    async def work(tx: Transaction) -> Project:
        return await _change_in(tx, project_id, change, clock.now())

    return await _run_until_settled(uow, work)


async def _change_as(
    uow: UnitOfWork,
    clock: Clock,
    project_id: str,
    teacher_id: str,
    change: Callable[[Project, KnownTeacher, datetime], None],
) -> Project:
    """A change that needs a teacher as the read model knows them (R-REG-4)."""

    async def work(tx: Transaction) -> Project:
        teacher = await TeacherDirectory(tx).get(teacher_id)
        return await _change_in(tx, project_id, lambda p, now: change(p, teacher, now), clock.now())

    return await _run_until_settled(uow, work)


async def _change_in(tx: Transaction, project_id: str, change: Change, now: datetime) -> Project:
    projects = ProjectRepository(tx)
    project = await projects.get(project_id)
    change(project, now)
    projects.save(project)
    await _emit(tx, project)
    return project


async def _run_until_settled(uow: UnitOfWork, work: Work[Project]) -> Project:
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            return await uow.run(work)
        except ConcurrentChange:
            if attempt == MAX_ATTEMPTS:
                raise
            await asyncio.sleep(random.uniform(0, 0.005 * attempt))
    raise AssertionError("unreachable")


async def _emit(tx: Transaction, project: Project) -> None:
    for event in project.events:
        for payload in integration_events(event):
            await tx.emit(payload)
    project.events.clear()
