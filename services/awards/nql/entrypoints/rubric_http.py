"""The NQL rubric of a country, as data: the portal renders the NSO's evaluation form from it
(sub-criteria, their maximum points and key minimums, the pass mark)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request

from services.awards.access import POLICY
from services.awards.nql.domain.policy import NqlPolicy, Rubric
from shared.http.access import Grant

router = APIRouter(prefix="/nql", tags=["national quality label"])


def _nql_policy(request: Request) -> NqlPolicy:
    policy: NqlPolicy = request.app.state.nql_policy
    return policy


@router.get("/rubrics/{country}")
async def country_rubric(
    country: Annotated[str, Path(pattern=r"^[A-Z]{2}$")],
    policy: Annotated[NqlPolicy, Depends(_nql_policy)],
    _: Annotated[Grant, POLICY.grant("nql.rubric")],
) -> Rubric:
    """The rubric an NSO of `country` scores applications with (R-NQL-5)."""
    return policy.for_country(country).rubric
