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

from services.awards.eql.adapters.repository import NOMINATIONS, ROUNDS
from services.awards.eql.domain import model as eql
from services.awards.eql.domain.policy import EqlPolicy
from services.awards.eql.service_layer import candidates
from services.awards.eql.service_layer import use_cases as rounds
from shared.clock import Clock
from shared.jobs.runner import RunningJob
from shared.storage.mongo import Document
from shared.storage.unit_of_work import Transaction

OPEN_ROUND = "eql.open_round"
CLOSE_ROUND = "eql.close_round"


class OpenRoundJob:
    """Steps: a checkpoint that the opening started, then the opening itself
    (use_cases.open_round: the candidates' figures, then one transaction inserting the round
    with `_id` = `eql-<year>`, its quota counters and awards.eql.round_opened). A worker killed
    in between leaves the round inserted once or not at all: resumed, the job finds the round
    its own opening committed and reports it."""

    name = OPEN_ROUND

    def __init__(self, policy: EqlPolicy, clock: Clock) -> None:
        self._policy = policy
        self._clock = clock

    async def run(self, job: RunningJob) -> Mapping[str, Any]:
        year = int(job.params["year"])
        command = rounds.OpenRound(year=year, opened_by=str(job.requested_by.get("subject")))
        existing = await job.database[ROUNDS].find_one({"_id": eql.round_id(year)})
        if existing is not None and job.state.get("opening"):
            return _opened(existing)  # this job's opening committed before its worker died
        await job.step(None, done=0, total=1, step="computing candidates", state={"opening": True})
        began = time.perf_counter()
        opened = await rounds.open_round(job.uow, self._policy, command, self._clock)
        await job.report(done=1, total=1, step="round opened")
        return {**_opened(opened), "seconds": round(time.perf_counter() - began, 2)}


def _opened(round_document: Document) -> dict[str, Any]:
    return {
        "round_id": round_document["_id"],
        "year": round_document["year"],
        "projects_with_nql": round_document.get("projects_with_nql"),
        "candidate_count": round_document.get("candidate_count"),
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
        command = rounds.CloseRound(
            year=year,
            closed_by=str(job.requested_by.get("subject")),
            force=bool(job.params.get("force")),
        )
        if not job.state.get("closing"):  # the round's final figures, before it closes
            await candidates.refresh_if_stale(job.uow, self._policy, year)
        total = await job.database[NOMINATIONS].count_documents({"round_id": round_id})
        awarded = int(job.state.get("awarded", 0))

        async def begin(tx: Transaction) -> Document:
            return await rounds.begin_closing(tx, self._policy, command, self._clock)

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
