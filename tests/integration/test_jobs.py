"""The job mechanism (shared/jobs) against the real database: one job per operation while it
runs, checkpointed steps whose effects commit once, two workers never running one job at
once, cancellation at a step, and the finished event in the outbox."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from shared.events.awards import job_finished
from shared.jobs import store
from shared.jobs.runner import JobWorker, RunningJob, cancel
from shared.storage.mongo import OUTBOX, ensure_core_indexes
from shared.storage.unit_of_work import Transaction, UnitOfWork
from tests.support.probes import eventually

pytestmark = [pytest.mark.integration]
ASKED = {"subject": "css:tests", "role": "css"}


def now() -> datetime:
    return datetime.now(UTC)


class Counting:
    """Writes one effect document per step (keyed by step number, inserted: a second write
    of one step would fail), `steps` steps; records which worker ran each step."""

    name = "test.counting"

    def __init__(self, steps: int, pause: float = 0.0, gate: asyncio.Event | None = None) -> None:
        self.steps = steps
        self.pause = pause
        self.gate = gate
        self.running: set[str] = set()
        self.overlaps = 0

    async def run(self, job: RunningJob) -> Mapping[str, Any]:
        if job.id in self.running:  # another worker runs this very job now
            self.overlaps += 1
        self.running.add(job.id)
        try:
            start = int(job.state.get("next", 0))
            for number in range(start, self.steps):
                if self.gate is not None:
                    await self.gate.wait()
                await asyncio.sleep(self.pause)

                async def effect(tx: Transaction, number: int = number) -> None:
                    await tx.collection("effects").insert_one(
                        {"_id": f"{job.id}:{number}", "job_id": job.id}, session=tx.session
                    )

                await job.step(
                    effect,
                    done=number + 1,
                    total=self.steps,
                    step="counting",
                    state={"next": number + 1},
                )
            return {"steps": self.steps}
        finally:
            self.running.discard(job.id)


async def _uow(client: AsyncMongoClient[Any]) -> UnitOfWork:
    database = client[f"jobs_{uuid.uuid4().hex[:8]}"]
    await ensure_core_indexes(database)
    await store.ensure_job_indexes(database)
    await database.create_collection("effects")
    return UnitOfWork(client, database, "awards")


def _worker(uow: UnitOfWork, kind: Counting, lease: float = 30.0) -> JobWorker:
    return JobWorker(uow, [kind], job_finished, now, lease_seconds=lease, retry_seconds=0.1)


async def test_the_same_operation_twice_while_it_runs_is_one_job(
    mongo_client: AsyncMongoClient[Any],
) -> None:
    uow = await _uow(mongo_client)
    answers = await asyncio.gather(
        *(store.submit(uow, "test.counting", {"year": 2026}, ASKED, now()) for _ in range(4))
    )
    assert len({job["_id"] for job, _ in answers}) == 1
    assert sum(created for _, created in answers) == 1
    other, created = await store.submit(uow, "test.counting", {"year": 2027}, ASKED, now())
    assert created and other["_id"] != answers[0][0]["_id"]

    await _worker(uow, Counting(3)).work_once()
    _, created = await store.submit(uow, "test.counting", {"year": 2026}, ASKED, now())
    assert created, "once finished, the operation may run again as a new job"


async def test_a_job_runs_its_steps_once_and_tells_its_end(
    mongo_client: AsyncMongoClient[Any],
) -> None:
    uow = await _uow(mongo_client)
    job, _ = await store.submit(uow, "test.counting", {"year": 2026}, ASKED, now())
    assert await _worker(uow, Counting(5)).work_once() == 1

    done = await store.job(uow.database, job["_id"])
    assert done is not None
    assert (done["status"], done["progress"]["done"], done["progress"]["total"]) == (
        "succeeded",
        5,
        5,
    )
    assert done["result"] == {"steps": 5} and done["finished_at"] is not None
    assert await uow.database["effects"].count_documents({"job_id": job["_id"]}) == 5
    [event] = [e async for e in uow.database[OUTBOX].find({"event_type": "awards.job.finished"})]
    payload = event["envelope"]["payload"]
    assert (payload["job_id"], payload["status"], payload["done"]) == (job["_id"], "succeeded", 5)
    assert payload["requested_by"] == "css:tests"


async def test_two_workers_never_run_one_job_at_once_and_a_lost_lease_commits_nothing(
    mongo_client: AsyncMongoClient[Any],
) -> None:
    uow = await _uow(mongo_client)
    kind = Counting(6, pause=0.05)
    first, second = _worker(uow, kind, lease=30), _worker(uow, kind, lease=30)
    jobs = [(await store.submit(uow, "test.counting", {"n": n}, ASKED, now()))[0] for n in range(3)]
    await asyncio.gather(first.work_once(), second.work_once())
    assert kind.overlaps == 0  # the two workers ran different jobs at once, never one twice
    for job in jobs:
        assert await uow.database["effects"].count_documents({"job_id": job["_id"]}) == 6
        found = await store.job(uow.database, job["_id"])
        assert found is not None and found["status"] == "succeeded" and found["attempts"] == 1

    # a worker whose lease passed to another cannot commit a step (LeaseLost, rolled back)
    job, _ = await store.submit(uow, "test.counting", {"n": 9}, ASKED, now())
    claimed = await store.claim(uow.database, "old-owner", now(), timedelta(seconds=30))
    assert claimed is not None
    await uow.database[store.JOBS].update_one(
        {"_id": job["_id"]}, {"$set": {"lease_owner": "new-owner"}}
    )
    stale = RunningJob(claimed, uow, "old-owner", timedelta(seconds=30), now)

    async def effect(tx: Transaction) -> None:
        await tx.collection("effects").insert_one({"job_id": job["_id"]}, session=tx.session)

    with pytest.raises(store.LeaseLost):
        await stale.step(effect, done=1, total=1, step="x", state={"next": 1})
    assert await uow.database["effects"].count_documents({"job_id": job["_id"]}) == 0


async def test_cancellation_stops_a_running_job_at_its_next_step_and_a_queued_one_at_once(
    mongo_client: AsyncMongoClient[Any],
) -> None:
    uow = await _uow(mongo_client)
    queued, _ = await store.submit(uow, "test.counting", {"n": 1}, ASKED, now())
    cancelled = await cancel(uow, queued["_id"], job_finished, now())
    assert cancelled is not None and cancelled["status"] == "cancelled"

    gate = asyncio.Event()
    kind = Counting(10, gate=gate)
    worker = _worker(uow, kind)
    running, _ = await store.submit(uow, "test.counting", {"n": 2}, ASKED, now())
    task = asyncio.create_task(worker.work_once())

    async def claimed() -> bool:
        return (await store.job(uow.database, running["_id"]) or {}).get("status") == "running"

    await eventually(claimed, seconds=10, interval=0.01, what="the job claimed")
    marked = await cancel(uow, running["_id"], job_finished, now())
    assert marked is not None and marked["cancel_requested"] and marked["status"] == "running"
    gate.set()
    await task
    ended = await store.job(uow.database, running["_id"])
    assert ended is not None and ended["status"] == "cancelled"
    assert await uow.database["effects"].count_documents({"job_id": running["_id"]}) == 1
    statuses = [
        e["envelope"]["payload"]["status"]
        async for e in uow.database[OUTBOX].find({"event_type": "awards.job.finished"})
    ]
    assert sorted(statuses) == ["cancelled", "cancelled"]
