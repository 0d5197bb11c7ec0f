from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from faststream.rabbit import RabbitBroker
from pymongo import AsyncMongoClient

from tests.support.invariants import Database
from tests.support.processes import Processes, chain_env
from tests.support.servers import Vhost, connected_broker, with_retry_writes_off

BROKER_RESTART = "broker_restart"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Broker restarts disturb every connection on this machine: run them after all else."""
    items.sort(key=lambda item: item.get_closest_marker(BROKER_RESTART) is not None)


@pytest.fixture(scope="session")
def mongodb_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The fault suite's own SecantusDB server. A process killed inside a transaction leaves
    it open, holding its writes (the inbox record among them) until the server reaps it after
    its transaction lifetime: 60 s by default, as mongod's transactionLifetimeLimitSeconds,
    which operators can lower. 3 s here keeps the redelivery of such a message quick."""
    from secantus import SecantusDBServer

    storage = tmp_path_factory.mktemp("secantus-faults")
    with SecantusDBServer(
        storage_path=str(storage), port=0, transaction_lifetime_seconds=3
    ) as server:
        yield with_retry_writes_off(server.uri)


@pytest.fixture
def processes(
    vhost: Vhost, mongodb_url: str, database_prefix: str, tmp_path: Path
) -> Iterator[Processes]:
    started = Processes(
        tmp_path, chain_env(amqp_url=vhost.url, mongodb_url=mongodb_url), database_prefix
    )
    try:
        yield started
    finally:
        started.stop_all()


@pytest.fixture
def databases(
    mongo_client: AsyncMongoClient[dict[str, Any]], database_prefix: str
) -> dict[str, Database]:
    return {
        service: mongo_client[f"{database_prefix}_{service}"]
        for service in ("registration", "notifications")
    }


@pytest.fixture
async def bus(vhost: Vhost) -> AsyncIterator[RabbitBroker]:
    """A connection of the test's own, to publish as another system would."""
    broker = await connected_broker(vhost)
    yield broker
    await broker.stop()
