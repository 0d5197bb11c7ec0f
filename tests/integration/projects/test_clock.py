"""The projects service stamps every transition with the clock its composition root was given,
so a test decides what "now" is (the label-year and jobs work relies on it)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from services.projects.bootstrap import build_app
from services.projects.config import ProjectsSettings
from shared.clock import SettableClock
from tests.support.projects_helpers import ProjectSteps, know_validated, new_teacher
from tests.support.servers import Vhost
from tests.support.services import running, runtime_of, service_settings

pytestmark = pytest.mark.integration

PROPOSED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def own_vhost() -> Iterator[Vhost]:
    """Its own vhost: a second projects app beside the package's would wait on its queue."""
    created = Vhost.create()
    yield created
    created.delete()


async def test_the_use_cases_read_the_time_from_the_clock_given_to_build_app(
    own_vhost: Vhost, mongodb_url: str
) -> None:
    clock = SettableClock(PROPOSED_AT)
    settings = service_settings(
        "projects", amqp_url=own_vhost.url, mongodb_url=mongodb_url,
        prefix=f"t{uuid.uuid4().hex[:10]}",
    )  # fmt: skip
    app = build_app(ProjectsSettings(**settings), clock=clock)
    async with running(app) as http:
        steps = ProjectSteps(http)
        es, pt = new_teacher("ES"), new_teacher("PT")
        await know_validated(runtime_of(app), es, pt)
        project_id = await steps.propose(es, pt)
        clock.advance(timedelta(days=3))
        answered = await steps.accept(project_id, pt)

    assert datetime.fromisoformat(answered["created_at"]) == PROPOSED_AT
    assert [(h["what"], datetime.fromisoformat(h["at"])) for h in answered["history"]] == [
        ("proposed", PROPOSED_AT),
        ("cofounder_responded", PROPOSED_AT + timedelta(days=3)),
    ]
