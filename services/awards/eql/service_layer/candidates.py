"""The round's candidates and quotas, kept current until nominations close (R-EQL-3,
R-EQL-4). Computed when the round opens, and kept current whenever an NQL the round counts
was decided since (checked on every read and before every nomination: the NQL decision
counters of the window's months, one read by _id, written in each decision's transaction),
so a project whose second country's NQL is granted after the opening becomes a candidate,
and a nomination is checked against the current figures.

Keeping current is a fold-in, work proportional to what was decided, not to the year: each
decision records its project next to the counter, so the projects decided since the figures
are read by `_id` range; only their NQLs are loaded, the domain assesses them again, and in
one transaction their assessments are replaced in the current snapshot, the quotas of the
countries they count in are adjusted (the places used stay) and the round's fingerprint moves
on. A concurrent nomination conflicts on its counter and is retried against the new figures.
When the record does not cover every counted decision (decisions counted before it existed),
the full recomputation runs instead: a fresh snapshot, then the round points at it. NQLs
written straight into the database (not through a decision) move no counter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import uuid4

from pymongo.asynchronous.database import AsyncDatabase

from services.awards.eql.adapters.repository import (
    ROUNDS,
    EqlRepository,
    decided_projects_since,
    decisions_fingerprint,
    delete_snapshot,
    earlier_candidacies,
    nql_scores_by_project,
    nql_scores_of_projects,
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
    folded = await uow.run(lambda tx: fold_in(tx, policy, round_id))
    if folded is not None:
        return folded
    return await refresh(uow, policy, current)


async def fold_in(tx: Transaction, policy: EqlPolicy, round_id: str) -> Document | None:
    """The round with the projects decided since its figures assessed again, in this
    transaction; None when only a full recomputation can bring it up to date."""
    repository = EqlRepository(tx)
    current = await repository.round(round_id)
    if current is None or current["status"] != "OPEN":
        return current
    year = int(current["year"])
    start, period_start, end = window(policy, year)
    marker = await decisions_fingerprint(tx.database, start, end, tx.session)
    before = current.get("fingerprint")
    if marker == before:
        return current
    if before is None:
        return None
    decided = await decided_projects_since(tx, before, marker)
    if decided is None:
        return None
    project_ids = sorted(decided)
    snapshot_id = current["snapshot_id"]
    old = await repository.assessments(snapshot_id, project_ids)
    new = await _assess(tx, policy, year, project_ids, start, end, period_start)
    kept = {a.project_id for a in new}
    await repository.replace_assessments(
        round_id, year, snapshot_id, new, [a.project_id for a in old if a.project_id not in kept]
    )
    countries = {c for a in [*old, *new] for c, _ in eql.quota_share(a)}
    quotas = eql.adjusted_quotas(
        await repository.quotas(round_id, countries), old, new, policy.quota
    )
    await repository.update_quotas(round_id, quotas.values())
    moved = await repository.move_figures(
        round_id,
        snapshot_id,
        before,
        marker,
        projects_with_nql=len(new) - len(old),
        candidates=sum(a.candidate for a in new) - sum(a.candidate for a in old),
    )
    assert moved is not None  # read in this transaction: a concurrent move conflicts instead
    log.info("eql.figures_folded_in", year=year, projects=len(project_ids))
    return moved


async def _assess(
    tx: Transaction,
    policy: EqlPolicy,
    year: int,
    project_ids: list[str],
    start: Any,
    end: Any,
    period_start: Any,
) -> list[Assessment]:
    """The domain's assessment of these projects, from their NQLs in the window only."""
    groups = await nql_scores_of_projects(
        tx,
        project_ids,
        start,
        end,
        with_refused=policy.nomination.average_of == "evaluated",
        period_start=period_start,
    )
    present = sorted(groups)
    kinds = await project_kinds(tx.database, present)
    earlier = await earlier_candidacies(tx.database, year, present) if policy.candidacy.once else {}
    return [
        assessment
        for project_id in present
        if (
            assessment := eql.assess(
                project_id,
                groups[project_id][0],
                groups[project_id][1],
                *kinds.get(project_id, (None, None)),
                policy.nomination,
                earlier_round=earlier.get(project_id),
            )
        )
        is not None
    ]


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
