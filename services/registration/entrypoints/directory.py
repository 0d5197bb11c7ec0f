"""Lists the portal needs: schools found by name, town and country (a teacher's first
registration finds their school before creating it), and the teachers of a country waiting
for validation (the NSO's queue, R-REG-3)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.registration.adapters.repository import SCHOOLS, TEACHERS, school_from, teacher_from
from services.registration.domain.model import TeacherStatus, normalized
from services.registration.entrypoints.http import SchoolOut, TeacherOut
from shared.events.fields import CountryCode
from shared.http.auth import Principal, require_role
from shared.http.dependencies import UoW

router = APIRouter(tags=["registration"])

Anyone = Annotated[
    Principal, Depends(require_role("applicant", "teacher", "nso", "css", "operator"))
]
Nso = Annotated[Principal, Depends(require_role("nso"))]
PREFIX_END = "\U0010ffff"


@router.get("/schools")
async def find_schools(
    uow: UoW,
    _: Anyone,
    country: CountryCode,
    name: Annotated[str, Query(min_length=2, max_length=200, description="Start of the name.")],
    town: Annotated[str | None, Query(max_length=120)] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> list[SchoolOut]:
    """Schools of `country` whose name starts with `name` (case- and accent-insensitive)."""
    key = normalized(name)
    query = {"country": country, "name_key": {"$gte": key, "$lt": key + PREFIX_END}}
    cursor = uow.database[SCHOOLS].find(query).sort("name_key", 1).limit(limit * 4)
    schools = [school_from(document) async for document in cursor]
    if town:
        wanted = normalized(town)
        schools = [school for school in schools if normalized(school.town).startswith(wanted)]
    return [SchoolOut.of(school) for school in schools[:limit]]


@router.get("/teachers")
async def teachers_of_country(
    uow: UoW,
    nso: Nso,
    status: Annotated[TeacherStatus, Query()] = TeacherStatus.WAITING_FOR_VALIDATION,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[TeacherOut]:
    """The NSO's own country's teachers in `status` (default: waiting for validation),
    oldest registration first."""
    query = {"country": nso.country, "status": status.value}
    cursor = uow.database[TEACHERS].find(query).sort("registered_at", 1).limit(limit)
    return [TeacherOut.of(teacher_from(document)) async for document in cursor]
