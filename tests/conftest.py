from __future__ import annotations

import inspect
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from pymongo import AsyncMongoClient

from tests.support.oidc import fresh_oidc_provider, oidc_provider, start_oidc_provider
from tests.support.servers import Vhost, with_retry_writes_off
from tests.support.watchdog import hang_watchdog

__all__ = ["fresh_oidc_provider", "hang_watchdog", "oidc_provider", "start_oidc_provider"]

# The suite's services accept the HS256 tokens its helpers mint (tools/mint_token.py); the
# identity tests turn this off in the settings they build and configure an issuer instead.
# Set for the processes the tests start, too.
os.environ.setdefault("AUTH_DEV_MODE", "true")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every coroutine test runs under the hang watchdog."""
    for item in items:
        function = getattr(item, "function", None)
        if function is not None and inspect.iscoroutinefunction(function):
            item.fixturenames.append("hang_watchdog")  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def mongodb_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from secantus import SecantusDBServer

    storage = Path(tmp_path_factory.mktemp("secantus"))
    with SecantusDBServer(storage_path=str(storage), port=0) as server:
        yield with_retry_writes_off(server.uri)


@pytest.fixture
def vhost() -> Iterator[Vhost]:
    created = Vhost.create()
    yield created
    created.delete()


@pytest.fixture
def database_prefix() -> str:
    """Unique per test: services' databases never collide between tests."""
    return f"t{uuid.uuid4().hex[:10]}"


@pytest.fixture
async def mongo_client(mongodb_url: str) -> AsyncIterator[AsyncMongoClient[dict]]:  # type: ignore[type-arg]
    client: AsyncMongoClient[dict] = AsyncMongoClient(mongodb_url, tz_aware=True)  # type: ignore[type-arg]
    yield client
    await client.close()
