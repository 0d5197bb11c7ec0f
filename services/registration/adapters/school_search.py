"""School search for registration: a new teacher finds their school before registering a
duplicate. Accent- and case-insensitive prefix of the name, optionally within a country and
a town (prefix too); sorted by name (by town, then name, when a town and a country are given).

Each shape is a range on ONE scalar, normalized string whose index starts with it, sorted by
that same string: the only shape SecantusDB's planner serves with the index's order (its
`sorted_by_index` needs the sort field to lead the index and the index not multikey), so a
page costs its own rows only; MongoDB serves it the same way.

- country + town: `country_town_key` = "ES|elx|ies severo ochoa", range on "ES|elx" when the
  town is whole, or on "ES|el" for a town prefix, the name checked on the rows found;
- country: `country_name_key` = "ES|ies severo ochoa", range on "ES|" + name prefix;
- neither: `name_key`, range on the name prefix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from services.registration.adapters.repository import (
    SCHOOL_COUNTRY_INDEX,
    SCHOOL_NAME_INDEX,
    SCHOOL_TOWN_INDEX,
    SCHOOLS,
    school_from,
)
from services.registration.domain.errors import SEARCH_TOO_BROAD
from services.registration.domain.model import School, normalized
from shared.storage.mongo import Document

# Above every character a normalized key holds: `prefix` ≤ key < `prefix + PREFIX_END`.
PREFIX_END = "\U0010ffff"
SHORTEST_NAME = 2
TOWN_SCAN_LIMIT = 2000  # rows of a town prefix checked for the name, at most


@dataclass(frozen=True)
class SchoolQuery:
    name: str
    country: str | None = None
    town: str | None = None
    limit: int = 10


@dataclass(frozen=True)
class SchoolPlan:
    field: str
    index: str
    prefix: str
    name_starts: str | None = None  # checked on each row when the range is on the town

    def filter(self) -> Document:
        return {self.field: {"$gte": self.prefix, "$lt": self.prefix + PREFIX_END}}


def school_plan(query: SchoolQuery) -> SchoolPlan:
    name = normalized(query.name)
    if len(name) < SHORTEST_NAME:
        raise SEARCH_TOO_BROAD(f"give {SHORTEST_NAME} characters or more of the name")
    town = normalized(query.town or "")
    if query.country and town:
        return SchoolPlan("country_town_key", SCHOOL_TOWN_INDEX, f"{query.country}|{town}", name)
    if query.country:
        return SchoolPlan("country_name_key", SCHOOL_COUNTRY_INDEX, f"{query.country}|{name}")
    return SchoolPlan("name_key", SCHOOL_NAME_INDEX, name, None if not town else name)


async def search_schools(database: AsyncDatabase[Document], query: SchoolQuery) -> list[School]:
    plan = school_plan(query)
    cursor = database[SCHOOLS].find(plan.filter()).sort(plan.field, 1)
    if plan.name_starts is None:
        return [school_from(row) for row in await cursor.limit(query.limit).to_list()]
    town = normalized(query.town or "")
    found: list[School] = []
    async for row in cursor.limit(TOWN_SCAN_LIMIT):
        school = school_from(row)
        if normalized(school.town).startswith(town) and row["name_key"].startswith(
            plan.name_starts
        ):
            found.append(school)
            if len(found) == query.limit:
                break
    return found


async def explain_school_search(database: AsyncDatabase[Document], query: SchoolQuery) -> Any:
    plan = school_plan(query)
    return await database.command(
        "explain",
        {
            "find": SCHOOLS,
            "filter": plan.filter(),
            "sort": {plan.field: 1},
            "limit": query.limit,
        },
        verbosity="executionStats",
    )
