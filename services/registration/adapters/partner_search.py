"""Partner search on normalized, indexed fields (SecantusDB has no $text: prefixes are ranges
on normalized keys, which any B-tree index serves)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from services.registration.adapters.repository import (
    PARTNER_SORT,
    PREFIX_INDEXED,
    PREFIX_SHORTEST,
    TEACHERS,
)
from services.registration.domain.errors import SEARCH_TOO_BROAD
from services.registration.domain.model import TeacherStatus, normalized
from shared.errors import Refused
from shared.storage.mongo import Document

# Above every character a normalized key holds: `prefix` ≤ key < `prefix + PREFIX_END`.
PREFIX_END = "\U0010ffff"


@dataclass(frozen=True)
class PartnerQuery:
    country: str | None = None
    subject: str | None = None
    language: str | None = None
    age_from: int | None = None
    age_to: int | None = None
    prefix: str | None = None
    page: int = 1
    page_size: int = 20


SearchTooBroad = Refused  # what tests catch


def partner_filter(query: PartnerQuery) -> Document:
    """The whole filter: the driving part, then the refinements."""
    driving, refinements = partner_match(query)
    return {**driving, **refinements}


def partner_match(query: PartnerQuery) -> tuple[Document, Document]:
    """(driving, refinements). The driving part is only equalities that an index covers exactly
    (status first: only VALIDATED teachers are partners, R-REG-4): SecantusDB's planner uses an
    index only when every field of a find filter is in it, so the refinements run as a second
    $match over the rows the index found. MongoDB merges the two $match stages into one query.
    """
    status = {"status": TeacherStatus.VALIDATED.value}
    refinements: dict[str, Any] = {}
    prefix = normalized(query.prefix or "")
    subject = normalized(query.subject) if query.subject else None
    language = normalized(query.language) if query.language else None
    if len(prefix) > PREFIX_INDEXED or 0 < len(prefix) < PREFIX_SHORTEST:
        # $elemMatch: both bounds on the same element of the multikey array.
        refinements["search_keys"] = {"$elemMatch": {"$gte": prefix, "$lt": prefix + PREFIX_END}}
    if query.age_to is not None:  # the teacher's age range overlaps the one asked for
        refinements["pupil_age_min"] = {"$lte": query.age_to}
    if query.age_from is not None:
        refinements["pupil_age_max"] = {"$gte": query.age_from}
    candidates: list[tuple[str, str | None]] = [
        ("prefix_keys", prefix[:PREFIX_INDEXED] if len(prefix) >= PREFIX_SHORTEST else None),
        ("subject_keys", subject),
        ("country", query.country),
        ("language_keys", language),
    ]
    given = [(field, value) for field, value in candidates if value]
    if not given:
        raise SEARCH_TOO_BROAD(
            "give a country, a subject, a language or a name prefix of 2 characters or more"
        )
    if query.country and subject and not (len(prefix) >= PREFIX_SHORTEST):
        driving = {**status, "country": query.country, "subject_keys": subject}
    else:
        driving = {**status, given[0][0]: given[0][1]}
    refinements.update({field: value for field, value in given if field not in driving})
    return driving, refinements


def partner_pipeline(query: PartnerQuery, projection: Document | None = None) -> list[Document]:
    driving, refinements = partner_match(query)
    return [
        {"$match": driving},
        *([{"$match": refinements}] if refinements else []),
        {"$sort": dict(PARTNER_SORT)},
        {"$skip": (query.page - 1) * query.page_size},
        {"$limit": query.page_size + 1},
        *([{"$project": projection}] if projection else []),
    ]


async def search_partners(
    database: AsyncDatabase[Document], query: PartnerQuery
) -> tuple[list[Document], bool]:
    """One page, sorted by normalized name then id; True when a next page exists."""
    cursor = await database[TEACHERS].aggregate(partner_pipeline(query, PARTNER_PROJECTION))
    documents = await cursor.to_list()
    return documents[: query.page_size], len(documents) > query.page_size


async def explain_partner_search(
    database: AsyncDatabase[Document], query: PartnerQuery
) -> Document:
    """The plan of exactly the pipeline search_partners sends (tests and the benchmark)."""
    explanation: Document = await database.command(
        "explain",
        {"aggregate": TEACHERS, "pipeline": partner_pipeline(query), "cursor": {}},
        verbosity="queryPlanner",
    )
    return explanation


def scanned_indexes(explanation: Any) -> list[str]:
    """Every index an explain output says is scanned, wherever its shape puts the plan
    (SecantusDB nests it under the pipeline's first `$cursor` stage; mongod may too)."""
    if isinstance(explanation, list):
        return [name for item in explanation for name in scanned_indexes(item)]
    if not isinstance(explanation, dict):
        return []
    found = [explanation["indexName"]] if explanation.get("stage") == "IXSCAN" else []
    for key, value in explanation.items():
        if key != "rejectedPlans":
            found += scanned_indexes(value)
    return found


# What a partner search shows of a teacher: no e-mail (contact goes through the platform).
PARTNER_PROJECTION = {
    "name": 1, "role": 1, "school_id": 1, "school_name": 1, "country": 1, "subjects": 1,
    "languages": 1, "pupil_age_min": 1, "pupil_age_max": 1,
}  # fmt: skip
