"""A job's worker SIGKILLed at a checkpoint and in the middle of a step (before its commit),
as real processes (bench/_job_worker.py, the awards job kinds): a fresh worker claims the job
once the lease runs out and completes the EQL round's closing with one label, one
certificate and one of each event per recipient."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from services.awards.bootstrap import ensure_all_indexes
from services.awards.eql.adapters.repository import EQL_CERTIFICATES, LABELS
from services.awards.eql.domain.review import NominationReview
from services.awards.eql.service_layer import use_cases as rounds
from services.awards.eql.service_layer.jobs import CLOSE_ROUND
from shared.clock import SystemClock
from shared.jobs import store
from shared.storage.mongo import OUTBOX, ensure_core_indexes
from shared.storage.unit_of_work import UnitOfWork
from tests.support.eql_helpers import YEAR, eql_policy, grant_nqls

pytestmark = [pytest.mark.integration, pytest.mark.slow]

PROJECTS = 8  # each with a Spanish and a Portuguese member holding an NQL: 16 recipients


async def _round_ready_to_close(client: AsyncMongoClient[Any]) -> UnitOfWork:
    database = client[f"jobs_fault_{uuid.uuid4().hex[:8]}"]
    await ensure_core_indexes(database)
    await ensure_all_indexes(database)
    uow = UnitOfWork(client, database, "awards")
    for i in range(2 * PROJECTS):  # 16 projects per country: quota 4 each
        await grant_nqls(database, f"p-{i:02}", [(f"es-{i}", "ES", 25), (f"pt-{i}", "PT", 25)])
    policy = eql_policy()
    await rounds.open_round(uow, policy, rounds.OpenRound(YEAR, "css:tests"), SystemClock())
    for i in range(PROJECTS):
        country = "ES" if i % 2 else "PT"
        await rounds.nominate(
            uow,
            policy,
            rounds.Nominate(YEAR, f"p-{i:02}", country, f"nso:{country}"),
            SystemClock(),
        )
    confirmed = [
        NominationReview(project_id=f"p-{i:02}", outcome="CONFIRMED") for i in range(PROJECTS)
    ]
    await rounds.review_nominations(
        uow, rounds.ReviewNominations(YEAR, confirmed, "css:tests"), SystemClock()
    )  # R-EQL-5: the closing awards confirmed nominations only
    return uow


async def _worker(url: str, database: str, job_id: str, **fault: str) -> int:
    env = {
        **os.environ,
        "EQL_CLOSE_BATCH_PROJECTS": "1",  # one project per step: many checkpoints
        "JOBS_LEASE_SECONDS": "2",
        **{key.upper(): value for key, value in fault.items()},
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench._job_worker", url, database, job_id,
        env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    return await asyncio.wait_for(process.wait(), timeout=120)


@pytest.mark.parametrize("point", ["job.after_checkpoint", "job.before_checkpoint_commit"])
async def test_a_closing_killed_at_a_checkpoint_or_mid_step_completes_once(
    point: str, mongo_client: AsyncMongoClient[Any], mongodb_url: str
) -> None:
    uow = await _round_ready_to_close(mongo_client)
    database = uow.database
    asked = {"subject": "css:tests", "role": "css"}
    job, _ = await store.submit(  # forced: the round's nomination deadline is ahead
        uow, CLOSE_ROUND, {"year": YEAR, "force": 1}, asked, datetime.now(UTC)
    )
    killed = await _worker(
        mongodb_url, database.name, job["_id"],
        etwinning_fault_point=point, etwinning_fault_skip="3",
    )  # fmt: skip
    assert killed == -signal.SIGKILL
    halfway = await store.job(database, job["_id"])
    assert halfway is not None and halfway["status"] == "running"
    expected_done = 3 if point == "job.after_checkpoint" else 2  # the 4th step: 3 projects
    assert halfway["state"].get("awarded", 0) == expected_done
    assert await database[LABELS].count_documents({}) == 2 * expected_done

    assert await _worker(mongodb_url, database.name, job["_id"]) == 0
    done = await store.job(database, job["_id"])
    assert done is not None and done["status"] == "succeeded", done
    assert done["attempts"] == 2
    assert done["result"]["recipients"] == 2 * PROJECTS
    labels = [d async for d in database[LABELS].find({})]
    assert len(labels) == 2 * PROJECTS == len({d["teacher_id"] for d in labels})
    assert await database[EQL_CERTIFICATES].count_documents({}) == 2 * PROJECTS

    async def events(event_type: str) -> list[dict[str, Any]]:
        return [e async for e in database[OUTBOX].find({"event_type": event_type})]

    awarded = await events("awards.eql.awarded")
    assert len(awarded) == 2 * PROJECTS
    assert len({e["envelope"]["payload"]["teacher_id"] for e in awarded}) == 2 * PROJECTS
    assert len(await events("awards.certificate.issued")) == 2 * PROJECTS
    assert len(await events("awards.eql.round_closed")) == 1
    [finished] = await events("awards.job.finished")
    assert finished["envelope"]["payload"]["status"] == "succeeded"
