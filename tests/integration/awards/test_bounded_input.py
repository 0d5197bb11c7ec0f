"""Issue 13 §2's regressions: integers beyond what MongoDB stores (OverflowError, a 500
before) and megabyte strings are refused as 422 problems, and nothing is stored. Real
SecantusDB and RabbitMQ."""

from __future__ import annotations

import pytest

from tests.support.awards_bus import awards_on_bus, bearer, operator, teacher
from tests.support.problems import problem_code
from tests.support.servers import Vhost

pytestmark = pytest.mark.integration

HUGE = "99999999999999999999"
CSS = bearer(role="css", subject="css:tests")


async def test_unbounded_years_are_422_problems_not_500s(
    vhost: Vhost, mongodb_url: str, database_prefix: str
) -> None:
    async with awards_on_bus(vhost, mongodb_url, database_prefix) as awards:
        http = awards.http
        reads = [
            f"/prizes/{HUGE}/entries",
            f"/prizes/{HUGE}/winners",
            f"/eql/labels?year={HUGE}&project_id=p-1",
            f"/school-label/rounds/{HUGE}/eligible-schools",
            f"/school-label/applications?year={HUGE}",
            f"/eql/rounds/{HUGE}",
            "/prizes/1999/entries",
        ]
        for path in reads:
            response = await http.get(path, headers=operator())
            assert response.status_code == 422, (path, response.text)
            assert problem_code(response) == "invalid_request"
            assert response.headers["content-type"] == "application/problem+json"
        entry = await http.post(
            f"/prizes/{HUGE}/entries",
            json={"project_id": "p-1", "category": "12-15"},
            headers=teacher("t-1"),
        )
        assert (entry.status_code, problem_code(entry)) == (422, "invalid_request")
        opened = await http.post("/eql/rounds", json={"year": int(HUGE)}, headers=CSS)
        assert (opened.status_code, problem_code(opened)) == (422, "invalid_request")
        database = awards.app.state.runtime.database
        assert await database["prize_entries"].count_documents({}) == 0
