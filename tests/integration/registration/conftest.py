from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.registration_helpers import EventProbe, RunningRegistration, registration_app
from tests.support.servers import Vhost
from tests.support.services import running


@pytest.fixture
async def probe(vhost: Vhost) -> AsyncIterator[EventProbe]:
    bound = await EventProbe.bind(vhost)
    yield bound
    await bound.close()


@pytest.fixture
async def registration(
    vhost: Vhost, mongodb_url: str, database_prefix: str, probe: EventProbe
) -> AsyncIterator[RunningRegistration]:
    app = registration_app(vhost, mongodb_url, database_prefix)
    async with running(app) as client:
        yield RunningRegistration(client, app)
