"""The yearly EQL round at the platform's size: generate a year of granted NQLs (default
25,000 across the 46 countries) in the awards database as the NQL flow leaves them, then time
the round as the service runs it: opening and closing through the job path (submitted as the
routes do, run by an awards job worker in a process of its own, whose peak RSS is reported;
services/awards/eql/service_layer/jobs.py): opening (the candidate scan and its snapshot),
every NSO nominating its best candidates up to its quota (one
transaction each, four countries at a time), and closing (labels, certificates and two outbox
events per recipient, in batches). Prints ONE line of JSON.

    .venv/bin/python -m bench.eql_round                  # 25,000 NQLs, 46 countries
    .venv/bin/python -m bench.eql_round --nqls 2000      # a quick run

Without --mongodb-url an embedded SecantusDB is started and connected with retryWrites=false
(its retryable-write table makes writes O(n) otherwise); SecantusDB is far slower than mongod,
so compare runs on the same machine and server only. The outbox relay does not run here: the
events stay pending and are counted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from bench._embedded import database_url
from services.awards.config import DEFAULT_EQL_POLICY
from services.awards.eql.adapters.policy_file import load_eql_policy
from services.awards.eql.adapters.repository import (
    ASSESSMENTS,
    FOUNDERS,
    LABELS,
    NOMINATIONS,
    QUOTAS,
    ROUNDS,
    delete_snapshot,
    ensure_eql_indexes,
)
from services.awards.eql.domain.model import NominationRefused
from services.awards.eql.domain.review import NominationReview
from services.awards.eql.service_layer import candidates
from services.awards.eql.service_layer import use_cases as rounds
from services.awards.eql.service_layer.jobs import CLOSE_ROUND, OPEN_ROUND
from services.awards.nql.adapters.repository import (
    APPLICATIONS,
    PROJECTS,
    NqlRepository,
    ensure_indexes,
)
from services.awards.nql.domain.model import application_id
from services.registration.domain.countries import PARTICIPATING_COUNTRIES
from shared.clock import SystemClock
from shared.jobs import store
from shared.jobs.store import ensure_job_indexes
from shared.logging import configure_logging
from shared.storage.mongo import OUTBOX, create_client, ensure_core_indexes
from shared.storage.unit_of_work import Transaction, UnitOfWork

YEAR = 2026
COUNTRIES = sorted(PARTICIPATING_COUNTRIES)
CLOCK = SystemClock()  # the round runs at the machine's time, as the service would


def a_year(nqls: int, rng: random.Random, period: tuple[datetime, datetime]) -> dict[str, Any]:
    """Projects of 2 to 8 members from 2 to 5 countries; each member holds an NQL with
    probability 0.55 (a few are refused), until `nqls` NQLs are granted. About 3 % of the
    projects have founders from one country (R-EQL-2)."""
    start, end = period
    span = (end - start).total_seconds()
    projects: list[dict[str, Any]] = []
    founders: list[dict[str, Any]] = []
    applications: list[dict[str, Any]] = []
    granted = 0
    while granted < nqls:
        number = len(projects)
        project_id = f"prj_{number:06d}"
        countries = rng.sample(COUNTRIES, rng.randint(2, 5))
        national = rng.random() < 0.03
        founder_countries = [countries[0]] * 2 if national else countries[:2]
        size = rng.randint(max(2, len(countries)), 8)
        members = [
            {"teacher_id": f"t_{number:06d}_{i}", "school_id": f"s_{number:06d}_{i}",
             "school_name": f"School {number}-{i}",
             "country": founder_countries[i] if i < 2 else rng.choice(countries)}
            for i in range(size)
        ]  # fmt: skip
        decided = start + timedelta(seconds=rng.uniform(0, span - 1))
        projects.append(
            {"_id": project_id, "project_id": project_id, "title": f"Project {number}",
             "project_type": "NATIONAL" if national else "EUROPEAN", "members": members,
             "completed_at": decided}
        )  # fmt: skip
        founders.append({"_id": project_id, "founder_countries": founder_countries})
        quality = rng.gauss(22, 4)  # projects differ: most of their NQLs score alike
        for member in members:
            if rng.random() >= 0.55 or granted >= nqls:
                continue
            total = max(0, min(30, round(rng.gauss(quality, 2))))
            status = "GRANTED" if total >= 15 else "REFUSED"
            granted += status == "GRANTED"
            applications.append(
                {"_id": application_id(project_id, member["teacher_id"]),
                 "project_id": project_id, "project_title": f"Project {number}",
                 "teacher_id": member["teacher_id"], "country": member["country"],
                 "status": status, "opened_at": decided,
                 "decision": {"decision": {"outcome": status, "total": total},
                              "decided_at": decided, "decided_by": "bench", "summary": ""}}
            )  # fmt: skip
    return {"projects": projects, "founders": founders, "applications": applications}


async def insert_batched(collection: Any, documents: list[dict[str, Any]], size: int) -> None:
    for i in range(0, len(documents), size):
        await collection.insert_many(documents[i : i + size], ordered=False)


async def nominate_for(
    uow: UnitOfWork, policy: Any, country: str, snapshot_id: str, counts: dict[str, int]
) -> None:
    """What an NSO does: its candidates, best average first, nominated up to its quota."""
    database = uow.database
    counter = await database[QUOTAS].find_one({"_id": f"{rounds.eql.round_id(YEAR)}:{country}"})
    if counter is None or counter["quota"] == 0:
        return
    cursor = (
        database[ASSESSMENTS]
        .find({"snapshot_id": snapshot_id, "candidate": True, "countries": country})
        .sort([("average", -1), ("project_id", 1)])
    )
    used = 0
    async for candidate in cursor:
        if used >= counter["quota"] or candidate["average"] <= policy.nomination.min_average:
            break
        nomination_id = f"{counter['round_id']}:{candidate['project_id']}"
        if await database[NOMINATIONS].find_one({"_id": nomination_id}, {"_id": 1}):
            continue  # shown as nominated by another NSO: one nomination is enough
        command = rounds.Nominate(YEAR, candidate["project_id"], country, f"nso:{country}")
        try:
            await rounds.nominate(uow, policy, command, CLOCK)
        except NominationRefused as refused:
            key = refused.rule or refused.code
            counts[key] = counts.get(key, 0) + 1
            continue
        used += 1
        counts["nominated"] = counts.get("nominated", 0) + 1


async def run_job(
    url: str,
    database_name: str,
    uow: UnitOfWork,
    kind: str,
    args: argparse.Namespace,
    year: int = YEAR,
    force: bool = False,
) -> dict[str, Any]:
    """Submit the job as the route does, and let an awards worker process run it."""
    params = {"year": year, **({"force": 1} if force else {})}
    job, _ = await store.submit(
        uow, kind, params, {"subject": "css:bench", "role": "css"}, datetime.now(UTC)
    )
    worker = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench._job_worker", url, database_name, job["_id"],
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "EQL_CLOSE_BATCH_PROJECTS": str(args.close_batch)},
    )  # fmt: skip
    out, _ = await worker.communicate()
    outcome: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    assert outcome["status"] == "succeeded", outcome
    return outcome


async def run(args: argparse.Namespace) -> dict[str, Any]:
    configure_logging("bench", json=True, level="WARNING")
    rng = random.Random(args.seed)
    policy = load_eql_policy(DEFAULT_EQL_POLICY)
    year = a_year(args.nqls, rng, policy.period.bounds(YEAR))
    async with database_url(args.mongodb_url) as url:
        client = create_client(url, "bench")
        database = client[f"bench_eql_{int(time.time())}"]
        await ensure_core_indexes(database)
        await ensure_indexes(database)
        await ensure_eql_indexes(database)
        await ensure_job_indexes(database)
        uow = UnitOfWork(client, database, "awards")

        began = time.perf_counter()
        await insert_batched(database[PROJECTS], year["projects"], args.batch)
        await insert_batched(database[FOUNDERS], year["founders"], args.batch)
        await insert_batched(database[APPLICATIONS], year["applications"], args.batch)
        loaded = time.perf_counter()

        db_name = database.name
        opening = await run_job(url, db_name, uow, OPEN_ROUND, args)
        open_done = time.perf_counter()
        opened = await database[ROUNDS].find_one({"_id": rounds.eql.round_id(YEAR)})
        assert opened is not None, opening

        counts: dict[str, int] = {}
        gate = asyncio.Semaphore(args.concurrency)

        async def one_country(country: str) -> None:
            async with gate:
                await nominate_for(uow, policy, country, opened["snapshot_id"], counts)

        await asyncio.gather(*(one_country(c) for c in COUNTRIES))
        nominated = time.perf_counter()

        # figures kept current: the check when nothing changed, the recomputation when an
        # NQL was decided since
        await candidates.refresh_if_stale(uow, policy, YEAR)
        unchanged = time.perf_counter()
        one_more = dict(year["applications"][0])
        one_more["_id"] = "bench-one-more"
        one_more["decision"] = {**one_more["decision"], "decided_at": policy.period.bounds(YEAR)[0]}

        async def decide(tx: Transaction) -> None:  # as the decision's transaction writes it
            await tx.collection(APPLICATIONS).insert_one(one_more, session=tx.session)
            await NqlRepository(tx).count_decision(
                one_more["decision"]["decided_at"], one_more["project_id"]
            )

        await uow.run(decide)
        check_done = time.perf_counter()
        await candidates.refresh_if_stale(uow, policy, YEAR)  # folds in that one project
        refresh_seconds = time.perf_counter() - check_done
        full_began = time.perf_counter()
        full = await candidates.compute(database, policy, YEAR)  # what it replaced, for scale
        full_done = time.perf_counter()
        await delete_snapshot(database, full.snapshot_id)
        refreshed = time.perf_counter()

        # the CSS confirms every nomination, 500 per request (R-EQL-5), then closes by forcing
        ids = [n["project_id"] async for n in database[NOMINATIONS].find({}, {"project_id": 1})]
        for i in range(0, len(ids), 500):
            verdicts = [
                NominationReview(project_id=p, outcome="CONFIRMED") for p in ids[i : i + 500]
            ]
            await rounds.review_nominations(
                uow, rounds.ReviewNominations(YEAR, verdicts, "css:bench"), CLOCK
            )
        reviewed = time.perf_counter()

        closing = await run_job(url, db_name, uow, CLOSE_ROUND, args, force=True)
        close_done = time.perf_counter()
        closed = await database[ROUNDS].find_one({"_id": rounds.eql.round_id(YEAR)})
        assert closed is not None and closed["status"] == "CLOSED", closing

        quotas = [q async for q in database[QUOTAS].find({})]
        over_quota = [q["_id"] for q in quotas if q["used"] > q["quota"]]
        result = {
            "bench": "eql_round",
            "server": "mongodb" if args.mongodb_url else "secantusdb (embedded, retryWrites=false)",
            "granted_nqls": sum(a["status"] == "GRANTED" for a in year["applications"]),
            "refused_nqls": sum(a["status"] == "REFUSED" for a in year["applications"]),
            "countries_with_nql": len(quotas),
            "projects_with_nql": opened["projects_with_nql"],
            "candidates": opened["candidate_count"],
            "quota_total": sum(q["quota"] for q in quotas),
            "nominations": counts.get("nominated", 0),
            "nominations_refused_by_rule": {k: v for k, v in counts.items() if k != "nominated"},
            "over_quota_countries": over_quota,
            "awarded_projects": closed["awarded_projects"],
            "eql_recipients": closed["recipients"],
            "labels_in_collection": await database[LABELS].count_documents({}),
            "outbox_events_pending": await database[OUTBOX].count_documents({}),
            "load_seconds": round(loaded - began, 1),
            "open_round_seconds": round(open_done - loaded, 2),
            "nominate_seconds": round(nominated - open_done, 1),
            "nominations_per_second": round(
                counts.get("nominated", 0) / max(nominated - open_done, 1e-9), 1
            ),
            "unchanged_check_seconds": round(unchanged - nominated, 3),
            "refresh_after_a_decision_seconds": round(refresh_seconds, 3),
            "full_recomputation_seconds": round(full_done - full_began, 2),
            "review_seconds": round(reviewed - refreshed, 1),
            "close_round_seconds": round(close_done - reviewed, 1),
            "close_batch_projects": args.close_batch,
            "open_job_worker_seconds": opening["worker_seconds"],
            "open_job_phases_seconds": opening["result"].get("seconds"),
            "close_job_worker_seconds": closing["worker_seconds"],
            "awards_worker_peak_rss_mb": {
                "open": opening["peak_rss_mb"],
                "close": closing["peak_rss_mb"],
            },
            "through": "jobs: POST answers 202; an awards job worker process runs the job",
        }
        await client.drop_database(database.name)
        await client.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nqls", type=int, default=25_000, help="granted NQLs in the year")
    parser.add_argument("--batch", type=int, default=1000, help="documents per insert_many")
    parser.add_argument("--close-batch", type=int, default=100, help="projects per transaction")
    parser.add_argument("--concurrency", type=int, default=4, help="NSOs nominating at once")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--mongodb-url", default=None, help="default: embedded SecantusDB")
    print(json.dumps(asyncio.run(run(parser.parse_args())), ensure_ascii=False))


if __name__ == "__main__":
    main()
