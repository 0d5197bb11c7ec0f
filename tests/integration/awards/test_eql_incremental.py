"""The EQL round's figures kept current by folding in only the projects decided since
(R-EQL-3, R-EQL-4): after any sequence of NQL decisions, the round's candidates, quotas and
counts equal a full recomputation over the year. Real SecantusDB, no mocks; a decision is
written as the NQL decision's transaction writes it (the application, then the counter)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from services.awards.eql.adapters.repository import (
    ASSESSMENTS,
    FOUNDERS,
    QUOTAS,
    ROUNDS,
    delete_snapshot,
    ensure_eql_indexes,
)
from services.awards.eql.domain.model import Assessment
from services.awards.eql.domain.policy import EqlPolicy
from services.awards.eql.service_layer import candidates
from services.awards.eql.service_layer import use_cases as rounds
from services.awards.nql.adapters.repository import (
    APPLICATIONS,
    DECIDED_PROJECTS,
    PROJECTS,
    NqlRepository,
    ensure_indexes,
)
from services.awards.nql.domain.model import application_id
from shared.clock import SettableClock
from shared.storage.mongo import ensure_core_indexes
from shared.storage.unit_of_work import Transaction, UnitOfWork
from tests.support.eql_helpers import YEAR, eql_policy

pytestmark = [pytest.mark.integration]

Database = AsyncDatabase[dict[str, Any]]
COUNTRIES = ["ES", "PT", "FR", "IT"]
# founders per project: p-3 is national (both founders in ES): never a candidate (R-EQL-2)
FOUNDERS_OF = {"p-0": ["ES", "PT"], "p-1": ["FR", "IT"], "p-2": ["ES", "FR"], "p-3": ["ES", "ES"]}
PROJECT_IDS = sorted(FOUNDERS_OF)
CLOCK = SettableClock(datetime(2026, 9, 2, tzinfo=UTC))


def _moments(policy: EqlPolicy) -> list[datetime]:
    """Decision dates around the round's window: inside the period, inside the candidacy
    window before the period, just outside at both ends."""
    start, period_start, end = candidates.window(policy, YEAR)
    return [
        period_start + timedelta(days=40),
        start + timedelta(days=10),
        end - timedelta(seconds=1),
        start - timedelta(days=1),
        end,
    ]


Decision = tuple[int, int, int, int]  # project, teacher (= country), total, moment

decisions = st.tuples(
    st.integers(0, len(PROJECT_IDS) - 1),
    st.integers(0, len(COUNTRIES) - 1),
    st.integers(5, 30),
    st.integers(0, 4),
)
policies = st.sampled_from(
    [
        eql_policy(),
        eql_policy(quota={"base": "candidates"}, nomination={"average_of": "evaluated"}),
        eql_policy(candidacy={"periods": 1}, quota={"fraction": 0.5, "rounding": "ceil"}),
    ]
)


async def _seed(database: Database) -> None:
    await ensure_core_indexes(database)
    await ensure_indexes(database)
    await ensure_eql_indexes(database)
    for project_id, founders in FOUNDERS_OF.items():
        await database[PROJECTS].insert_one(
            {"_id": project_id, "project_id": project_id, "title": f"Project {project_id}",
             "project_type": "NATIONAL" if len(set(founders)) < 2 else "EUROPEAN",
             "members": [{"teacher_id": f"{project_id}-{c}", "school_id": f"s-{c}",
                          "school_name": f"School {c}", "country": c} for c in COUNTRIES]}
        )  # fmt: skip
        await database[FOUNDERS].insert_one(
            {"_id": project_id, "founder_countries": founders, "founder_ids": []}
        )


async def _decide(uow: UnitOfWork, policy: EqlPolicy, decision: Decision) -> None:
    """As the NQL decision's transaction writes it: the decided application, then the count.
    Each decision is a new application (a decided one is never decided again)."""
    project, teacher, total, moment = decision
    project_id = PROJECT_IDS[project]
    country = COUNTRIES[teacher]
    teacher_id = f"{project_id}-{country}"
    decided_at = _moments(policy)[moment]

    async def work(tx: Transaction) -> None:
        await tx.collection(APPLICATIONS).insert_one(
            {"_id": f"{application_id(project_id, teacher_id)}-{uuid.uuid4().hex[:8]}",
             "project_id": project_id, "project_title": f"Project {project_id}",
             "teacher_id": teacher_id, "country": country,
             "status": "GRANTED" if total >= 15 else "REFUSED", "opened_at": decided_at,
             "decision": {"decision": {"outcome": "GRANTED" if total >= 15 else "REFUSED",
                                       "total": total},
                          "decided_at": decided_at, "decided_by": f"nso-{country}"}},
            session=tx.session,
        )  # fmt: skip
        await NqlRepository(tx).count_decision(decided_at, project_id)

    await uow.run(work)


def _comparable(assessments: list[Assessment]) -> dict[str, dict[str, Any]]:
    return {a.project_id: a.model_dump() for a in assessments}


async def _current(database: Database) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    current = await database[ROUNDS].find_one({"_id": f"eql-{YEAR}"})
    assert current is not None
    snapshot = [
        Assessment.model_validate(d)
        async for d in database[ASSESSMENTS].find({"snapshot_id": current["snapshot_id"]})
    ]
    quotas = {
        d["country"]: (d["nql_projects"], d["candidates"], d["quota"])
        async for d in database[QUOTAS].find({"round_id": current["_id"]})
        if d["nql_projects"]  # a country that lost its last project keeps a zero counter
    }
    return current, _comparable(snapshot), quotas


async def _check_against_full_recomputation(database: Database, policy: EqlPolicy) -> None:
    current, snapshot, quotas = await _current(database)
    full = await candidates.compute(database, policy, YEAR)
    await delete_snapshot(database, full.snapshot_id)
    assert snapshot == _comparable(full.assessments)
    assert quotas == {
        c: (q.nql_projects, q.candidates, q.quota) for c, q in full.quotas.items() if q.nql_projects
    }
    assert current["projects_with_nql"] == len(full.assessments)
    assert current["candidate_count"] == full.candidate_count
    assert current["fingerprint"] == full.fingerprint


async def _scenario(
    mongodb_url: str, policy: EqlPolicy, before: list[Decision], after: list[list[Decision]]
) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_url, tz_aware=True)
    database = client[f"eqlinc_{uuid.uuid4().hex[:10]}"]
    uow = UnitOfWork(client, database, "awards")
    try:
        await _seed(database)
        for decision in before:
            await _decide(uow, policy, decision)
        opened = await rounds.open_round(uow, policy, rounds.OpenRound(YEAR, "css"), CLOCK)
        for burst in after:
            for decision in burst:
                await _decide(uow, policy, decision)
            await candidates.refresh_if_stale(uow, policy, YEAR)
            await _check_against_full_recomputation(database, policy)
        current = await database[ROUNDS].find_one({"_id": f"eql-{YEAR}"})
        assert current is not None
        # folded in place: the snapshot the round opened with is still the one it reads
        assert current["snapshot_id"] == opened["snapshot_id"]
    finally:
        await client.drop_database(database.name)
        await client.close()


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    policy=policies,
    before=st.lists(decisions, max_size=4),
    after=st.lists(st.lists(decisions, min_size=1, max_size=3), min_size=1, max_size=4),
)
def test_folded_in_figures_equal_a_full_recomputation_after_any_decisions(
    mongodb_url: str, policy: EqlPolicy, before: list[Decision], after: list[list[Decision]]
) -> None:
    asyncio.run(_scenario(mongodb_url, policy, before, after))


async def test_decisions_counted_before_the_record_existed_fall_back_to_a_full_recomputation(
    mongodb_url: str,
) -> None:
    policy = eql_policy()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_url, tz_aware=True)
    database = client[f"eqlinc_{uuid.uuid4().hex[:10]}"]
    uow = UnitOfWork(client, database, "awards")
    try:
        await _seed(database)
        opened = await rounds.open_round(uow, policy, rounds.OpenRound(YEAR, "css"), CLOCK)
        await _decide(uow, policy, (0, 0, 25, 0))
        await _decide(uow, policy, (0, 1, 25, 0))
        await database[DECIDED_PROJECTS].delete_many({})  # as before the record existed
        refreshed = await candidates.refresh_if_stale(uow, policy, YEAR)
        assert refreshed is not None
        assert refreshed["snapshot_id"] != opened["snapshot_id"]  # recomputed in full
        assert refreshed["candidate_count"] == 1
        await _check_against_full_recomputation(database, policy)
    finally:
        await client.drop_database(database.name)
        await client.close()
