"""The awards service stamps times with the clock its composition root was given: the event
handler that opens applications and the use case that submits one both read it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.clock import SettableClock
from tests.support.awards_bus import awards_on_bus, teacher
from tests.support.awards_helpers import ALL_YES, EVIDENCE, project_completed
from tests.support.probes import eventually
from tests.support.servers import Vhost

pytestmark = pytest.mark.integration


async def test_applications_open_and_are_submitted_at_the_clocks_time(
    vhost: Vhost, mongodb_url: str, database_prefix: str
) -> None:
    # a day back, to the second: inside the shipped policy's windows like the other tests,
    # and unlike the machine's time, which a default clock would have stamped
    opened_at = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    clock = SettableClock(opened_at)
    async with awards_on_bus(vhost, mongodb_url, database_prefix, clock=clock) as awards:
        await awards.publish(project_completed("p-clock"))

        async def opened() -> list[dict[str, object]]:
            return await awards.applications(project_id="p-clock", teacher_id="t-es")

        [application] = await eventually(opened, seconds=15, what="the application opened")
        clock.advance(timedelta(hours=2))
        response = await awards.http.post(
            "/nql/projects/p-clock/applications",
            json={"answers": ALL_YES, "evidence": EVIDENCE},
            headers=teacher("t-es"),
        )

    assert response.status_code == 201, response.text
    assert datetime.fromisoformat(str(application["opened_at"])) == opened_at
    submitted = datetime.fromisoformat(response.json()["submitted_at"])
    assert submitted == opened_at + timedelta(hours=2)
