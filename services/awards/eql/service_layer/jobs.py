"""The EQL round's long work as jobs (shared/jobs): opening (the candidate scan, the snapshot,
then the round) and closing (labels, certificates and events in batches, then CLOSED).

Each step commits its effects with the job's checkpoint, so a worker killed anywhere resumes
from the last committed step: the round is inserted once, each nominated project is awarded
once (its nomination is marked awarded in the batch's transaction), the round closes once.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from functools import partial
from typing import Any
from uuid import uuid4

from pymongo.errors import DuplicateKeyError

from services.awards.eql.adapters.repository import ASSESSMENTS, NOMINATIONS, write_snapshot
from services.awards.eql.domain import model as eql
from services.awards.eql.domain.policy import EqlPolicy
from services.awards.eql.service_layer import use_cases as rounds
from shared.clock import Clock
from shared.jobs.runner import RunningJob
from shared.storage.mongo import Document
from shared.storage.unit_of_work import Transaction

OPEN_ROUND = "eql.open_round"
CLOSE_ROUND = "eql.close_round"


class OpenRoundJob:
    """Steps: scanning (reads; a fresh snapshot id), the snapshot written outside
    transactions (idempotent under its id; a resumed run discards a partial one and writes
    anew), then one transaction: round, quota counters, awards.eql.round_opened, checkpoint."""

    name = OPEN_ROUND

    def __init__(self, policy: EqlPolicy, clock: Clock) -> None:
        self._policy = policy
        self._clock = clock

    async def run(self, job: RunningJob) -> Mapping[str, Any]:
        year = int(job.params["year"])
        command = rounds.OpenRound(year=year, opened_by=str(job.requested_by.get("subject")))
        await rounds.refuse_second_round(job.uow, year)
        stale = job.state.get("snapshot_id")
        if stale:  # a run that died while writing its snapshot: nothing points at it
            await job.database[ASSESSMENTS].delete_many({"snapshot_id": stale})
        snapshot_id = uuid4().hex
        await job.step(
            None, done=0, total=3, step="scanning NQL decisions", state={"snapshot_id": snapshot_id}
        )
        began = time.perf_counter()
        prepared = await rounds.assess_year(job.uow, self._policy, year)
        scanned = time.perf_counter()
        await job.report(done=1, total=3, step=f"writing {len(prepared.assessments)} assessments")
        await write_snapshot(
            job.database, snapshot_id, prepared.round_id, year, prepared.assessments
        )
        written = time.perf_counter()
        document = rounds.round_document(
            self._policy, command, prepared, snapshot_id, self._clock.now()
        )

        async def commit(tx: Transaction) -> Document:
            return await rounds.commit_round(tx, self._policy, command, prepared, document)

        try:
            await job.step(
                commit,
                done=3,
                total=3,
                step="round opened",
                state={"snapshot_id": snapshot_id, "opened": True},
                cancellable=False,
            )
        except DuplicateKeyError as duplicate:
            raise rounds._one_round_per_year(year) from duplicate
        return {
            "round_id": prepared.round_id,
            "year": year,
            "projects_with_nql": len(prepared.assessments),
            "candidate_count": prepared.candidates,
            "countries": len(prepared.quotas),
            "seconds": {  # where the time went, for operators and bench/eql_round.py
                "scan": round(scanned - began, 2),
                "snapshot": round(written - scanned, 2),
                "commit": round(time.perf_counter() - written, 2),
            },
        }


class CloseRoundJob:
    """Steps: OPEN → CLOSING, then one per batch of nominated projects, then CLOSED; the
    progress counts nominated projects. Cancelling stops between batches and leaves the round
    CLOSING (closing again resumes; no nomination can be made meanwhile)."""

    name = CLOSE_ROUND

    def __init__(self, policy: EqlPolicy, clock: Clock, base_url: str, batch_projects: int) -> None:
        self._policy = policy
        self._clock = clock
        self._base_url = base_url
        self._batch = batch_projects

    async def run(self, job: RunningJob) -> Mapping[str, Any]:
        year = int(job.params["year"])
        round_id = eql.round_id(year)
        command = rounds.CloseRound(year=year, closed_by=str(job.requested_by.get("subject")))
        total = await job.database[NOMINATIONS].count_documents({"round_id": round_id})
        awarded = int(job.state.get("awarded", 0))

        async def begin(tx: Transaction) -> Document:
            return await rounds.begin_closing(tx, command, self._clock)

        if not job.state.get("closing"):
            await job.step(
                begin, done=0, total=total, step="closing", state={"closing": True, "awarded": 0}
            )
        while True:

            async def batch(tx: Transaction) -> int:
                return await rounds.award_batch(
                    tx, self._policy, round_id, year, self._base_url, self._batch, self._clock
                )

            projects = await job.step(
                batch,
                done=partial(_plus, awarded),
                total=total,
                step="awarding nominated projects",
                state=partial(_awarded_state, awarded),
            )
            awarded = int(job.state["awarded"])
            if not projects:
                break

        async def finish(tx: Transaction) -> Document:
            return await rounds.finish_closing(tx, command, self._clock)

        closed = await job.step(
            finish,
            done=awarded,
            total=total,
            step="closed",
            state={"closing": True, "awarded": awarded, "closed": True},
            cancellable=False,
        )
        assert closed is not None
        return {
            "round_id": round_id,
            "year": year,
            "awarded_projects": int(closed.get("awarded_projects", 0)),
            "recipients": int(closed.get("recipients", 0)),
        }


def _plus(before: int, projects: int | None) -> int:
    return before + int(projects or 0)


def _awarded_state(before: int, projects: int | None) -> dict[str, Any]:
    return {"closing": True, "awarded": _plus(before, projects)}
