"""Use cases of the registration service. Each runs in one unit of work: the state change and
the events it emits commit together, and a refusal leaves neither document nor event."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from uuid import uuid4

from services.registration.adapters.repository import Repositories
from services.registration.domain.countries import is_participating
from services.registration.domain.errors import unknown_country
from services.registration.domain.model import DomainEvent, School, Teacher, TeacherStatus
from services.registration.domain.policy import RegistrationPolicy
from services.registration.service_layer import commands
from services.registration.service_layer.integration import integration_event
from shared.clock import Clock
from shared.storage.unit_of_work import Transaction, UnitOfWork

# Each country's verification method, reapplication, e-mail release (registration_policy.toml)
DEFAULT_POLICY = RegistrationPolicy()


def confirmation_token() -> str:
    """The secret of a school head's confirmation link: unguessable, one per request."""
    return secrets.token_urlsafe(24)


async def register_school(cmd: commands.RegisterSchool, uow: UnitOfWork, clock: Clock) -> School:
    async def work(tx: Transaction) -> School:
        school = School.register(
            f"sch_{uuid4().hex[:16]}",
            cmd.name,
            cmd.town,
            cmd.country,
            clock.now(),
            **cmd.details,
        )
        await Repositories(tx).schools.add(school)
        await _publish(tx, school.events)
        return school

    return await uow.run(work)


async def register_teacher(
    cmd: commands.RegisterTeacher,
    uow: UnitOfWork,
    clock: Clock,
    policy: RegistrationPolicy = DEFAULT_POLICY,
) -> Teacher:
    return await uow.run(lambda tx: register_teacher_in(tx, cmd, clock, policy))


async def register_teacher_in(
    tx: Transaction,
    cmd: commands.RegisterTeacher,
    clock: Clock,
    policy: RegistrationPolicy = DEFAULT_POLICY,
) -> Teacher:
    """The one path that creates a teacher, inside an open transaction: the HTTP API and the
    intake consumer (whose transaction also holds the inbox record) both come here."""
    repositories = Repositories(tx)
    if cmd.school_id is not None:
        school = await repositories.schools.get(cmd.school_id)
    else:
        assert cmd.school_identity_key is not None
        country = cmd.school_identity_key.split("|", 1)[0]
        if not is_participating(country):
            raise unknown_country(country)  # R-REG-6, before looking for the school
        school = await repositories.schools.get_by_identity(cmd.school_identity_key)
    now = clock.now()
    teacher = Teacher.apply(
        teacher_id=f"tch_{uuid4().hex[:16]}", name=cmd.name, email=cmd.email, role=cmd.role,
        language=cmd.language, school=school, now=now, subjects=cmd.subjects,
        languages=cmd.languages, pupil_age_min=cmd.pupil_age_min,
        pupil_age_max=cmd.pupil_age_max, source=cmd.source,
        identity_subject=cmd.identity_subject,
    )  # fmt: skip
    await _release_email_of_deactivated(repositories, teacher.email, now, policy)
    teacher.start_verification(
        policy.verification_of(school.country), school, confirmation_token(), now
    )
    await repositories.teachers.add(teacher)
    await _publish(tx, teacher.events)
    return teacher


async def _release_email_of_deactivated(
    repositories: Repositories, email: str, now: datetime, policy: RegistrationPolicy
) -> None:
    """R-REG-7: the address of a profile deactivated long enough ago (policy) registers
    again; the old profile gives it up. Any other holder keeps it (duplicate_email)."""
    holder = await repositories.teachers.find_by_email(email)
    if holder is None or holder.status is not TeacherStatus.DEACTIVATED:
        return
    if policy.email_released(holder.status_changed_at, now):
        holder.release_email()
        await repositories.teachers.save(holder)


async def validate_teacher(cmd: commands.ValidateTeacher, uow: UnitOfWork, clock: Clock) -> Teacher:
    async def work(tx: Transaction) -> Teacher:
        repositories = Repositories(tx)
        teacher = await repositories.teachers.get(cmd.teacher_id)
        school = await repositories.schools.get(teacher.school_id)
        teacher.validate(by_country=cmd.nso_country, school=school, now=clock.now())
        return await _save(tx, teacher)

    return await uow.run(work)


async def reject_teacher(cmd: commands.RejectTeacher, uow: UnitOfWork, clock: Clock) -> Teacher:
    return await _change(
        uow,
        cmd.teacher_id,
        lambda t: t.reject(by_country=cmd.nso_country, reason=cmd.reason, now=clock.now()),
    )


async def change_school(
    cmd: commands.ChangeSchool,
    uow: UnitOfWork,
    clock: Clock,
    policy: RegistrationPolicy = DEFAULT_POLICY,
) -> Teacher:
    """R-REG-5: back in validation, in the new school's NSO's queue, verified again the way
    that country verifies (its head is asked where the country does so)."""

    async def work(tx: Transaction) -> Teacher:
        repositories = Repositories(tx)
        teacher = await repositories.teachers.get(cmd.teacher_id)
        school = await repositories.schools.get(cmd.school_id)
        now = clock.now()
        teacher.change_school(school=school, now=now)
        method = policy.verification_of(school.country)
        teacher.start_verification(method, school, confirmation_token(), now)
        return await _save(tx, teacher)

    return await uow.run(work)


async def reapply(
    cmd: commands.Reapply,
    uow: UnitOfWork,
    clock: Clock,
    policy: RegistrationPolicy = DEFAULT_POLICY,
) -> Teacher:
    """R-REG-2: a rejected teacher corrects their data and waits for validation again."""

    async def work(tx: Transaction) -> Teacher:
        repositories = Repositories(tx)
        teacher = await repositories.teachers.get(cmd.teacher_id)
        school = await repositories.schools.get(cmd.school_id or teacher.school_id)
        now = clock.now()
        teacher.reapply(
            may_reapply=policy.rejected_may_reapply, school=school, now=now,
            name=cmd.name, role=cmd.role, subjects=cmd.subjects, languages=cmd.languages,
            pupil_age_min=cmd.pupil_age_min, pupil_age_max=cmd.pupil_age_max,
        )  # fmt: skip
        method = policy.verification_of(school.country)
        teacher.start_verification(method, school, confirmation_token(), now)
        return await _save(tx, teacher)

    return await uow.run(work)


async def confirm_by_head(cmd: commands.ConfirmByHead, uow: UnitOfWork, clock: Clock) -> Teacher:
    """R-REG-3 (e.g. ES): the school head followed the confirmation link."""

    async def work(tx: Transaction) -> Teacher:
        teacher = await Repositories(tx).teachers.get_by_confirmation(cmd.token)
        teacher.confirm_by_head(cmd.token, clock.now())
        return await _save(tx, teacher)

    return await uow.run(work)


async def deactivate_teacher(
    cmd: commands.DeactivateTeacher, uow: UnitOfWork, clock: Clock
) -> Teacher:
    return await _change(
        uow, cmd.teacher_id, lambda t: t.deactivate(by=cmd.by, reason=cmd.reason, now=clock.now())
    )


async def erase_teacher(cmd: commands.EraseTeacher, uow: UnitOfWork, clock: Clock) -> Teacher:
    return await _change(uow, cmd.teacher_id, lambda t: t.erase(now=clock.now()))


async def _change(uow: UnitOfWork, teacher_id: str, change: Callable[[Teacher], None]) -> Teacher:
    async def work(tx: Transaction) -> Teacher:
        teacher = await Repositories(tx).teachers.get(teacher_id)
        change(teacher)
        return await _save(tx, teacher)

    return await uow.run(work)


async def _save(tx: Transaction, teacher: Teacher) -> Teacher:
    await Repositories(tx).teachers.save(teacher)
    await _publish(tx, teacher.events)
    return teacher


async def _publish(tx: Transaction, domain_events: list[DomainEvent]) -> None:
    for event in domain_events:
        await tx.emit(integration_event(event))
    domain_events.clear()
