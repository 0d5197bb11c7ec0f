"""Scenario 4: RabbitMQ restarted while a batch of flows is in flight, gracefully
(`rabbitmqctl stop_app` / `start_app`) and by a hard kill of its node followed by
`rabbitmq-server -detached`. The services reconnect by themselves and every flow completes
once. These tests disturb every connection on the machine: they run last in the session
(tests/faults/conftest.py) and always wait until the broker is fully back."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import Callable
from typing import Any

import pytest
from faststream.rabbit import RabbitBroker
from pymongo import AsyncMongoClient

from tests.faults.flows import chain_running, flow_effects, start_flows
from tests.support.invariants import assert_invariants
from tests.support.servers import Vhost

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.broker_restart]

FLOWS = 20


def rabbitmqctl(*args: str, timeout: float = 120) -> str:
    done = subprocess.run(
        ["rabbitmqctl", "-q", *args], check=True, capture_output=True, text=True, timeout=timeout
    )
    return done.stdout


def await_startup(within_seconds: float = 120) -> None:
    """Until the node answers and its application runs (the node may still be booting)."""
    deadline = time.monotonic() + within_seconds
    while True:
        try:
            rabbitmqctl("await_startup", "--timeout", "30", timeout=40)
            return
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def graceful_restart() -> None:
    try:
        rabbitmqctl("stop_app")
        time.sleep(2)  # the outage: long enough for every client to notice
    finally:
        rabbitmqctl("start_app")
        await_startup()


def hard_restart() -> None:
    node_pid = int(rabbitmqctl("eval", "os:getpid().").strip().strip('"'))
    os.kill(node_pid, signal.SIGKILL)
    try:
        deadline = time.monotonic() + 30
        while _alive(node_pid) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        # No pipes: the detached node would hold them open for its whole life.
        subprocess.run(
            ["rabbitmq-server", "-detached"],
            check=True, timeout=60, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        await_startup()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("restart", [graceful_restart, hard_restart], ids=["graceful", "kill"])
async def test_flows_in_flight_complete_once_after_a_broker_restart(
    restart: Callable[[], None],
    vhost: Vhost,
    bus: RabbitBroker,
    mongodb_url: str,
    database_prefix: str,
    mongo_client: AsyncMongoClient[dict[str, Any]],
) -> None:
    async with chain_running(vhost, mongodb_url, database_prefix):
        requests = await start_flows(bus, FLOWS)
        await asyncio.to_thread(restart)
        effects = await flow_effects(vhost, mongo_client, database_prefix, requests, seconds=120)
    await assert_invariants(vhost, effects=effects)
