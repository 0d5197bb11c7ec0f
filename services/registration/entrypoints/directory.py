"""What the portal needs besides the write paths: schools found by name, town and country (a
first registration finds its school before creating it), and the teachers of a country waiting
for validation (the NSO's queue, R-REG-3). Who the caller is, `GET /me`, every service answers
(shared/http/me.py; the grant links a subject to the teacher it registered as)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.registration.adapters import queries
from services.registration.adapters.school_search import SchoolQuery, search_schools
from services.registration.domain.model import TeacherStatus
from services.registration.entrypoints.access import POLICY
from services.registration.entrypoints.http import SchoolOut, TeacherOut
from shared.events.fields import CountryCode
from shared.http.access import Grant
from shared.http.dependencies import UoW

router = APIRouter(tags=["registration"])


@router.get(
    "/schools",
    responses={400: {"description": "`search_too_broad`: fewer than 2 characters of the name."}},
)
async def find_schools(
    uow: UoW,
    grant: Annotated[Grant, POLICY.grant("schools.find")],
    country: CountryCode,
    name: Annotated[str, Query(min_length=2, max_length=200, description="Start of the name.")],
    town: Annotated[
        str | None, Query(max_length=120, description="Start of the town's name.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> list[SchoolOut]:
    """Schools of `country` whose name starts with `name`, in a town starting with `town`
    (case- and accent-insensitive); sorted by name, or by town then name with a town.
    One index range per shape (services/registration/adapters/school_search.py)."""
    country = grant.narrow_country(country) or country
    found = await search_schools(uow.database, SchoolQuery(name, country, town, limit))
    return [SchoolOut.of(school) for school in found]


@router.get("/teachers")
async def teachers_of_country(
    uow: UoW,
    grant: Annotated[Grant, POLICY.grant("teachers.queue")],
    country: CountryCode | None = None,
    status: Annotated[TeacherStatus, Query()] = TeacherStatus.WAITING_FOR_VALIDATION,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[TeacherOut]:
    """Teachers in `status` (default: waiting for validation), oldest registration first; an
    NSO sees its own country's."""
    chosen = grant.narrow_country(country)
    teachers = await queries.teachers_in_status(uow.database, status, chosen, limit)
    return [TeacherOut.of(teacher) for teacher in teachers]
