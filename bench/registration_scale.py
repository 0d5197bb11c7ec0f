"""Registration at the platform's size: load N teachers in N/4 schools into the registration
database through the bulk path (services/registration/adapters/bulk.py: domain checks, the
same documents and normalized keys as the write path, unique e-mail enforced by the index),
then time partner searches (the query GET /partners sends). Prints ONE line of JSON.

    .venv/bin/python -m bench.registration_scale --teachers 20000
    .venv/bin/python -m bench.registration_scale                 # 1,200,000: the 2025 size

The target is 1,200,000 teachers in 295,000 schools (about N/4). Without --mongodb-url an
embedded SecantusDB is started and connected with retryWrites=false (its retryable-write table
makes writes O(n) otherwise); SecantusDB is far slower than mongod, so compare runs on the same
machine and server only. About 1 teacher in 1,000 reuses an e-mail on purpose: the unique index
must refuse it (reported as rejected_duplicates).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from pymongo import AsyncMongoClient

from bench._embedded import database_url, percentile
from services.registration.adapters.bulk import LoadResult, load_schools, load_teachers
from services.registration.adapters.partner_search import (
    PartnerQuery,
    explain_partner_search,
    scanned_indexes,
    search_partners,
)
from services.registration.adapters.repository import TEACHERS, ensure_indexes
from services.registration.domain.countries import PARTICIPATING_COUNTRIES
from services.registration.domain.model import STAFF_ROLES, School, Teacher

NOW = datetime(2025, 9, 1, tzinfo=UTC)
COUNTRIES = sorted(PARTICIPATING_COUNTRIES)
SUBJECTS = ["Mathematics", "Physics", "Chemistry", "Biology", "History", "Geography", "Art",
            "Music", "English", "French", "German", "Spanish", "ICT", "Physical education",
            "Literature", "Philosophy", "Economics", "Religion", "Primary",
            "Pre-school"]  # fmt: skip
LANGUAGES = ["en", "fr", "de", "es", "it", "pt", "pl", "ro", "tr", "el", "nl", "uk", "sr", "hr"]
SYLLABLES = ["an", "ber", "ca", "dor", "el", "fa", "gon", "ha", "is", "jo", "ka", "lu", "mar",
             "ne", "or", "pe", "qui", "ra", "sa", "to", "ur", "va", "wen", "xa", "yil",
             "zo"]  # fmt: skip
SCHOOL_KINDS = ["Escola", "Liceo", "Gymnasium", "Lycée", "IES", "Szkoła", "Anadolu Lisesi",
                "Primary School", "Osnovna škola", "Colegio"]  # fmt: skip


def word(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def schools(count: int, rng: random.Random) -> Iterator[School]:
    for i in range(count):
        country = rng.choice(COUNTRIES)
        name = f"{rng.choice(SCHOOL_KINDS)} {word(rng, 3)} {i}"
        yield School.register(f"sch_{i:07d}", name, word(rng, 2), country, NOW)


def teachers(count: int, all_schools: list[School], rng: random.Random) -> Iterator[Teacher]:
    email = ""
    for i in range(count):
        school = all_schools[i % len(all_schools)]
        first, last = word(rng, 2), word(rng, 3)
        if i % 1000 != 999:  # else the previous teacher's e-mail again: must be refused
            email = f"{first.lower()}.{last.lower()}.{i}@example.org"
        age_min = rng.randrange(3, 17)
        teacher = Teacher.apply(
            teacher_id=f"tch_{i:08d}", name=f"{first} {last}", email=email,
            role=rng.choice(STAFF_ROLES), language=rng.choice(LANGUAGES), school=school,
            now=NOW, subjects=rng.sample(SUBJECTS, 2), languages=rng.sample(LANGUAGES, 2),
            pupil_age_min=age_min, pupil_age_max=min(age_min + rng.randrange(1, 5), 19),
        )  # fmt: skip
        if rng.random() < 0.85:  # most teachers on the platform are validated
            teacher.validate(by_country=school.country, school=school, now=NOW)
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


def queries(count: int, rng: random.Random) -> Iterator[tuple[str, PartnerQuery]]:
    kinds = ["country", "country+subject", "language+age", "prefix", "long_prefix", "page_5"]
    for i in range(count):
        kind = kinds[i % len(kinds)]
        syllables = rng.choice(SYLLABLES) + rng.choice(SYLLABLES)
        yield (
            kind,
            {
                "country": PartnerQuery(country=rng.choice(COUNTRIES)),
                "country+subject": PartnerQuery(
                    country=rng.choice(COUNTRIES), subject=rng.choice(SUBJECTS)
                ),
                "language+age": PartnerQuery(
                    language=rng.choice(LANGUAGES), age_from=12, age_to=15
                ),
                "prefix": PartnerQuery(prefix=syllables),
                "long_prefix": PartnerQuery(prefix=syllables + rng.choice(SYLLABLES) + "a"),
                "page_5": PartnerQuery(country=rng.choice(COUNTRIES), page=5),
            }[kind],
        )


async def run(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    school_count = max(1, args.teachers // 4)
    async with database_url(args.mongodb_url) as url:
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url, tz_aware=True)
        database = client[f"bench_registration_{int(time.time())}"]
        await ensure_indexes(database)  # load under the service's own indexes

        started = time.perf_counter()
        all_schools = list(schools(school_count, rng))
        school_result, teacher_result = LoadResult(), LoadResult()
        for batch in batched(iter(all_schools), args.batch):
            school_result.add(await load_schools(database, batch))
        schools_done = time.perf_counter()
        for batch in batched(teachers(args.teachers, all_schools, rng), args.batch):
            teacher_result.add(await load_teachers(database, batch))
        loaded = time.perf_counter()

        latencies: dict[str, list[float]] = defaultdict(list)
        for kind, query in queries(args.searches, rng):
            begin = time.perf_counter()
            await search_partners(database, query)
            latencies[kind].append((time.perf_counter() - begin) * 1000)
        every = [value for values in latencies.values() for value in values]
        plans = {
            kind: sorted(set(scanned_indexes(await explain_partner_search(database, query))))
            for kind, query in queries(6, random.Random(0))
        }
        documents = await database[TEACHERS].estimated_document_count()
        await client.drop_database(database.name)
        await client.close()

    load_seconds = loaded - started
    return {
        "bench": "registration_scale",
        "server": "mongodb" if args.mongodb_url else "secantusdb (embedded, retryWrites=false)",
        "teachers_requested": args.teachers,
        "schools": school_result.inserted,
        "teachers_loaded": teacher_result.inserted,
        "teachers_in_collection": documents,
        "rejected_duplicate_emails": teacher_result.rejected_duplicates,
        "load_seconds": round(load_seconds, 1),
        "schools_per_second": round(school_result.inserted / (schools_done - started), 1),
        "teachers_per_second": round(teacher_result.inserted / (loaded - schools_done), 1),
        "searches": len(every),
        "search_p50_ms": round(percentile(every, 0.50), 1),
        "search_p99_ms": round(percentile(every, 0.99), 1),
        "search_p50_ms_by_kind": {
            kind: round(percentile(values, 0.50), 1) for kind, values in latencies.items()
        },
        "index_by_kind": plans,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--teachers", type=int, default=1_200_000, help="N (schools: N/4)")
    parser.add_argument("--searches", type=int, default=300, help="partner searches timed")
    parser.add_argument("--batch", type=int, default=1000, help="documents per insert_many")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--mongodb-url", default=None, help="default: embedded SecantusDB")
    print(json.dumps(asyncio.run(run(parser.parse_args())), ensure_ascii=False))


if __name__ == "__main__":
    main()
