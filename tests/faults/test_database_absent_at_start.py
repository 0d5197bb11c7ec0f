"""Issue 13 §6: a service process started while MongoDB is down does not die in start-up. It
serves HTTP, reports not ready with the reason, and once the database answers it creates its
indexes, connects the broker and consumes what waited meanwhile. A real process and a real
SecantusDB server that is started only after the service."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from faststream.rabbit import RabbitBroker
from pymongo import AsyncMongoClient

from shared.messaging.broker import declare_topology
from tests.faults.database import RestartableSecantus
from tests.support.probes import EFFECTS, eventually, publish_envelope
from tests.support.processes import Processes, signup_request

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ABSENT_SECONDS = 4


@pytest.fixture
def absent_database(tmp_path: Path) -> Iterator[RestartableSecantus]:
    server = RestartableSecantus(tmp_path / "data", tmp_path / "secantusdb.log")  # not started
    try:
        yield server
    finally:
        server.stop()


async def readiness(url: str) -> tuple[int, dict[str, Any]]:
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.get(f"{url}/health/ready")
        return response.status_code, response.json()


async def test_a_service_started_without_its_database_serves_then_starts_when_it_answers(
    absent_database: RestartableSecantus,
    processes: Processes,
    bus: RabbitBroker,
    database_prefix: str,
) -> None:
    await declare_topology(bus, "registration")  # the queue exists, as the deploy file makes it
    service = processes.start("registration", mongodb_url=absent_database.url())

    async def serving() -> bool:
        assert service.returncode is None, service.tail()
        try:
            async with httpx.AsyncClient(timeout=2) as http:
                return (await http.get(f"{service.url}/health/live")).status_code == 200
        except httpx.HTTPError:
            return False

    await eventually(serving, seconds=30, interval=0.2, what="HTTP served without a database")
    status, body = await readiness(service.url)
    assert status == 503
    assert body["checks"]["startup"] is False and body["checks"]["database"] is False
    assert "waiting for the database" in body["reasons"]["startup"]
    assert "the broker is connected once the database answers" in body["reasons"]["broker"]

    request = signup_request(1)
    await publish_envelope(bus, request)  # waits in the queue meanwhile
    await asyncio.sleep(ABSENT_SECONDS)
    assert service.returncode is None, service.tail()
    unavailable = service.events("database.unavailable")
    assert unavailable, service.tail()
    assert "Traceback" not in service.log_path.read_text()
    status, body = await readiness(service.url)
    assert status == 503 and "last error" in body["reasons"]["startup"], body
    async with httpx.AsyncClient(timeout=10) as http:
        metrics = await http.get(f"{service.url}/metrics")  # served, the database away
    assert metrics.status_code == 200
    assert 'etwinning_not_ready{check="database"} 1.0' in metrics.text
    assert 'etwinning_not_ready{check="startup"} 1.0' in metrics.text

    await asyncio.to_thread(absent_database.start)
    await service.ready(seconds=40)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        absent_database.url(), tz_aware=True
    )
    try:
        database = client[f"{database_prefix}_registration"]

        async def handled() -> int:
            return await database[EFFECTS].count_documents({"event_id": str(request.event_id)})

        assert await eventually(handled, seconds=20, what="the waiting sign-up handled") == 1
        outbox_indexes = {index["name"] async for index in await database["outbox"].list_indexes()}
        assert "status_1_next_attempt_at_1" in outbox_indexes
        inbox_indexes = {index["name"] async for index in await database["inbox"].list_indexes()}
        assert "received_at_1" in inbox_indexes
    finally:
        await client.close()
    assert [entry["event"] for entry in service.events("database.prepared")] == [
        "database.prepared"
    ]
    assert service.events("broker.connected")
