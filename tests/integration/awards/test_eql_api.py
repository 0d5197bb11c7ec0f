"""The EQL round and prizes API over the real broker and SecantusDB: every refusal is a 4xx
with its rule id (and, for nominations, the numbers); quotas hold under concurrency; one
round per year. Granted NQLs are written as the NQL flow leaves them (tests/support)."""

from __future__ import annotations

import asyncio
import importlib.util
from typing import Any

import httpx
import pytest

from tests.support.awards_bus import AwardsOnBus, awards_on_bus, bearer, nso, teacher
from tests.support.eql_helpers import YEAR, grant_nqls
from tests.support.jobs import job_result
from tests.support.problems import problem_code
from tests.support.servers import Vhost

pytestmark = pytest.mark.integration

CSS = bearer(role="css", subject="css:tests")
HAS_PDF_LIBRARY = importlib.util.find_spec("fpdf") is not None


def refused(
    response: httpx.Response, status: int, rule: str, code: str | None = None
) -> dict[str, Any]:
    """A problem with this status and rule and, where given, this code (one per refusal)."""
    assert response.status_code == status, response.text
    assert code is None or problem_code(response) == code, response.text
    assert response.headers["content-type"] == "application/problem+json"
    error: dict[str, Any] = response.json()
    assert error["rule"] == rule, error
    return error


async def nominate(awards: AwardsOnBus, country: str, project_id: str) -> httpx.Response:
    return await awards.http.post(
        f"/eql/rounds/{YEAR}/nominations", json={"project_id": project_id}, headers=nso(country)
    )


async def review(awards: AwardsOnBus, *verdicts: tuple[str, str]) -> httpx.Response:
    return await awards.http.post(
        f"/eql/rounds/{YEAR}/nominations/reviews",
        json={
            "reviews": [{"project_id": p, "outcome": o, "reason": "checked"} for p, o in verdicts]
        },
        headers=CSS,
    )


async def a_year_of_nqls(awards: AwardsOnBus) -> None:
    """ES granted NQLs on 7 projects (quota 1), PT on 5 (quota 1)."""
    database = awards.app.state.runtime.database
    await grant_nqls(database, "p-good", [("g-es", "ES", 25), ("g-pt", "PT", 25)])
    await grant_nqls(
        database, "p-good2", [("h-es", "ES", 24), ("h-pt", "PT", 26), ("h-tr", "TR", None)]
    )
    await grant_nqls(database, "p-twenty", [("w-es", "ES", 20), ("w-pt", "PT", 20)])
    await grant_nqls(
        database,
        "p-national",
        [("n-es", "ES", 28), ("n-es2", "ES", 28), ("n-pt", "PT", 28)],
        founder_countries=["ES"],
    )
    await grant_nqls(
        database, "p-one", [("o-es", "ES", 28), ("o-pt", "PT", None), ("o-es2", "ES", 27)]
    )
    await grant_nqls(database, "p-fr", [("f-fr", "FR", 25), ("f-pt", "PT", 25)])
    for filler in ("p-f1", "p-f2"):
        await grant_nqls(
            database, filler, [(f"{filler}-es", "ES", 18), (f"{filler}-de", "DE", None)]
        )


async def test_every_refusal_is_a_4xx_with_its_rule_id_and_numbers(
    vhost: Vhost, mongodb_url: str, database_prefix: str
) -> None:
    async with awards_on_bus(vhost, mongodb_url, database_prefix) as awards:
        await a_year_of_nqls(awards)
        http = awards.http

        assert (
            await http.post("/eql/rounds", json={"year": YEAR}, headers=nso("ES"))
        ).status_code == 403
        opened = await job_result(
            http, await http.post("/eql/rounds", json={"year": YEAR}, headers=CSS), CSS
        )
        assert (opened["candidate_count"], opened["projects_with_nql"]) == (4, 8)
        again = await http.post("/eql/rounds", json={"year": YEAR}, headers=CSS)
        refused(again, 409, "R-EQL-1", "round_already_held")
        [event] = await awards.eventually_emitted("awards.eql.round_opened")
        assert event["payload"]["quotas"] == {"ES": 1, "FR": 0, "PT": 1}
        assert event["payload"]["countries"] == ["ES", "FR", "PT"]

        view = (await http.get(f"/eql/rounds/{YEAR}/candidates", headers=nso("ES"))).json()
        assert (view["quota"], view["quota_used"], view["nql_projects"]) == (1, 0, 7)
        assert [(c["project_id"], c["nominable"]) for c in view["candidates"]] == [
            ("p-good", True),
            ("p-good2", True),
            ("p-twenty", False),
        ]
        assert view["candidates"][1]["breakdown"] == [
            {"country": "ES", "nql_count": 1, "average": 24.0},
            {"country": "PT", "nql_count": 1, "average": 26.0},
        ]
        everything = await http.get(f"/eql/rounds/{YEAR}/candidates", headers=CSS)
        assert len(everything.json()["candidates"]) == 4

        error = refused(
            await nominate(awards, "ES", "p-twenty"), 409, "R-EQL-4", "average_not_above_threshold"
        )
        assert (error["average"], error["min_average"], error["quota"], error["quota_used"]) == (
            20.0,
            20,
            1,
            0,
        )
        refused(await nominate(awards, "ES", "p-national"), 409, "R-EQL-2")
        refused(await nominate(awards, "ES", "p-one"), 409, "R-EQL-3")
        refused(await nominate(awards, "ES", "p-unknown"), 409, "R-EQL-3")
        refused(await nominate(awards, "ES", "p-fr"), 403, "R-EQL-5", "no_nql_in_country")
        nominated = await nominate(awards, "ES", "p-good")
        assert nominated.status_code == 201, nominated.text
        refused(await nominate(awards, "PT", "p-good"), 409, "R-EQL-5", "already_nominated")
        error = refused(await nominate(awards, "ES", "p-good2"), 409, "R-EQL-4", "quota_exceeded")
        assert (error["quota"], error["quota_used"]) == (1, 1)
        as_teacher = await http.post(
            f"/eql/rounds/{YEAR}/nominations",
            json={"project_id": "p-good"},
            headers=teacher("g-es"),
        )
        assert as_teacher.status_code == 403

        refusals = await awards.eventually_emitted("awards.eql.nomination_refused", 7)
        assert sorted(e["payload"]["rule"] for e in refusals) == [
            "R-EQL-2", "R-EQL-3", "R-EQL-3", "R-EQL-4", "R-EQL-4", "R-EQL-5", "R-EQL-5",
        ]  # fmt: skip
        [accepted] = await awards.eventually_emitted("awards.eql.nominated")
        assert (accepted["payload"]["quota"], accepted["payload"]["quota_used"]) == (1, 1)

        assert (
            await http.post(f"/eql/rounds/{YEAR}/closure", headers=nso("ES"))
        ).status_code == 403
        # R-EQL-5: the CSS checks every nominee before the round closes
        refused(await http.post(f"/eql/rounds/{YEAR}/closure", headers=CSS), 409, "R-EQL-5")
        confirmed = await review(awards, ("p-good", "CONFIRMED"))
        assert confirmed.status_code == 200, confirmed.text
        assert confirmed.json()[0]["review"]["outcome"] == "CONFIRMED"
        closed = await job_result(
            http, await http.post(f"/eql/rounds/{YEAR}/closure", headers=CSS), CSS
        )
        assert (closed["awarded_projects"], closed["recipients"]) == (1, 2)
        assert (await http.get(f"/eql/rounds/{YEAR}", headers=CSS)).json()["status"] == "CLOSED"
        refused(await http.post(f"/eql/rounds/{YEAR}/closure", headers=CSS), 409, "R-EQL-1")
        refused(await nominate(awards, "PT", "p-good2"), 409, "R-EQL-1", "round_closed")
        refused(await http.post("/eql/rounds", json={"year": YEAR}, headers=CSS), 409, "R-EQL-1")
        assert (await http.get("/eql/rounds/2031/candidates", headers=CSS)).status_code == 404

        labels = (
            await http.get("/eql/labels", params={"project_id": "p-good"}, headers=CSS)
        ).json()
        assert sorted(label["teacher_id"] for label in labels) == ["g-es", "g-pt"]
        code = labels[0]["certificate_code"]
        verified = await http.get(f"/eql/certificates/{code.lower()}")
        assert verified.status_code == 200
        assert verified.json()["label"] == "European Quality Label"
        assert (await http.get("/eql/certificates/EQL-NOPE-NOPE-NOPE-NOPE")).status_code == 404
        # The platform's one public verification address confirms EQL codes too.
        public = await http.get(f"/certificates/{code}")
        assert (public.status_code, public.json()) == (200, verified.json())
        download = await http.get(
            f"/eql/labels/{labels[0]['label_id']}/certificate.pdf",
            headers=teacher(labels[0]["teacher_id"]),
        )
        if HAS_PDF_LIBRARY:
            assert download.content.startswith(b"%PDF-")
        other = await http.get(
            f"/eql/labels/{labels[0]['label_id']}/certificate.pdf", headers=teacher("h-es")
        )
        assert other.status_code == 403

        # --- prizes ---
        async def enter(who: str, project_id: str, category: str = "12-15") -> httpx.Response:
            return await http.post(
                f"/prizes/{YEAR}/entries",
                json={"project_id": project_id, "category": category},
                headers=teacher(who),
            )

        refused(await enter("g-es", "p-good", "adults"), 422, "R-PRZ-2")
        refused(await enter("h-es", "p-good2"), 409, "R-PRZ-1", "eql_not_same_year")
        refused(await enter("h-es", "p-good"), 403, "R-PRZ-2")
        entered = await enter("g-pt", "p-good")
        assert entered.status_code == 201, entered.text
        refused(await enter("g-es", "p-good", "16-19"), 409, "R-PRZ-2", "one_entry_per_project")
        decided = await awards.eventually_emitted("awards.prize.entry_decided", 5)
        assert [e["payload"]["accepted"] for e in decided].count(True) == 1

        def win(project_id: str, headers: dict[str, str] = CSS) -> Any:
            return http.post(
                f"/prizes/{YEAR}/winners", json={"project_id": project_id}, headers=headers
            )

        assert (await win("p-good", teacher("g-es"))).status_code == 403
        refused(await win("p-good2"), 409, "R-PRZ-2")
        won = await win("p-good")
        assert won.status_code == 201, won.text
        assert won.json()["winner_ids"] == ["g-es", "g-pt"]
        refused(await win("p-good"), 409, "R-PRZ-2")
        [prize] = await awards.eventually_emitted("awards.prize.won")
        assert (prize["payload"]["category"], prize["payload"]["winner_ids"]) == (
            "12-15",
            ["g-es", "g-pt"],
        )


async def test_concurrent_nominations_never_exceed_the_quota(
    vhost: Vhost, mongodb_url: str, database_prefix: str
) -> None:
    async with awards_on_bus(vhost, mongodb_url, database_prefix) as awards:
        database = awards.app.state.runtime.database
        for i in range(8):  # ES and PT granted NQLs on 8 projects each: quota 2 each
            await grant_nqls(database, f"p-{i}", [(f"es-{i}", "ES", 25), (f"pt-{i}", "PT", 25)])
        opening = await awards.http.post("/eql/rounds", json={"year": YEAR}, headers=CSS)
        await job_result(awards.http, opening, CSS)

        answers = await asyncio.gather(*(nominate(awards, "ES", f"p-{i}") for i in range(5)))
        assert sorted(a.status_code for a in answers) == [201, 201, 409, 409, 409]
        refusals = {(a.json()["rule"], problem_code(a)) for a in answers if a.status_code == 409}
        assert refusals == {("R-EQL-4", "quota_exceeded")}

        same = await asyncio.gather(nominate(awards, "PT", "p-7"), nominate(awards, "ES", "p-7"))
        assert sorted(a.status_code for a in same) == [201, 409]
        rules = {a.json()["rule"] for a in same if a.status_code == 409}
        assert rules <= {"R-EQL-4", "R-EQL-5"}

        listed = (await awards.http.get(f"/eql/rounds/{YEAR}/nominations", headers=CSS)).json()
        by_country = [n["country"] for n in listed]
        assert by_country.count("ES") == 2 and by_country.count("PT") <= 2
        view = (await awards.http.get(f"/eql/rounds/{YEAR}/candidates", headers=nso("ES"))).json()
        assert view["quota_used"] == 2


async def test_a_closing_interrupted_midway_resumes_and_refuses_late_nominations(
    vhost: Vhost, mongodb_url: str, database_prefix: str
) -> None:
    async with awards_on_bus(
        vhost, mongodb_url, database_prefix, eql_close_batch_projects=1
    ) as awards:
        database = awards.app.state.runtime.database
        for i in range(8):
            await grant_nqls(database, f"p-{i}", [(f"es-{i}", "ES", 25), (f"pt-{i}", "PT", 25)])
        opening = await awards.http.post("/eql/rounds", json={"year": YEAR}, headers=CSS)
        await job_result(awards.http, opening, CSS)
        for country, project_id in (("ES", "p-0"), ("ES", "p-1"), ("PT", "p-2")):
            assert (await nominate(awards, country, project_id)).status_code == 201
        reviewed = await review(awards, *((p, "CONFIRMED") for p in ("p-0", "p-1", "p-2")))
        assert reviewed.status_code == 200, reviewed.text
        # as a crash after the first transaction of the closing leaves it
        await database["eql_rounds"].update_one(
            {"_id": f"eql-{YEAR}"}, {"$set": {"status": "CLOSING"}}
        )
        await database["eql_quotas"].update_many({}, {"$set": {"open": False}})

        refused(await nominate(awards, "PT", "p-3"), 409, "R-EQL-1")
        closing = await awards.http.post(f"/eql/rounds/{YEAR}/closure", headers=CSS)
        resumed = await job_result(awards.http, closing, CSS)
        assert (resumed["awarded_projects"], resumed["recipients"]) == (3, 6)
        awarded = await awards.eventually_emitted("awards.eql.awarded", 6)
        assert len({e["payload"]["label_id"] for e in awarded}) == 6
        [closed] = await awards.eventually_emitted("awards.eql.round_closed")
        assert closed["payload"]["recipients"] == 6
