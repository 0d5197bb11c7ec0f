"""Use cases of the staff directory, which operators manage. One unit of work each."""

from __future__ import annotations

import uuid
from dataclasses import replace

from pymongo.errors import DuplicateKeyError

from services.notifications.adapters.repository import StaffDirectory
from services.notifications.domain.errors import STAFF_NOT_FOUND, STAFF_SUBJECT_TAKEN
from services.notifications.domain.staff import StaffMember
from shared.errors import Refused
from shared.storage.unit_of_work import Transaction, UnitOfWork


def new_staff_id() -> str:
    return f"staff-{uuid.uuid4().hex[:16]}"


async def add_staff(uow: UnitOfWork, member: StaffMember) -> StaffMember:
    async def work(tx: Transaction) -> StaffMember:
        await StaffDirectory(tx).save(member)
        return member

    try:
        return await uow.run(work)
    except DuplicateKeyError as duplicate:
        raise _subject_taken(member.subject) from duplicate


async def update_staff(uow: UnitOfWork, staff_id: str, member: StaffMember) -> StaffMember:
    async def work(tx: Transaction) -> StaffMember:
        directory = StaffDirectory(tx)
        if await directory.get(staff_id) is None:
            raise STAFF_NOT_FOUND(f"no staff member {staff_id}")
        updated = replace(member, id=staff_id)
        await directory.save(updated)
        return updated

    try:
        return await uow.run(work)
    except DuplicateKeyError as duplicate:
        raise _subject_taken(member.subject) from duplicate


async def remove_staff(uow: UnitOfWork, staff_id: str) -> None:
    async def work(tx: Transaction) -> None:
        if not await StaffDirectory(tx).remove(staff_id):
            raise STAFF_NOT_FOUND(f"no staff member {staff_id}")

    await uow.run(work)


def _subject_taken(subject: str) -> Refused:
    return STAFF_SUBJECT_TAKEN(
        f"the login subject {subject!r} already belongs to a staff member", subject=subject
    )
