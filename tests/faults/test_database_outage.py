"""Scenario 6: the database goes away while flows are in flight (a real server stopped and
started again on the same port and data). Shorter than the retry budget, the consumers'
retries carry every flow through; longer, the messages are dead-lettered with the reason and
`etwinning dlq redrive` completes each flow exactly once after the recovery."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from faststream.rabbit import RabbitBroker
from pymongo import AsyncMongoClient

from shared.messaging.failures import RETRIES_EXHAUSTED
from tests.faults.database import RestartableSecantus
from tests.faults.flows import chain_running, flow_effects, start_flows
from tests.support.invariants import assert_invariants, ready_counts
from tests.support.probes import (
    REPOSITORY_ROOT,
    captured_logs,
    eventually,
)
from tests.support.servers import Vhost
from tools import dlq

pytestmark = [pytest.mark.integration, pytest.mark.slow]

FLOWS = 20
OUTAGE_SECONDS = 10


@pytest.fixture
def database_server(tmp_path: Path) -> Iterator[RestartableSecantus]:
    server = RestartableSecantus(tmp_path / "data", tmp_path / "secantusdb.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def test_a_ten_second_outage_is_retried_through(
    database_server: RestartableSecantus, vhost: Vhost, bus: RabbitBroker, database_prefix: str
) -> None:
    # Each attempt gives up after 2 s; 8 attempts with their delays (about 35 s) outlast the
    # outage, and the server's transaction lifetime: an attempt that timed out while the
    # server was back may leave its transaction open, holding the inbox record until reaped.
    url = database_server.url()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url, tz_aware=True)
    try:
        with captured_logs("shared.messaging.consumer") as logs:
            async with chain_running(
                vhost, url, database_prefix,
                transaction_timeout_seconds=2, consumer_max_attempts=8,
                retry_base_seconds=0.5, retry_max_seconds=4,
            ):  # fmt: skip
                requests = await start_flows(bus, FLOWS // 2)
                await asyncio.to_thread(database_server.stop)
                requests += await start_flows(bus, FLOWS // 2)
                await asyncio.sleep(OUTAGE_SECONDS)  # the outage itself
                await asyncio.to_thread(database_server.start)
                effects = await flow_effects(vhost, client, database_prefix, requests)
        assert logs.named("event.retry_scheduled"), "the outage was met by retries"
        assert not logs.named("event.dead_lettered")
        await assert_invariants(vhost, effects=effects)
    finally:
        await client.close()


def redrive(vhost: Vhost, service: str) -> str:
    """The operator's command, as a process."""
    command = [str(Path(sys.executable).parent / "etwinning"), "dlq", "redrive", service]
    environment = {**os.environ, "AMQP_URL": vhost.url}
    done = subprocess.run(
        command, cwd=REPOSITORY_ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


async def test_an_outage_beyond_the_retry_budget_ends_in_the_dlq_and_a_redrive_completes(
    database_server: RestartableSecantus, vhost: Vhost, bus: RabbitBroker, database_prefix: str
) -> None:
    url = database_server.url()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url, tz_aware=True)
    try:
        async with chain_running(
            vhost, url, database_prefix, transaction_timeout_seconds=1, consumer_max_attempts=3
        ):
            await asyncio.to_thread(database_server.stop)
            requests = await start_flows(bus, FLOWS)

            async def all_dead_lettered() -> bool:
                counts = await ready_counts(vhost, ["registration.dlq"])
                return counts["registration.dlq"] == FLOWS

            await eventually(all_dead_lettered, seconds=60, interval=0.5, what="dead letters")
            letters = await dlq.peek(vhost.url, "registration", FLOWS + 1)
            assert sorted(letter.message_id or "" for letter in letters) == sorted(
                str(request.event_id) for request in requests
            )
            assert {(letter.reason, letter.attempts) for letter in letters} == {
                (RETRIES_EXHAUSTED, 3)
            }
            assert all(letter.detail for letter in letters), "each says what failed"

            await asyncio.to_thread(database_server.start)
            await asyncio.to_thread(redrive, vhost, "registration")
            effects = await flow_effects(vhost, client, database_prefix, requests)
        await assert_invariants(vhost, effects=effects)
    finally:
        await client.close()
