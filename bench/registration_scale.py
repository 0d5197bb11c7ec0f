"""Registration at the platform's size: load N teachers in N/4 schools into the registration
database through the bulk path (services/registration/adapters/bulk.py: the domain factories,
the same documents and search keys as the write path, unique e-mail enforced by the index),
then time partner searches of every kind and pair and school searches, the searches in a
separate process whose peak RSS is reported. Prints ONE line of JSON.

    .venv/bin/python -m bench.registration_scale --teachers 20000
    .venv/bin/python -m bench.registration_scale                 # 1,200,000: the 2025 size

SecantusDB runs in its own process (bench/_embedded.py: `server_process`), connected with
retryWrites=false; `--mongodb-url` runs against another server instead. Values are skewed as
on the platform: a few large countries, languages and subjects and many small ones (Zipf-like
weights); validations spread over 2005-2025, more in recent years. Queries draw half their
values from the same weights, half uniformly (rare values). About 1 teacher in 1,000 reuses an
e-mail on purpose: the unique index must refuse it (rejected_duplicate_emails). Each partner
kind is timed on its first page and on a later one (the third, reached by following `next`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from itertools import combinations
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient

from bench._embedded import peak_rss_mb, percentile, server_process
from services.registration.adapters.bulk import LoadResult, load_schools, load_teachers
from services.registration.adapters.partner_search import (
    PartnerQuery,
    explain_partner_search,
    search_partners,
)
from services.registration.adapters.repository import TEACHERS, ensure_indexes
from services.registration.adapters.school_search import SchoolQuery, search_schools
from services.registration.domain.countries import PARTICIPATING_COUNTRIES
from services.registration.domain.model import STAFF_ROLES, School, Teacher

NOW = datetime(2025, 9, 1, tzinfo=UTC)
FIRST_VALIDATION = datetime(2005, 1, 1, tzinfo=UTC)
LARGE_COUNTRIES = ["TR", "IT", "ES", "PL", "RO", "PT", "FR", "GR", "DE", "HR"]
COUNTRIES = LARGE_COUNTRIES + sorted(set(PARTICIPATING_COUNTRIES) - set(LARGE_COUNTRIES))
SUBJECTS = ["English", "Mathematics", "Primary", "ICT", "Physics", "Chemistry", "Biology",
            "History", "Geography", "Art", "Music", "French", "German", "Spanish",
            "Physical education", "Literature", "Philosophy", "Economics", "Religion",
            "Pre-school", "Latin", "Drama", "Robotics", "Astronomy"]  # fmt: skip
LANGUAGES = ["en", "tr", "it", "es", "pl", "ro", "fr", "pt", "el", "de", "hr", "nl", "uk", "sr",
             "bg", "cs", "sk", "sl", "lt", "lv", "et", "fi", "sv", "da", "hu", "mt", "ga",
             "is", "mk", "sq", "hy", "ka", "az"]  # fmt: skip
SYLLABLES = ["an", "ber", "ca", "dor", "el", "fa", "gon", "ha", "is", "jo", "ka", "lu", "mar",
             "ne", "or", "pe", "qui", "ra", "sa", "to", "ur", "va", "wen", "xa", "yil",
             "zo"]  # fmt: skip
SCHOOL_KINDS = ["Escola", "Liceo", "Gymnasium", "Lycée", "IES", "Szkoła", "Anadolu Lisesi",
                "Primary School", "Osnovna škola", "Colegio", "Scoala", "Ortaokulu"]  # fmt: skip


def zipf(values: list[Any], exponent: float = 1.1) -> list[float]:
    return [1 / (rank + 1) ** exponent for rank in range(len(values))]


COUNTRY_W, SUBJECT_W, LANGUAGE_W = zipf(COUNTRIES), zipf(SUBJECTS), zipf(LANGUAGES, 1.3)


def word(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def schools(count: int, rng: random.Random) -> Iterator[School]:
    for i in range(count):
        country = rng.choices(COUNTRIES, COUNTRY_W)[0]
        name = f"{rng.choice(SCHOOL_KINDS)} {word(rng, rng.randrange(2, 4))} {word(rng, 2)}"
        yield School.register(f"sch_{i:07d}", name, word(rng, 2), country, NOW)


def validated_at(rng: random.Random) -> datetime:
    """More validations in recent years (the platform grew)."""
    span = (NOW - FIRST_VALIDATION).total_seconds()
    return FIRST_VALIDATION + timedelta(seconds=span * rng.random() ** 0.5)


def teachers(count: int, all_schools: list[School], rng: random.Random) -> Iterator[Teacher]:
    email = ""
    for i in range(count):
        school = all_schools[rng.randrange(len(all_schools))]
        first, last = word(rng, 2), word(rng, 3)
        if i % 1000 != 999:  # else the previous teacher's e-mail again: must be refused
            email = f"{first.lower()}.{last.lower()}.{i}@example.org"
        age_min = rng.randrange(3, 17)
        when = validated_at(rng)
        teacher = Teacher.apply(
            teacher_id=f"tch_{i:08d}", name=f"{first} {last}", email=email,
            role=rng.choice(STAFF_ROLES), language=rng.choice(LANGUAGES), school=school,
            now=when - timedelta(days=2), subjects=list({*rng.choices(SUBJECTS, SUBJECT_W, k=2)}),
            languages=list({*rng.choices(LANGUAGES, LANGUAGE_W, k=2)}),
            pupil_age_min=age_min, pupil_age_max=min(age_min + rng.randrange(0, 4), 19),
        )  # fmt: skip
        if rng.random() < 0.85:  # most teachers on the platform are validated
            teacher.validate(by_country=school.country, school=school, now=when)
        yield teacher


def batched(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


CRITERIA = ("country", "subject", "language", "age", "prefix")
KINDS = [*CRITERIA, *("+".join(pair) for pair in combinations(CRITERIA, 2))]


def pick(rng: random.Random, values: list[Any], weights: list[float]) -> Any:
    return rng.choices(values, weights)[0] if rng.random() < 0.5 else rng.choice(values)


def partner_query(kind: str, rng: random.Random, prefixes: list[str]) -> PartnerQuery:
    parts = set(kind.split("+"))
    age_from = rng.randrange(3, 18)
    return PartnerQuery(
        country=pick(rng, COUNTRIES, COUNTRY_W) if "country" in parts else None,
        subject=pick(rng, SUBJECTS, SUBJECT_W) if "subject" in parts else None,
        language=pick(rng, LANGUAGES, LANGUAGE_W) if "language" in parts else None,
        age_from=age_from if "age" in parts else None,
        age_to=age_from + rng.randrange(0, 4) if "age" in parts else None,
        prefix=rng.choice(prefixes) if "prefix" in parts else None,
    )


def prefixes_of(all_schools: list[School], rng: random.Random, count: int) -> list[str]:
    """What people type: 3 to 10 characters of a word of a real school's name or town."""
    found = []
    for school in rng.sample(all_schools, count):
        text = rng.choice([school.name, school.town, school.name.split(" ", 1)[-1]])
        found.append(text[: rng.randrange(3, 11)].strip())
    return [prefix for prefix in found if len(prefix) >= 3]


async def load(args: argparse.Namespace, url: str, database_name: str) -> dict[str, Any]:
    rng = random.Random(args.seed)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url, tz_aware=True)
    database = client[database_name]
    await ensure_indexes(database)  # load under the service's own indexes
    started = time.perf_counter()
    all_schools = list(schools(max(1, args.teachers // 4), rng))
    school_result, teacher_result = LoadResult(), LoadResult()
    for batch in batched(iter(all_schools), args.batch):
        school_result.add(await load_schools(database, batch))
    schools_done = time.perf_counter()
    in_flight: asyncio.Task[LoadResult] | None = None
    for batch in batched(teachers(args.teachers, all_schools, rng), args.batch):
        # The next batch is built while the server writes the previous one.
        if in_flight is not None:
            teacher_result.add(await in_flight)
        in_flight = asyncio.create_task(load_teachers(database, batch))
        await asyncio.sleep(0.005)  # let the request leave before building the next batch
    if in_flight is not None:
        teacher_result.add(await in_flight)
    loaded = time.perf_counter()
    documents = await database[TEACHERS].estimated_document_count()
    args.prefixes = prefixes_of(all_schools, rng, 400)
    await client.close()
    return {
        "schools": school_result.inserted,
        "rejected_duplicate_schools": school_result.rejected_duplicates,
        "teachers_loaded": teacher_result.inserted,
        "teachers_in_collection": documents,
        "rejected_duplicate_emails": teacher_result.rejected_duplicates,
        "load_seconds": round(loaded - started, 1),
        "schools_per_second": round(school_result.inserted / (schools_done - started), 1),
        "teachers_per_second": round(teacher_result.inserted / (loaded - schools_done), 1),
    }


def summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "p50": round(percentile(values, 0.50), 1),
        "p95": round(percentile(values, 0.95), 1),
        "p99": round(percentile(values, 0.99), 1),
    }


async def searches(args: argparse.Namespace) -> dict[str, Any]:
    """The search phase, run in its own process (`--search-only`)."""
    rng = random.Random(args.seed + 1)
    prefixes: list[str] = args.prefixes
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(args.url, tz_aware=True)
    database = client[args.database]
    first: dict[str, list[float]] = defaultdict(list)
    later: dict[str, list[float]] = defaultdict(list)
    short_pages: dict[str, int] = defaultdict(int)
    for _ in range(args.per_kind):
        for kind in KINDS:
            query = partner_query(kind, rng, prefixes)
            begin = time.perf_counter()
            page = await search_partners(database, query, now=NOW)
            first[kind].append((time.perf_counter() - begin) * 1000)
            for _ in range(2):  # to the third page
                if page.next is None:
                    break
                query = PartnerQuery(**{**query.__dict__, "after": page.next})
                begin = time.perf_counter()
                page = await search_partners(database, query, now=NOW)
                short_pages[kind] += len(page.items) < query.page_size and page.next is not None
            else:
                later[kind].append((time.perf_counter() - begin) * 1000)
    school_times: dict[str, list[float]] = defaultdict(list)
    for _ in range(args.per_kind):
        school = rng.choice(prefixes)
        for shape, school_query in [
            ("name", SchoolQuery(school[:4])),
            ("country+name", SchoolQuery(school, pick(rng, COUNTRIES, COUNTRY_W))),
            ("country+town+name", SchoolQuery(school[:3], pick(rng, COUNTRIES, COUNTRY_W),
                                              rng.choice(prefixes)[:3])),
        ]:  # fmt: skip
            begin = time.perf_counter()
            await search_schools(database, school_query)
            school_times[shape].append((time.perf_counter() - begin) * 1000)
    plans = {}
    for kind in KINDS:
        explained = await explain_partner_search(
            database, partner_query(kind, random.Random(0), prefixes), now=NOW
        )
        stats = explained.get("executionStats", {})
        plan = explained.get("queryPlanner", {}).get("winningPlan", {})
        plans[kind] = {
            "stages": _stages(plan),
            "keys_examined": stats.get("totalKeysExamined"),
            "docs_examined": stats.get("totalDocsExamined"),
        }
    await client.close()
    every = [v for values in (*first.values(), *later.values()) for v in values]
    return {
        "partner_searches": len(every),
        "partner_all_ms": summary(every),
        "partner_first_page_ms": {kind: summary(first[kind]) for kind in KINDS},
        "partner_later_page_ms": {kind: summary(later[kind]) for kind in KINDS},
        "partner_short_pages_with_next": dict(short_pages),
        "school_search_ms": {shape: summary(v) for shape, v in school_times.items()},
        "first_window_plan_by_kind": plans,
        "search_process_peak_rss_mb": round(peak_rss_mb(), 1),
    }


def _stages(plan: dict[str, Any]) -> str:
    names = []
    while plan:
        names.append(
            plan.get("stage", "?") + (f"({plan['indexName']})" if "indexName" in plan else "")
        )
        plan = plan.get("inputStage", {})
    return " <- ".join(names)


def run(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as storage, ExitStack() as stack:
        if args.mongodb_url:
            url, server_pid = args.mongodb_url, None
        else:
            url, server_pid = stack.enter_context(server_process(storage))
        database_name = f"bench_registration_{int(time.time())}"
        args.prefix_file = f"{storage}/prefixes.json"
        loaded = asyncio.run(load(args, url, database_name))
        Path(args.prefix_file).write_text(json.dumps(args.prefixes))
        child = subprocess.run(
            [sys.executable, "-m", "bench.registration_scale", "--search-only",
             "--url", url, "--database", database_name, "--prefix-file", args.prefix_file,
             "--per-kind", str(args.per_kind), "--seed", str(args.seed)],
            capture_output=True, text=True,
        )  # fmt: skip
        if child.returncode != 0:
            raise RuntimeError(f"search phase failed:\n{child.stderr}")
        server_rss = peak_rss_mb(server_pid) if server_pid else None
    return {
        "bench": "registration_scale",
        "server": "mongodb" if args.mongodb_url else "secantusdb 0.7.0b3 (own process)",
        "teachers_requested": args.teachers,
        **loaded,
        **json.loads(child.stdout),
        "server_peak_rss_mb": round(server_rss, 1) if server_rss else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--teachers", type=int, default=1_200_000, help="N (schools: N/4)")
    parser.add_argument("--per-kind", type=int, default=200, help="queries timed per kind")
    parser.add_argument("--batch", type=int, default=1000, help="documents per insert_many")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--mongodb-url", default=None, help="default: SecantusDB, own process")
    parser.add_argument("--search-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--prefix-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.search_only:
        args.prefixes = json.loads(Path(args.prefix_file).read_text())
        print(json.dumps(asyncio.run(searches(args))))
        return
    print(json.dumps(run(args), ensure_ascii=False))


if __name__ == "__main__":
    main()
