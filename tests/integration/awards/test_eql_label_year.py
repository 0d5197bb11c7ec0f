"""The EQL round over the real broker and SecantusDB as NSOs and the CSS live it (issue 15):
candidates and quotas stay current until nominations close (R-EQL-3, R-EQL-4), the CSS
reviews each nominee (R-EQL-5) and closes after the deadline or by forcing it (R-EQL-1); the
candidacy window across 1 September, both ways, and each project a candidate once."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.awards.config import DEFAULT_EQL_POLICY
from services.awards.eql.adapters.policy_file import load_eql_policy
from tests.support.awards_bus import AwardsOnBus, awards_on_bus, bearer, nso, teacher
from tests.support.awards_helpers import ALL_YES, EVIDENCE, PERFECT, project_completed
from tests.support.eql_helpers import grant_nqls, shipped_eql_document
from tests.support.jobs import job_result
from tests.support.problems import problem_code
from tests.support.servers import Vhost

pytestmark = pytest.mark.integration

CSS = bearer(role="css", subject="css:tests")


async def nominate(awards: AwardsOnBus, year: int, country: str, project: str) -> httpx.Response:
    return await awards.http.post(
        f"/eql/rounds/{year}/nominations", json={"project_id": project}, headers=nso(country)
    )


async def review(awards: AwardsOnBus, year: int, *verdicts: dict[str, str]) -> httpx.Response:
    return await awards.http.post(
        f"/eql/rounds/{year}/nominations/reviews", json={"reviews": list(verdicts)}, headers=CSS
    )


async def candidates(awards: AwardsOnBus, year: int, country: str) -> dict[str, Any]:
    view = await awards.http.get(f"/eql/rounds/{year}/candidates", headers=nso(country))
    assert view.status_code == 200, view.text
    found: dict[str, Any] = view.json()
    return found


async def nql_granted(awards: AwardsOnBus, teacher_id: str, country: str) -> None:
    """The NQL flow: the member applies on p-net and the NSO of their country grants it."""
    applied = await awards.http.post(
        "/nql/projects/p-net/applications",
        json={"answers": ALL_YES, "evidence": EVIDENCE},
        headers=teacher(teacher_id),
    )
    assert applied.status_code == 201, applied.text
    evaluated = await awards.http.post(
        f"/nql/applications/{applied.json()['id']}/evaluation",
        json={"scores": PERFECT},
        headers=nso(country),
    )
    assert evaluated.json()["status"] == "GRANTED", evaluated.text


async def test_candidates_stay_current_and_the_css_reviews_each_nominee_before_awarding(
    vhost: Vhost, mongodb_url: str, database_prefix: str
) -> None:
    year = load_eql_policy(DEFAULT_EQL_POLICY).period.year_of(datetime.now(UTC))
    async with awards_on_bus(vhost, mongodb_url, database_prefix) as awards:
        database = awards.app.state.runtime.database
        await awards.publish(project_completed("p-net"))
        await awards.eventually_emitted("awards.nql.application_opened", 3, project_id="p-net")
        await nql_granted(awards, "t-es", "ES")
        now = datetime.now(UTC)
        await grant_nqls(
            database, "p-other", [("o-es", "ES", 26), ("o-pt", "PT", 26)], decided_at=now
        )
        for i in range(3):  # ES: 5 projects with an NQL, quota floor(5/4) = 1
            await grant_nqls(database, f"p-es-{i}", [(f"x{i}", "ES", 18)], decided_at=now)

        opening = await awards.http.post("/eql/rounds", json={"year": year}, headers=CSS)
        opened = await job_result(awards.http, opening, CSS)
        assert opened["candidate_count"] == 1  # p-net has its ES NQL only
        assert [c["project_id"] for c in (await candidates(awards, year, "PT"))["candidates"]] == [
            "p-other"
        ]

        # R-EQL-3: PT grants its NQL on p-net after the opening, inside the period
        await nql_granted(awards, "t-pt", "PT")
        view = await candidates(awards, year, "PT")
        assert [c["project_id"] for c in view["candidates"]] == ["p-net", "p-other"]
        assert view["candidates"][0]["countries"] == ["ES", "PT"]
        assert (view["quota"], view["nql_projects"]) == (0, 2)  # PT: floor(2/4)
        es = await candidates(awards, year, "ES")
        assert (es["quota"], es["quota_used"], es["nql_projects"]) == (1, 0, 5)

        assert (await nominate(awards, year, "ES", "p-other")).status_code == 201
        full = await nominate(awards, year, "ES", "p-net")
        assert (full.status_code, problem_code(full)) == (409, "quota_exceeded")

        # R-EQL-1: not before the deadline unless forced; R-EQL-5: not before every review
        early = await awards.http.post(f"/eql/rounds/{year}/closure", headers=CSS)
        assert (early.status_code, problem_code(early)) == (409, "nominations_still_open")
        unreviewed = await awards.http.post(
            f"/eql/rounds/{year}/closure", json={"force": True}, headers=CSS
        )
        assert (unreviewed.status_code, problem_code(unreviewed)) == (
            409,
            "nominations_not_reviewed",
        )

        no_reason = await review(awards, year, {"project_id": "p-other", "outcome": "REFUSED"})
        assert (no_reason.status_code, problem_code(no_reason)) == (422, "review_reason_missing")
        reason = "The partners did not collaborate online."
        refused = await review(
            awards, year, {"project_id": "p-other", "outcome": "REFUSED", "reason": reason}
        )
        assert refused.status_code == 200, refused.text
        [told] = await awards.eventually_emitted("awards.eql.nominee_refused")
        assert (told["payload"]["country"], told["payload"]["reason"]) == ("ES", reason)
        twice = await review(awards, year, {"project_id": "p-other", "outcome": "CONFIRMED"})
        assert (twice.status_code, problem_code(twice)) == (409, "nomination_already_reviewed")

        # the refused nominee's place is free again: ES nominates p-net, the CSS confirms it
        assert (await nominate(awards, year, "ES", "p-net")).status_code == 201
        confirmed = await review(awards, year, {"project_id": "p-net", "outcome": "CONFIRMED"})
        assert confirmed.status_code == 200, confirmed.text
        closing = await awards.http.post(
            f"/eql/rounds/{year}/closure", json={"force": True}, headers=CSS
        )
        closed = await job_result(awards.http, closing, CSS)
        assert (closed["awarded_projects"], closed["recipients"]) == (1, 3)
        awarded = await awards.eventually_emitted("awards.eql.awarded", 3)
        assert {e["payload"]["project_id"] for e in awarded} == {"p-net"}


async def open_round(awards: AwardsOnBus, year: int) -> dict[str, Any]:
    opening = await awards.http.post("/eql/rounds", json={"year": year}, headers=CSS)
    return await job_result(awards.http, opening, CSS)


def policy_file(tmp_path: Path, periods: int) -> Path:
    document = shipped_eql_document()
    document["candidacy"] = {"periods": periods, "once": True}
    path = tmp_path / "eql.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


BEFORE = datetime(2025, 8, 31, 23, 59, tzinfo=UTC)  # school year 2024/25: round 2025
AFTER = datetime(2025, 9, 1, 0, 0, tzinfo=UTC)  # school year 2025/26: round 2026


async def boundary_year(awards: AwardsOnBus) -> None:
    """p-split: ES decided before 1 September, PT after; p-early: both before."""
    database = awards.app.state.runtime.database
    await grant_nqls(database, "p-split", [("s-es", "ES", 26)], decided_at=BEFORE)
    await database["nql_projects"].delete_one({"_id": "p-split"})
    await database["eql_project_founders"].delete_one({"_id": "p-split"})
    await grant_nqls(
        database, "p-split", [("s-pt", "PT", 24)], decided_at=AFTER, founder_countries=["ES", "PT"]
    )
    await grant_nqls(
        database, "p-early", [("e-es", "ES", 27), ("e-pt", "PT", 27)], decided_at=BEFORE
    )


async def candidate_ids(awards: AwardsOnBus, year: int) -> list[str]:
    view = await awards.http.get(f"/eql/rounds/{year}/candidates", headers=CSS)
    return [c["project_id"] for c in view.json()["candidates"]]


async def test_the_1_september_boundary_loses_no_project_and_counts_none_twice(
    vhost: Vhost, mongodb_url: str, database_prefix: str
) -> None:
    async with awards_on_bus(vhost, mongodb_url, database_prefix) as awards:
        await boundary_year(awards)
        await open_round(awards, 2025)
        assert await candidate_ids(awards, 2025) == ["p-early"]  # p-split: ES only so far
        await open_round(awards, 2026)
        assert await candidate_ids(awards, 2026) == ["p-split"]  # both NQLs, across the boundary
        again = await nominate(awards, 2026, "ES", "p-early")
        assert (again.status_code, problem_code(again)) == (409, "candidate_in_earlier_round")
        assert again.json()["earlier_round"] == 2025


async def test_with_one_period_the_boundary_splits_a_project_out_of_both_rounds(
    vhost: Vhost, mongodb_url: str, database_prefix: str, tmp_path: Path
) -> None:
    async with awards_on_bus(
        vhost, mongodb_url, database_prefix, eql_policy_path=policy_file(tmp_path, periods=1)
    ) as awards:
        await boundary_year(awards)
        for year in (2025, 2026):
            await open_round(awards, year)
        assert await candidate_ids(awards, 2025) == ["p-early"]
        assert await candidate_ids(awards, 2026) == []
