"""The School Label eligibility run (R-SCH-1) as a job (shared/jobs).

The candidates (schools with an NQL granted in the round's window) come from one aggregation,
sorted by school id; each batch is assessed (reads) and its newly eligible schools recorded
with their awards.school_label.eligible events in one transaction with the checkpoint (the
last school id done and the counts). A resumed run recomputes the candidates and continues
after that id; the records are keyed by year and school, so nobody is told twice anyway.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from functools import partial
from typing import Any

from services.awards.school_label.adapters import queries
from services.awards.school_label.domain.model import end_of, start_of
from services.awards.school_label.domain.policy import SchoolLabelPolicy
from services.awards.school_label.service_layer.use_cases import (
    BATCH,
    RunSummary,
    _assess_batch,
    _record,
    round_dates,
)
from shared.jobs.runner import RunningJob
from shared.storage.unit_of_work import Transaction

ELIGIBILITY_RUN = "school_label.eligibility"


class EligibilityRunJob:
    name = ELIGIBILITY_RUN

    def __init__(self, policy: SchoolLabelPolicy, batch: int = BATCH) -> None:
        self._policy = policy
        self._batch = batch

    async def run(self, job: RunningJob) -> Mapping[str, Any]:
        year = int(job.params["year"])
        dates = round_dates(self._policy, year)
        grants = await queries.nql_grants_by_school(
            job.database, start_of(dates.nql_granted_from), end_of(dates.nql_granted_until)
        )
        candidates = sorted(grants)
        after: str | None = job.state.get("after")
        counts: dict[str, Any] = dict(
            job.state.get("counts") or {"newly_eligible": 0, "already_eligible": 0}
        )
        not_eligible: Counter[str] = Counter(job.state.get("not_eligible") or {})
        remaining = [c for c in candidates if after is None or c > after]
        done = len(candidates) - len(remaining)
        for first in range(0, len(remaining), self._batch):
            batch = remaining[first : first + self._batch]
            summary = RunSummary(year=year, round=dates.name)
            assessments, schools = await _assess_batch(
                job.uow, self._policy, dates, batch, grants, summary
            )
            eligible = [a for a in assessments if a.eligible]
            for assessment in assessments:
                not_eligible.update(assessment.failed()[:1])
            done += len(batch)
            await job.step(
                partial(
                    _record_batch, dates=dates, eligible=eligible, schools=schools, now=job.clock()
                ),
                done=done,
                total=len(candidates),
                step="assessing schools",
                state=partial(
                    _advanced,
                    counts=counts,
                    already=summary.already_eligible + len(eligible),
                    last=batch[-1],
                    not_eligible=dict(not_eligible),
                ),
            )
            counts = dict(job.state["counts"])
        return {
            "year": year,
            "round": dates.name,
            "candidates": len(candidates),
            "newly_eligible": counts["newly_eligible"],
            "already_eligible": counts["already_eligible"],
            "not_eligible": dict(not_eligible),
        }


async def _record_batch(tx: Transaction, **batch: Any) -> list[str]:
    return await _record(tx, **batch) if batch["eligible"] else []


def _advanced(
    recorded: list[str] | None,
    *,
    counts: Mapping[str, int],
    already: int,
    last: str,
    not_eligible: dict[str, int],
) -> dict[str, Any]:
    """The checkpoint after a batch: `already` counts the batch's schools found before and
    those it found eligible, of which `recorded` were recorded now."""
    new = len(recorded or [])
    return {
        "after": last,
        "counts": {
            "newly_eligible": counts["newly_eligible"] + new,
            "already_eligible": counts["already_eligible"] + already - new,
        },
        "not_eligible": not_eligible,
    }
