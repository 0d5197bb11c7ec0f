"""Use cases of the European eTwinning Prizes (R-PRZ-1, R-PRZ-2): a member enters an EQL
project of the year in one age category; the CSS records the winners, who are notified."""

from __future__ import annotations

from dataclasses import dataclass

from pymongo.errors import DuplicateKeyError

from services.awards.eql.adapters.repository import EqlRepository
from services.awards.eql.domain.policy import EqlPolicy
from services.awards.prizes.domain import model as prizes
from services.awards.prizes.domain.errors import ALREADY_WINNER
from shared.clock import Clock
from shared.errors import Refused
from shared.events import awards as emitted
from shared.storage.mongo import Document
from shared.storage.unit_of_work import Transaction, UnitOfWork


@dataclass(frozen=True)
class EnterPrize:
    year: int
    project_id: str
    category: str
    teacher_id: str


@dataclass(frozen=True)
class RecordWinner:
    year: int
    project_id: str
    recorded_by: str


async def enter(uow: UnitOfWork, policy: EqlPolicy, command: EnterPrize, clock: Clock) -> Document:
    """Accepted or refused, the decision is committed with awards.prize.entry_decided; a
    refusal is then raised with its rule."""
    try:
        outcome = await uow.run(lambda tx: _enter(tx, policy, command, clock))
    except DuplicateKeyError:  # a racing entry of the same project won: decide again
        outcome = await uow.run(lambda tx: _enter(tx, policy, command, clock))
    if isinstance(outcome, Refused):
        raise outcome
    return outcome


async def _enter(
    tx: Transaction, policy: EqlPolicy, command: EnterPrize, clock: Clock
) -> Document | Refused:
    repository = EqlRepository(tx)
    holders = await repository.eql_holders(command.year, command.project_id)
    project = (await repository.projects([command.project_id])).get(command.project_id)
    is_member = command.teacher_id in holders or (
        project is not None and project.member(command.teacher_id) is not None
    )
    earlier = [
        (int(e["year"]), str(e["category"]))
        for e in await repository.entries_of_project(command.project_id)
    ]
    title = project.title if project else ""
    now = clock.now()
    entry: Document = {
        "_id": f"{command.year}:{command.project_id}",
        "year": command.year,
        "project_id": command.project_id,
        "project_title": title,
        "category": command.category,
        "submitted_by": command.teacher_id,
        "submitted_at": now,
    }
    try:
        prizes.check_entry(
            command.year, command.category, policy.prizes, holders, is_member, earlier
        )
    except Refused as refused:
        del entry["_id"]
        await repository.add_entry_refusal(
            {**entry, "rule": refused.rule, "reason": refused.detail}
        )
        await tx.emit(_decided(entry, accepted=False, rule=refused.rule, reason=refused.detail))
        return refused
    await repository.add_entry(entry)
    await tx.emit(_decided(entry, accepted=True, rule=None, reason="accepted"))
    return entry


def _decided(
    entry: Document, *, accepted: bool, rule: str | None, reason: str
) -> emitted.PrizeEntryDecided:
    return emitted.PrizeEntryDecided(
        year=entry["year"],
        project_id=entry["project_id"],
        project_title=entry["project_title"],
        category=entry["category"],
        accepted=accepted,
        rule=rule,
        reason=reason,
        submitted_by=entry["submitted_by"],
        decided_at=entry["submitted_at"],
    )


async def record_winner(uow: UnitOfWork, command: RecordWinner, clock: Clock) -> Document:
    async def work(tx: Transaction) -> Document:
        repository = EqlRepository(tx)
        entry = await repository.entry(command.year, command.project_id)
        won = await repository.winner(command.year, command.project_id)
        prizes.check_winner(
            None if entry is None else str(entry["category"]), won is not None, command.year
        )
        assert entry is not None
        # R-PRZ-2: only the partners holding the EQL are officially awarded
        holders = await repository.eql_holders(command.year, command.project_id)
        now = clock.now()
        winner: Document = {
            "_id": f"{command.year}:{command.project_id}",
            "year": command.year,
            "project_id": command.project_id,
            "project_title": entry["project_title"],
            "category": entry["category"],
            "winner_ids": holders,
            "recorded_by": command.recorded_by,
            "won_at": now,
        }
        await repository.add_winner(winner)
        await tx.emit(
            emitted.PrizeWon(
                year=command.year,
                project_id=command.project_id,
                project_title=entry["project_title"] or command.project_id,
                category=entry["category"],
                winner_ids=holders,
                recorded_by=command.recorded_by,
                won_at=now,
            )
        )
        return winner

    try:
        return await uow.run(work)
    except DuplicateKeyError as duplicate:
        raise ALREADY_WINNER(f"already recorded as a {command.year} winner") from duplicate
