"""The School Label eligibility run at the platform's size, through the job path: schools,
teachers and a year of granted NQLs loaded in bulk into the awards database as the event
handlers leave them, then the run submitted as the route does and run by an awards job worker
in a process of its own (bench/_job_worker.py: elapsed time and peak RSS). Prints ONE line of
JSON, with the `awards.school_label.eligible` events queued in the outbox (each is the
notifications of one newly eligible school: e-mail and inbox to its registered eTwinners).

    .venv/bin/python -m bench.school_label_round                 # 295,000 schools, 1.2 M teachers
    .venv/bin/python -m bench.school_label_round --fraction 0.1  # a tenth of every figure

Without --mongodb-url an embedded SecantusDB is started (retryWrites=false), as in
bench/eql_round.py.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from datetime import UTC, datetime, timedelta
from datetime import time as day_time
from typing import Any

from bench._embedded import database_url
from bench.eql_round import COUNTRIES, insert_batched, run_job
from services.awards.config import DEFAULT_SCHOOL_LABEL_POLICY
from services.awards.nql.adapters.repository import APPLICATIONS, ensure_indexes
from services.awards.school_label.adapters.policy_file import load_school_label_policy
from services.awards.school_label.adapters.repository import (
    ELIGIBILITY,
    SCHOOLS,
    TEACHERS,
)
from services.awards.school_label.adapters.repository import (
    ensure_indexes as ensure_school_label_indexes,
)
from services.awards.school_label.service_layer.jobs import ELIGIBILITY_RUN
from shared.jobs.store import ensure_job_indexes
from shared.logging import configure_logging
from shared.storage.mongo import OUTBOX, create_client, ensure_core_indexes
from shared.storage.unit_of_work import UnitOfWork

YEAR = 2026


def at(day: Any) -> datetime:
    return datetime.combine(day, day_time(12), tzinfo=UTC)


def a_platform(args: argparse.Namespace, rng: random.Random, dates: Any) -> dict[str, Any]:
    """Schools registered over ten years; teachers spread over them (4 on average), most
    validated, half of those validated since the round's activity date; NQLs granted in the
    round's window to teachers of 1 school in 6 (about 3 per such school)."""
    schools_n = int(args.schools * args.fraction)
    teachers_n = int(args.teachers * args.fraction)
    nqls_n = int(args.nqls * args.fraction)
    cut_off, active_since = at(dates.registered_on_or_before), at(dates.teachers_active_since)
    window_from, window_until = at(dates.nql_granted_from), at(dates.nql_granted_until)
    schools = []
    for n in range(schools_n):
        registered = cut_off - timedelta(days=rng.uniform(-400, 3000))
        schools.append(
            {"_id": f"s{n:07d}", "school_id": f"s{n:07d}", "name": f"School {n}",
             "country": rng.choice(COUNTRIES), "registered_at": registered}
        )  # fmt: skip
    teachers = []
    for n in range(teachers_n):
        school = schools[rng.randrange(schools_n)]
        validated = rng.random() < 0.8
        since = active_since + timedelta(days=rng.uniform(-700, 300))
        teachers.append(
            {"_id": f"t{n:07d}", "teacher_id": f"t{n:07d}", "school_id": school["_id"],
             "country": school["country"], "status": "VALIDATED" if validated else "REGISTERED",
             "registered_at": since - timedelta(days=10),
             "validated_at": since if validated else None, "as_of": since}
        )  # fmt: skip
    applications = []
    span = (window_until - window_from).total_seconds()
    for n in range(nqls_n):
        teacher = teachers[rng.randrange(min(teachers_n, teachers_n // 6 * 6 or teachers_n))]
        decided = window_from + timedelta(seconds=rng.uniform(0, span))
        project_id = f"p{n // 3:07d}"
        applications.append(
            {"_id": f"{project_id}:{teacher['_id']}:{n}", "project_id": project_id,
             "project_title": f"Project {n // 3}", "teacher_id": teacher["_id"],
             "school_id": teacher["school_id"], "country": teacher["country"],
             "status": "GRANTED", "submitted_at": decided - timedelta(days=30),
             "decision": {"decision": {"outcome": "GRANTED", "total": 25},
                          "decided_at": decided, "decided_by": "bench", "summary": ""}}
        )  # fmt: skip
    return {"schools": schools, "teachers": teachers, "applications": applications}


async def run(args: argparse.Namespace) -> dict[str, Any]:
    configure_logging("bench", json=True, level="WARNING")
    rng = random.Random(args.seed)
    policy = load_school_label_policy(DEFAULT_SCHOOL_LABEL_POLICY)
    dates = policy.round(YEAR)
    platform = a_platform(args, rng, dates)
    async with database_url(args.mongodb_url) as url:
        client = create_client(url, "bench")
        database = client[f"bench_school_label_{int(time.time())}"]
        await ensure_core_indexes(database)
        await ensure_indexes(database)
        await ensure_school_label_indexes(database)
        await ensure_job_indexes(database)
        uow = UnitOfWork(client, database, "awards")
        began = time.perf_counter()
        for collection, key in ((SCHOOLS, "schools"), (TEACHERS, "teachers"),
                                (APPLICATIONS, "applications")):  # fmt: skip
            await insert_batched(database[collection], platform[key], args.batch)
        loaded = time.perf_counter()
        outcome = await run_job(url, database.name, uow, ELIGIBILITY_RUN, args, year=YEAR)
        ran = time.perf_counter()
        result = outcome["result"]
        eligible_events = await database[OUTBOX].count_documents(
            {"event_type": "awards.school_label.eligible"}
        )
        figures = {
            "bench": "school_label_round",
            "server": "mongodb" if args.mongodb_url else "secantusdb (embedded, retryWrites=false)",
            "fraction": args.fraction,
            "schools": len(platform["schools"]),
            "teachers": len(platform["teachers"]),
            "granted_nqls": len(platform["applications"]),
            "candidates": result["candidates"],
            "newly_eligible": result["newly_eligible"],
            "not_eligible": result["not_eligible"],
            "eligible_recorded": await database[ELIGIBILITY].count_documents({}),
            "eligible_events_queued": eligible_events,
            "load_seconds": round(loaded - began, 1),
            "eligibility_run_seconds": round(ran - loaded, 1),
            "job_worker_seconds": outcome["worker_seconds"],
            "awards_worker_peak_rss_mb": outcome["peak_rss_mb"],
            "awards_worker_rss_mb_samples": outcome["rss_mb_every_second"],
        }
        await client.drop_database(database.name)
        await client.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, default=295_000)
    parser.add_argument("--teachers", type=int, default=1_200_000)
    parser.add_argument("--nqls", type=int, default=25_000, help="granted NQLs in the window")
    parser.add_argument("--fraction", type=float, default=1.0, help="scale every figure")
    parser.add_argument("--batch", type=int, default=5000, help="documents per insert_many")
    parser.add_argument("--close-batch", type=int, default=100, help="(unused here)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--mongodb-url", default=None, help="default: embedded SecantusDB")
    print(json.dumps(asyncio.run(run(parser.parse_args())), ensure_ascii=False))


if __name__ == "__main__":
    main()
