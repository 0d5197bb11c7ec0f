"""HTTP API of the European eTwinning Prizes (R-PRZ-1, R-PRZ-2). Thin."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from services.awards.access import POLICY
from services.awards.eql.domain.policy import PrizeCategory
from services.awards.eql.entrypoints.http import Policy
from services.awards.prizes.adapters import queries
from services.awards.prizes.service_layer import use_cases as prizes
from shared.http.access import Grant
from shared.http.dependencies import ServiceClock, UoW
from shared.http.inputs import Identifier, Keyword, Year

router = APIRouter(prefix="/prizes", tags=["european prizes"])


class EntryIn(BaseModel):
    project_id: Identifier
    category: Keyword = Field(description="An age category id (GET /prizes/categories).")


class WinnerIn(BaseModel):
    project_id: Identifier


class EntryOut(BaseModel):
    year: int
    project_id: str
    project_title: str
    category: str
    submitted_by: str
    submitted_at: datetime


class WinnerOut(BaseModel):
    year: int
    project_id: str
    project_title: str
    category: str
    winner_ids: list[str] = Field(description="The project's EQL holders (R-PRZ-2).")
    recorded_by: str
    won_at: datetime


@router.get("/categories")
async def categories(
    policy: Policy, _: Annotated[Grant, POLICY.grant("prizes.categories")]
) -> list[PrizeCategory]:
    return policy.prizes.categories


@router.post("/{year}/entries", status_code=status.HTTP_201_CREATED)
async def enter(
    year: Year,
    body: EntryIn,
    uow: UoW,
    clock: ServiceClock,
    policy: Policy,
    grant: Annotated[Grant, POLICY.grant("prizes.enter")],
) -> EntryOut:
    """Enter a project holding an EQL of this year's round, once, in one age category."""
    teacher = grant.principal
    assert teacher is not None and teacher.teacher_id is not None
    command = prizes.EnterPrize(
        year=year, project_id=body.project_id, category=body.category, teacher_id=teacher.teacher_id
    )
    return EntryOut(**await prizes.enter(uow, policy, command, clock))


@router.get("/{year}/entries")
async def list_entries(
    year: Year, uow: UoW, grant: Annotated[Grant, POLICY.grant("prizes.entries")]
) -> list[EntryOut]:
    """The year's entries (a teacher sees those they submitted)."""
    found = await queries.entries(uow.database, year, grant.narrow_teacher(None))
    return [EntryOut(**d) for d in found]


@router.post("/{year}/winners", status_code=status.HTTP_201_CREATED)
async def record_winner(
    year: Year,
    body: WinnerIn,
    uow: UoW,
    clock: ServiceClock,
    grant: Annotated[Grant, POLICY.grant("prizes.record_winner")],
) -> WinnerOut:
    """Record a winning entry; its EQL holders are notified (awards.prize.won)."""
    css = grant.principal
    assert css is not None
    command = prizes.RecordWinner(year=year, project_id=body.project_id, recorded_by=css.subject)
    return WinnerOut(**await prizes.record_winner(uow, command, clock))


@router.get("/{year}/winners")
async def list_winners(
    year: Year, uow: UoW, _: Annotated[Grant, POLICY.grant("prizes.winners")]
) -> list[WinnerOut]:
    return [WinnerOut(**d) for d in await queries.winners(uow.database, year)]
