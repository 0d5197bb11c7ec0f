"""A job worker of the awards service in a process of its own, as a replica runs it: claims
the jobs of a database until the given one has finished, then prints one line of JSON with
its peak RSS. Started by the round benchmarks (bench/eql_round.py, bench/school_label_round.py).

    python -m bench._job_worker MONGODB_URL DATABASE JOB_ID
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
import tracemalloc

from services.awards.config import AwardsSettings
from services.awards.eql.adapters.policy_file import load_eql_policy
from services.awards.eql.service_layer.jobs import CloseRoundJob, OpenRoundJob
from services.awards.school_label.adapters.policy_file import load_school_label_policy
from services.awards.school_label.service_layer.jobs import EligibilityRunJob
from shared.clock import SystemClock
from shared.events.awards import job_finished
from shared.jobs import store
from shared.jobs.runner import JobWorker
from shared.logging import configure_logging
from shared.storage.mongo import create_client
from shared.storage.unit_of_work import UnitOfWork


async def work(url: str, database_name: str, job_id: str) -> dict[str, object]:
    configure_logging("awards", json=True, level="WARNING")
    settings = AwardsSettings()
    clock = SystemClock()
    client = create_client(url, "awards")
    database = client[database_name]
    uow = UnitOfWork(client, database, "awards")
    worker = JobWorker(
        uow,
        [
            OpenRoundJob(load_eql_policy(settings.eql_policy_path), clock),
            CloseRoundJob(
                load_eql_policy(settings.eql_policy_path),
                clock,
                "http://awards",
                settings.eql_close_batch_projects,
            ),
            EligibilityRunJob(load_school_label_policy(settings.school_label_policy_path)),
        ],
        job_finished,
        clock.now,
        lease_seconds=settings.jobs_lease_seconds,
        retry_seconds=0.5,
    )
    began = time.perf_counter()
    samples: list[float] = []

    async def sample() -> None:
        while True:
            samples.append(status_mb("VmRSS"))
            await asyncio.sleep(1.0)

    sampler = asyncio.create_task(sample())
    while True:
        await worker.work_once()
        job = await store.job(database, job_id)
        assert job is not None
        if job["status"] in store.FINISHED:
            break
        await asyncio.sleep(0.2)
    elapsed = time.perf_counter() - began
    sampler.cancel()
    await client.close()
    return {
        "job_id": job_id,
        "status": job["status"],
        "error": job.get("error"),
        "result": job.get("result"),
        "worker_seconds": round(elapsed, 2),
        # VmHWM, not getrusage's ru_maxrss: that one survives exec, so it would report the
        # benchmark process this worker was forked from (its data and embedded server).
        "peak_rss_mb": round(status_mb("VmHWM"), 1),
        "rss_mb_every_second": [round(mb) for mb in samples[:: max(1, len(samples) // 20)]],
    }


def status_mb(field: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    url, database_name, job_id = sys.argv[1:4]
    tracing = os.environ.get("BENCH_TRACEMALLOC")
    if tracing:  # where the worker's memory goes: the top allocation sites, on stderr
        tracemalloc.start(int(tracing))
    print(json.dumps(asyncio.run(work(url, database_name, job_id)), default=str))
    if tracing:
        current, peak = tracemalloc.get_traced_memory()
        print(f"tracemalloc current {current >> 20} MB peak {peak >> 20} MB", file=sys.stderr)
        for stat in tracemalloc.take_snapshot().statistics("traceback")[:8]:
            print(stat, *stat.traceback.format()[-6:], sep="\n  ", file=sys.stderr)


if __name__ == "__main__":
    main()
