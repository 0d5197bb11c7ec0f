"""Partner search: validated teachers only (R-REG-4), newest validation first, in pages.

Every query shape is an equality on one precomputed key of `partner_keys` (search_keys.py):
a single criterion, the pair of two criteria, or a name/town prefix; a third criterion, a
prefix with another criterion or a prefix longer than indexed is checked on the rows that
key finds.

Why windows: SecantusDB's planner never serves a sort from a multikey index, nor from one
whose first field is not the sort field (`Storage.explain_plan`: `sorted_by_index` is False),
so `find({partner_keys: k}).sort(partner_order)` fetches and sorts EVERY row of k, however
large. A page is therefore read in time windows of `partner_order` walked from the newest:
a range on the index's second field bounds what is fetched and sorted. Each window is sized
from the density seen in the previous one, and a request examines at most
`EXAMINE_BUDGET` rows: a page may then hold fewer items than asked while `next` still
continues (said in the API). MongoDB serves the same queries with the sort from the index;
the windows only add bounds.

No `hint`: SecantusDB's hinted path walks the whole index (1.8 s against 2.6 ms unhinted for
the same 7-row window at 8,000 teachers); its planner picks `partner_search` by itself.

Pagination is by cursor (the last row's `partner_order`), never skip. The total is exact
when the search reached the oldest row, else an estimate from the density of matches in the
windows it read (`_estimated_total`): counting is not cheap on SecantusDB (a capped
`count_documents` still fetches every row of the key: 100 ms for 1,701 rows).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from services.registration.adapters.repository import TEACHERS
from services.registration.adapters.search_keys import (
    ORDER_TIME,
    PREFIX_INDEXED,
    PREFIX_SHORTEST,
    criterion_key,
    order_time,
    pair_key,
)
from services.registration.domain.errors import SEARCH_TOO_BROAD
from services.registration.domain.model import normalized
from shared.errors import INVALID_CURSOR, Refused
from shared.storage.mongo import Document

FIRST_WINDOW = timedelta(hours=12)
LARGEST_GROWTH = 16
WINDOW_ROWS = 600  # a window is sized to fetch about this many rows at most
EXAMINE_BUDGET = 1500  # rows examined by one request, at most
EARLIEST = datetime(2000, 1, 1)  # no validation before: the last window is open below

# What a partner search shows of a teacher: no e-mail (contact goes through the platform).
PARTNER_PROJECTION = {
    "name": 1, "role": 1, "school_id": 1, "school_name": 1, "country": 1, "subjects": 1,
    "languages": 1, "pupil_age_min": 1, "pupil_age_max": 1, "partner_order": 1,
}  # fmt: skip
# Fields read only to check refinements, dropped before answering.
REFINEMENT_FIELDS = {"partner_keys": 1, "word_starts": 1}


@dataclass(frozen=True)
class PartnerQuery:
    country: str | None = None
    subject: str | None = None
    language: str | None = None
    age_from: int | None = None
    age_to: int | None = None
    prefix: str | None = None
    after: str | None = None  # the cursor: `next` of the previous page
    page_size: int = 20


SearchTooBroad = Refused  # what tests catch


@dataclass(frozen=True)
class PartnerPlan:
    """The driving keys (any of them matches) and what the rows found must also satisfy."""

    driving: tuple[str, ...]
    all_of: tuple[str, ...] = ()  # keys the row must carry too
    any_of: tuple[str, ...] = ()  # ... and at least one of these (ages)
    starts: str | None = None  # a word start of the school's name or town begins with it

    @property
    def refined(self) -> bool:
        return bool(self.all_of or self.any_of or self.starts)

    def index_filter(self) -> Document:
        keys = self.driving
        return {"partner_keys": keys[0] if len(keys) == 1 else {"$in": list(keys)}}

    def accepts(self, row: Document) -> bool:
        keys = set(row.get("partner_keys", ()))
        if not keys.issuperset(self.all_of):
            return False
        if self.any_of and keys.isdisjoint(self.any_of):
            return False
        if self.starts is not None:
            return any(start.startswith(self.starts) for start in row.get("word_starts", ()))
        return True

    def refinement_filter(self) -> Document:
        """The refinement as a query (for explain and for servers that run it)."""
        clauses: list[Document] = [{"partner_keys": key} for key in self.all_of]
        if self.any_of:
            clauses.append({"partner_keys": {"$in": list(self.any_of)}})
        if self.starts is not None:
            clauses.append({"word_starts": {"$regex": "^" + re.escape(self.starts)}})
        return {"$and": clauses} if clauses else {}


def partner_plan(query: PartnerQuery) -> PartnerPlan:
    criteria: list[tuple[str, ...]] = []  # each: the keys of one criterion (any matches)
    if query.country:
        criteria.append((criterion_key("c", query.country),))
    if query.subject and normalized(query.subject):
        criteria.append((criterion_key("s", normalized(query.subject)),))
    if query.language and normalized(query.language):
        criteria.append((criterion_key("l", normalized(query.language)),))
    if query.age_from is not None or query.age_to is not None:
        # An open range stops at school ages: one key per age is one query per age.
        low = query.age_from if query.age_from is not None else min(3, query.age_to or 3)
        high = query.age_to if query.age_to is not None else max(19, low)
        criteria.append(tuple(criterion_key("a", age) for age in range(low, high + 1)))
    prefix = normalized(query.prefix or "")
    if prefix:
        return _prefix_plan(prefix, criteria)
    if not criteria:
        raise SEARCH_TOO_BROAD("give a country, a subject, a language, an age range or a prefix")
    if len(criteria) == 1:
        return PartnerPlan(criteria[0])
    # The pair with the fewest keys drives (ages come last); the rest refine.
    first, second, *rest = criteria
    driving = tuple(pair_key(a, b) for a in first for b in second)
    return _with_refinements(PartnerPlan(driving), rest)


def _prefix_plan(prefix: str, criteria: list[tuple[str, ...]]) -> PartnerPlan:
    first_word = prefix.split(" ", 1)[0]
    if len(prefix) < PREFIX_SHORTEST:
        raise SEARCH_TOO_BROAD(f"a prefix needs {PREFIX_SHORTEST} characters or more")
    if " " in prefix or len(first_word) < PREFIX_SHORTEST:
        key = criterion_key("p", first_word[:PREFIX_INDEXED])  # a whole first word
    else:
        key = criterion_key("p", prefix[:PREFIX_INDEXED])
    needs_check = " " in prefix or len(prefix) > PREFIX_INDEXED
    plan = PartnerPlan((key,), starts=prefix if needs_check else None)
    return _with_refinements(plan, criteria)


def _with_refinements(plan: PartnerPlan, criteria: list[tuple[str, ...]]) -> PartnerPlan:
    all_of = tuple(keys[0] for keys in criteria if len(keys) == 1)
    any_of = next((keys for keys in criteria if len(keys) > 1), ())
    return PartnerPlan(plan.driving, all_of, any_of, plan.starts)


@dataclass
class PartnerPage:
    items: list[Document]
    next: str | None
    total: int
    total_is_estimate: bool
    examined: int = 0
    windows: int = 0
    queries: list[Document] = field(default_factory=list)


def _cursor_time(cursor: str) -> datetime:
    try:
        return datetime.strptime(cursor[: len(order_time(EARLIEST))], ORDER_TIME)
    except ValueError as error:  # the pattern's shape, but no date: not a cursor we gave
        raise INVALID_CURSOR("the cursor is not one this API gave") from error


def window_filter(plan: PartnerPlan, upper: str | None, lower: datetime | None) -> Document:
    bounds: dict[str, str] = {}
    if upper is not None:
        bounds["$lt"] = upper
    if lower is not None:
        bounds["$gte"] = order_time(lower)
    return {**plan.index_filter(), **({"partner_order": bounds} if bounds else {})}


async def search_partners(
    database: AsyncDatabase[Document], query: PartnerQuery, *, now: datetime
) -> PartnerPage:
    """One page, newest validation first; `next` continues after its last row."""
    plan = partner_plan(query)
    collection = database[TEACHERS]
    wanted = query.page_size + 1  # one more than a page: whether a next page exists
    projection = {**PARTNER_PROJECTION, **(REFINEMENT_FIELDS if plan.refined else {})}
    upper = query.after
    upper_time = _cursor_time(upper) if upper else now.replace(tzinfo=None)
    start_time = upper_time
    span = FIRST_WINDOW
    found: list[Document] = []
    examined = windows = 0
    exhausted = False
    while len(found) < wanted:
        lower: datetime | None = upper_time - span
        if lower is not None and lower <= EARLIEST:
            lower = None
        limit = None if plan.refined else wanted - len(found)
        rows = await _window_rows(collection, plan, upper, lower, projection, limit)
        windows += 1
        examined += len(rows)
        found += [row for row in rows if plan.accepts(row)] if plan.refined else rows
        if lower is None:
            exhausted = True
            break
        upper, upper_time = order_time(lower), lower
        if len(found) >= wanted or examined >= EXAMINE_BUDGET:
            break
        span = _next_span(span, len(rows), len(found), examined, wanted)
    page, more = found[: query.page_size], len(found) > query.page_size
    if more:
        next_cursor: str | None = page[-1]["partner_order"]
    else:
        next_cursor = None if exhausted else upper  # budget spent: continue below the window
    total, estimated = _estimated_total(
        len(found), examined, start_time - upper_time, start_time, exhausted
    )
    return PartnerPage(
        [_shown(row) for row in page], next_cursor, total, estimated, examined, windows
    )


async def _window_rows(
    collection: AsyncCollection[Document],
    plan: PartnerPlan,
    upper: str | None,
    lower: datetime | None,
    projection: Document,
    limit: int | None,
) -> list[Document]:
    """The window's rows, newest first. Several driving keys (an age range) are one query
    each, merged: SecantusDB bounds `partner_order` for an equality on the key but not for
    an `$in` (it then fetches every row of every key)."""
    merged: dict[Any, Document] = {}
    for key in plan.driving:
        cursor = collection.find(window_filter(PartnerPlan((key,)), upper, lower), projection).sort(
            "partner_order", -1
        )
        for row in await (cursor.limit(limit) if limit else cursor).to_list():
            merged.setdefault(row["_id"], row)
    rows = sorted(merged.values(), key=lambda row: row["partner_order"], reverse=True)
    return rows[:limit] if limit else rows


def _next_span(span: timedelta, rows: int, found: int, examined: int, wanted: int) -> timedelta:
    """Wide enough for the rows still wanted at the density and hit rate seen so far, never
    wider than `WINDOW_ROWS` at that density nor more than `LARGEST_GROWTH` times."""
    if rows == 0:
        return span * LARGEST_GROWTH
    hit_rate = max(found, 1) / max(examined, 1)
    per_second = rows / span.total_seconds()
    needed_rows = min((wanted - found) / hit_rate * 1.5, WINDOW_ROWS)
    seconds = needed_rows / per_second
    return max(span, min(timedelta(seconds=seconds), span * LARGEST_GROWTH))


def _estimated_total(
    found: int, examined: int, covered: timedelta, upper_time: datetime, exhausted: bool
) -> tuple[int, bool]:
    """Exact when every row below the cursor was examined; else the matches' density in the
    windows examined, extrapolated back to EARLIEST: an order of magnitude, not a count.
    (Counting is not cheap on SecantusDB: a count fetches every row of the key.)"""
    if exhausted:
        return found, False
    seconds = max(covered.total_seconds(), 1.0)
    whole = max((upper_time - EARLIEST).total_seconds(), seconds)
    return round(found * whole / seconds), True


def _shown(row: Document) -> Document:
    return {k: v for k, v in row.items() if k not in REFINEMENT_FIELDS and k != "partner_order"}


async def explain_partner_search(
    database: AsyncDatabase[Document], query: PartnerQuery, *, now: datetime
) -> Document:
    """The plan of the first window search_partners sends for the first driving key (tests
    and the benchmark)."""
    plan = partner_plan(query)
    first_key = PartnerPlan(plan.driving[:1])
    upper = query.after
    upper_time = _cursor_time(upper) if upper else now.replace(tzinfo=None)
    explanation: Document = await database.command(
        "explain",
        {
            "find": TEACHERS,
            "filter": window_filter(first_key, upper, upper_time - FIRST_WINDOW),
            "sort": {"partner_order": -1},
            **({} if plan.refined else {"limit": query.page_size + 1}),
        },
        verbosity="executionStats",
    )
    return explanation


def scanned_indexes(explanation: Any) -> list[str]:
    """Every index an explain output says is scanned, wherever its shape puts the plan."""
    if isinstance(explanation, list):
        return [name for item in explanation for name in scanned_indexes(item)]
    if not isinstance(explanation, dict):
        return []
    found = [explanation["indexName"]] if explanation.get("stage") == "IXSCAN" else []
    for key, value in explanation.items():
        if key != "rejectedPlans":
            found += scanned_indexes(value)
    return found
