"""The notifications service on the real broker, SecantusDB and an SMTP sink (aiosmtpd)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from faststream.rabbit import RabbitBroker
from pymongo.asynchronous.database import AsyncDatabase

from services.notifications.bootstrap import build_app
from services.notifications.config import NotificationsSettings
from shared.envelope import EventEnvelope
from shared.events.base import EventPayload
from shared.http.auth import Principal, mint_token
from shared.settings import DEV_JWT_SECRET
from shared.storage.mongo import INBOX
from tests.support.probes import envelope_of, eventually, publish_envelope
from tests.support.servers import Vhost, connected_broker
from tests.support.services import running, service_settings
from tools.smtp_sink import SmtpSink

Database = AsyncDatabase[dict[str, Any]]


def token(**principal: Any) -> dict[str, str]:
    minted = mint_token(Principal(**principal), secret=DEV_JWT_SECRET, issuer="etwinning-platform")
    return {"Authorization": f"Bearer {minted}"}


OPERATOR = token(subject="operator:tests", role="operator")


@dataclass
class Notifications:
    """A running notifications service and what a test drives it with."""

    app: FastAPI
    http: httpx.AsyncClient
    bus: RabbitBroker

    @property
    def database(self) -> Database:
        database: Database = self.app.state.runtime.database
        return database

    async def publish(self, payload: EventPayload | EventEnvelope) -> EventEnvelope:
        """Publish as the producer would, and wait until the service has handled it."""
        envelope = payload if isinstance(payload, EventEnvelope) else envelope_of(payload)
        await publish_envelope(self.bus, envelope)
        record = {"_id": f"notifications:{envelope.event_id}"}
        await eventually(
            lambda: self.database[INBOX].find_one(record),
            seconds=10,
            what=f"{envelope.event_type} handled",
        )
        return envelope

    async def add_staff(self, **fields: Any) -> dict[str, Any]:
        response = await self.http.post("/staff", json=fields, headers=OPERATOR)
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    async def inbox(self, headers: dict[str, str]) -> list[dict[str, Any]]:
        response = await self.http.get("/inbox", headers=headers)
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()
        return items

    async def deliveries(self, **query: str) -> list[dict[str, Any]]:
        response = await self.http.get("/deliveries", params=query, headers=OPERATOR)
        assert response.status_code == 200, response.text
        found: list[dict[str, Any]] = response.json()
        return found


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as started:
        yield started


@pytest.fixture
def settings_for(vhost: Vhost, mongodb_url: str, database_prefix: str) -> Any:
    def make(smtp_url: str, **overrides: Any) -> NotificationsSettings:
        fields = service_settings(
            "notifications", amqp_url=vhost.url, mongodb_url=mongodb_url, prefix=database_prefix
        )
        return NotificationsSettings(
            **fields,
            smtp_url=smtp_url,
            **{
                "mail_poll_seconds": 0.1,
                "mail_base_backoff_seconds": 0.1,
                "mail_max_backoff_seconds": 0.5,
                # the background digest worker looks once, at start-up; tests drive it themselves
                "digest_poll_seconds": 3600,
                "portal_base_url": "http://portal.test",  # links in notices (item 14 of #15)
                **overrides,
            },
        )

    return make


@pytest.fixture
async def bus(vhost: Vhost) -> AsyncIterator[RabbitBroker]:
    broker = await connected_broker(vhost)
    yield broker
    await broker.stop()


@pytest.fixture
async def service(
    settings_for: Any, sink: SmtpSink, bus: RabbitBroker
) -> AsyncIterator[Notifications]:
    app = build_app(settings_for(sink.url))
    async with running(app) as http:
        yield Notifications(app, http, bus)
