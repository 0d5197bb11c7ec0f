"""The projects service stamps every transition with the clock its composition root put on
the app, so a test decides what "now" is (the label-year and jobs work relies on it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.clock import SettableClock
from tests.integration.projects.conftest import ProjectsService
from tests.support.projects_helpers import know_validated, new_teacher

pytestmark = pytest.mark.integration

PROPOSED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def test_the_use_cases_read_the_time_from_the_services_clock(
    projects: ProjectsService,
) -> None:
    # the package's app, with its clock swapped for this test (build_app(..., clock=...) puts
    # the same object there); a second app would need a broker of its own
    system_clock = projects.app.state.clock
    clock = SettableClock(PROPOSED_AT)
    projects.app.state.clock = clock
    try:
        es, pt = new_teacher("ES"), new_teacher("PT")
        await know_validated(projects.runtime, es, pt)
        project_id = await projects.steps.propose(es, pt)
        clock.advance(timedelta(days=3))
        answered = await projects.steps.accept(project_id, pt)
    finally:
        projects.app.state.clock = system_clock

    assert datetime.fromisoformat(answered["created_at"]) == PROPOSED_AT
    assert [(h["what"], datetime.fromisoformat(h["at"])) for h in answered["history"]] == [
        ("proposed", PROPOSED_AT),
        ("cofounder_responded", PROPOSED_AT + timedelta(days=3)),
    ]
