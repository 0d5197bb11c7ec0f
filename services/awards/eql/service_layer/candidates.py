"""The round's candidates and quotas, kept current until nominations close (R-EQL-3,
R-EQL-4). Computed when the round opens, and again whenever an NQL the round counts was
decided since (checked on every read and before every nomination: the NQL decision counters
of the window's months, one read by _id, written in each decision's transaction), so a
project whose second country's NQL is granted after the opening becomes a candidate, and a
nomination is checked against the current figures. A recomputation writes a fresh snapshot,
then points the round at it and updates the quota counters in one transaction (the places
used stay); a concurrent nomination conflicts on its counter and is retried against the new
figures. NQLs written straight into the database (not through a decision) move no counter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import uuid4

from pymongo.asynchronous.database import AsyncDatabase

from services.awards.eql.adapters.repository import (
    ROUNDS,
    EqlRepository,
    decisions_fingerprint,
    delete_snapshot,
    earlier_candidacies,
    nql_scores_by_project,
    project_kinds,
    write_snapshot,
)
from services.awards.eql.domain import model as eql
from services.awards.eql.domain.model import Assessment, CountryQuota
from services.awards.eql.domain.policy import EqlPolicy
from shared.logging import get_logger
from shared.storage.mongo import Document
from shared.storage.unit_of_work import Transaction, UnitOfWork

log = get_logger(__name__)


@dataclass(frozen=True)
class Figures:
    """Everything NSOs see of a round at one moment, written under `snapshot_id`."""

    snapshot_id: str
    assessments: list[Assessment]
    quotas: dict[str, CountryQuota]
    fingerprint: list[Any]

    @property
    def candidate_count(self) -> int:
        return sum(1 for a in self.assessments if a.candidate)

    def round_fields(self) -> Document:
        return {
            "snapshot_id": self.snapshot_id,
            "projects_with_nql": len(self.assessments),
            "candidate_count": self.candidate_count,
            "fingerprint": self.fingerprint,
        }


def window(policy: EqlPolicy, year: int) -> tuple[Any, Any, Any]:
    """(candidacy start, period start, period end) of the round of `year`."""
    start, end = policy.period.candidacy_bounds(year, policy.candidacy.periods)
    period_start, _ = policy.period.bounds(year)
    return start, period_start, end


async def fingerprint(database: AsyncDatabase[Document], policy: EqlPolicy, year: int) -> list[Any]:
    start, _, end = window(policy, year)
    return await decisions_fingerprint(database, start, end)


async def compute(database: AsyncDatabase[Document], policy: EqlPolicy, year: int) -> Figures:
    """One indexed scan of the window's NQL decisions, assessed in Python, written as a fresh
    snapshot (outside any transaction: nothing points at it yet)."""
    marker = await fingerprint(database, policy, year)
    start, period_start, end = window(policy, year)
    groups = [
        group
        async for group in nql_scores_by_project(
            database,
            start,
            end,
            with_refused=policy.nomination.average_of == "evaluated",
            period_start=period_start,
        )
    ]
    project_ids = [project_id for project_id, _, _ in groups]
    kinds = await project_kinds(database, project_ids)
    earlier = (
        await earlier_candidacies(database, year, project_ids) if policy.candidacy.once else {}
    )
    assessments = [
        assessment
        for project_id, title, scores in groups
        if (
            assessment := eql.assess(
                project_id,
                title,
                scores,
                *kinds.get(project_id, (None, None)),
                policy.nomination,
                earlier_round=earlier.get(project_id),
            )
        )
        is not None
    ]
    snapshot_id = uuid4().hex
    await write_snapshot(database, snapshot_id, eql.round_id(year), year, assessments)
    return Figures(snapshot_id, assessments, eql.quotas(assessments, policy.quota), marker)


async def refresh_if_stale(uow: UnitOfWork, policy: EqlPolicy, year: int) -> Document | None:
    """The round, its figures recomputed first if an NQL it counts was decided since they
    were; None when the year has no round. A round no longer OPEN is never recomputed."""
    database = uow.database
    round_id = eql.round_id(year)
    current: Document | None = await database[ROUNDS].find_one({"_id": round_id})
    if current is None or current["status"] != "OPEN":
        return current
    if await fingerprint(database, policy, year) == current.get("fingerprint"):
        return current
    return await refresh(uow, policy, current)


async def refresh(uow: UnitOfWork, policy: EqlPolicy, current: Document) -> Document:
    year = int(current["year"])
    round_id = current["_id"]
    figures = await compute(uow.database, policy, year)

    async def switch(tx: Transaction) -> Document | None:
        repository = EqlRepository(tx)
        switched = await repository.switch_snapshot(
            round_id, current["snapshot_id"], figures.round_fields()
        )
        if switched is not None:
            await repository.update_quotas(round_id, figures.quotas.values())
        return switched

    switched = await uow.run(switch)
    if switched is None:  # another refresh, or the closing, came first: keep theirs
        await delete_snapshot(uow.database, figures.snapshot_id)
        found: Document | None = await uow.database[ROUNDS].find_one({"_id": round_id})
        assert found is not None
        return found
    if previous := current.get("previous_snapshot_id"):
        # two back: no reader can still hold it (readers take the round's current one)
        await delete_snapshot(uow.database, previous)
    log.info(
        "eql.figures_refreshed",
        year=year,
        candidates=figures.candidate_count,
        projects_with_nql=len(figures.assessments),
    )
    return switched
