"""Flows through the chain (tests/support/processes.py): an intake request handled by
registration, which emits `registration.teacher.registered`, handled by notifications."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from faststream.rabbit import RabbitBroker
from pymongo import AsyncMongoClient

from shared.envelope import EventEnvelope
from shared.runtime import create_app
from shared.settings import ServiceSettings
from shared.storage.mongo import OUTBOX
from tests.support.invariants import Database, Effects, wait_for_effects, wait_until_quiet
from tests.support.probes import publish_envelope, service_definition
from tests.support.processes import CHAIN, REGISTERED, signup_request
from tests.support.servers import Vhost
from tests.support.services import running, service_settings


async def start_flows(bus: RabbitBroker, count: int) -> list[EventEnvelope]:
    run = uuid.uuid4().hex[:8]
    requests = [signup_request(number, run=run) for number in range(count)]
    for request in requests:
        await publish_envelope(bus, request)
    return requests


async def emitted_once_per_request(
    registration: Database, requests: list[EventEnvelope]
) -> list[str]:
    """The ids of the events registration emitted, checking it emitted exactly one per
    request (an outbox entry carries the id of the event that caused it)."""
    entries = [entry async for entry in registration[OUTBOX].find({"event_type": REGISTERED})]
    causes = sorted(entry["envelope"]["causation_id"] for entry in entries)
    assert causes == sorted(str(request.event_id) for request in requests)
    return [entry["_id"] for entry in entries]


@asynccontextmanager
async def chain_running(
    vhost: Vhost, mongodb_url: str, prefix: str, **overrides: Any
) -> AsyncIterator[None]:
    """Registration and notifications of the chain, in this process (nothing here dies)."""
    async with AsyncExitStack() as stack:
        for service in ("notifications", "registration"):
            settings = ServiceSettings(
                **service_settings(
                    service, amqp_url=vhost.url, mongodb_url=mongodb_url, prefix=prefix,
                    outbox_lease_seconds=2, **overrides,
                )
            )  # fmt: skip
            app = create_app(service_definition(settings, CHAIN[service]))
            await stack.enter_async_context(running(app))
        yield


async def flow_effects(
    vhost: Vhost,
    client: AsyncMongoClient[dict[str, Any]],
    prefix: str,
    requests: list[EventEnvelope],
    *,
    seconds: float = 30.0,
) -> Effects:
    """Wait until every flow has completed and nothing is in flight any more; returns the
    effects each service must show."""
    registration = client[f"{prefix}_registration"]
    notifications = client[f"{prefix}_notifications"]
    handled = [request.event_id for request in requests]
    await wait_for_effects({"registration": (registration, handled)}, seconds=seconds)
    emitted = await emitted_once_per_request(registration, requests)
    effects: Effects = {
        "registration": (registration, handled),
        "notifications": (notifications, emitted),
    }
    await wait_for_effects(effects, seconds=seconds)
    await wait_until_quiet(vhost, seconds=seconds)
    return effects
