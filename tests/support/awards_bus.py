"""The awards service running in-process on the test servers, with a probe queue that
collects every awards.* event it publishes, and helpers to call it as teachers and NSOs."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aio_pika
import httpx
from fastapi import FastAPI
from faststream.rabbit import RabbitBroker

from services.awards.bootstrap import build_app
from services.awards.config import AwardsSettings
from shared.clock import Clock
from shared.events.base import EventPayload
from shared.http.auth import Principal, mint_token
from shared.settings import DEV_JWT_SECRET
from shared.topology import EVENTS_EXCHANGE_NAME
from tests.support.probes import envelope_of, eventually, publish_envelope, take_all
from tests.support.servers import Vhost, connected_broker
from tests.support.services import running, service_settings

PROBE_QUEUE = "probe.awards"


def bearer(**principal: Any) -> dict[str, str]:
    principal.setdefault(
        "subject", principal.get("teacher_id") or f"nso-{principal.get('country')}"
    )
    token = mint_token(Principal(**principal), secret=DEV_JWT_SECRET, issuer="etwinning-platform")
    return {"Authorization": f"Bearer {token}"}


def operator() -> dict[str, str]:
    return bearer(role="operator", subject="operator:tests")


def teacher(teacher_id: str) -> dict[str, str]:
    return bearer(role="teacher", teacher_id=teacher_id)


def nso(country: str) -> dict[str, str]:
    return bearer(role="nso", country=country)


@dataclass
class AwardsOnBus:
    app: FastAPI
    http: httpx.AsyncClient
    bus: RabbitBroker
    vhost: Vhost
    seen: list[dict[str, Any]] = field(default_factory=list)

    async def publish(self, payload: EventPayload) -> None:
        await publish_envelope(self.bus, envelope_of(payload))

    async def emitted(self, event_type: str, **payload: Any) -> list[dict[str, Any]]:
        """Every awards event seen so far of that type whose payload has those values."""
        for message in await take_all(self.vhost, PROBE_QUEUE):
            self.seen.append(json.loads(message.body))
        return [
            e
            for e in self.seen
            if e["event_type"] == event_type
            and all(e["payload"].get(k) == v for k, v in payload.items())
        ]

    async def eventually_emitted(
        self, event_type: str, count: int = 1, **payload: Any
    ) -> list[dict[str, Any]]:
        async def enough() -> list[dict[str, Any]]:
            found = await self.emitted(event_type, **payload)
            return found if len(found) >= count else []

        return await eventually(enough, seconds=15, interval=0.1, what=f"{count} {event_type}")

    async def applications(self, **query: str) -> list[dict[str, Any]]:
        response = await self.http.get("/nql/applications", params=query, headers=operator())
        response.raise_for_status()
        result: list[dict[str, Any]] = response.json()
        return result


@asynccontextmanager
async def awards_on_bus(
    vhost: Vhost, mongodb_url: str, prefix: str, clock: Clock | None = None, **overrides: Any
) -> AsyncIterator[AwardsOnBus]:
    """`clock`: what the service's "now" is (the system clock unless a test sets one)."""
    settings = AwardsSettings(
        **service_settings("awards", amqp_url=vhost.url, mongodb_url=mongodb_url, prefix=prefix),
        **overrides,
    )
    app = build_app(settings, clock=clock)
    bus = await connected_broker(vhost)
    try:
        async with running(app) as client:
            await _bind_probe(vhost)
            yield AwardsOnBus(app, client, bus, vhost)
    finally:
        await bus.stop()


async def _bind_probe(vhost: Vhost) -> None:
    connection = await aio_pika.connect(vhost.url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(PROBE_QUEUE, durable=False)
        await queue.bind(EVENTS_EXCHANGE_NAME, routing_key="awards.#")
