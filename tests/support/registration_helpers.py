"""Helpers of the registration tests: the app on the test servers, tokens, fixtures of data,
and a probe queue that receives every registration event over the real broker."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import aio_pika
import httpx
from fastapi import FastAPI

from services.registration.bootstrap import build_app
from services.registration.config import RegistrationSettings
from shared.settings import DEV_JWT_SECRET
from shared.topology import EVENTS_EXCHANGE_NAME
from tests.support.servers import Vhost
from tests.support.services import service_settings
from tools.demo_story import Tokens

TOKENS = Tokens(DEV_JWT_SECRET, "etwinning-platform")
APPLICANT = TOKENS.header(subject="applicant-1", role="applicant")
OPERATOR = TOKENS.header(subject="operator-1", role="operator")
CSS = TOKENS.header(subject="css-1", role="css")


def new_applicant() -> dict[str, str]:
    """A person who has not applied yet: one subject applies once (R-REG-7)."""
    return TOKENS.header(subject=f"applicant-{uuid4().hex[:8]}", role="applicant")


def nso(country: str) -> dict[str, str]:
    return TOKENS.header(subject=f"nso-{country}", role="nso", country=country)


def teacher_token(teacher_id: str) -> dict[str, str]:
    return TOKENS.header(subject=f"user-{teacher_id}", role="teacher", teacher_id=teacher_id)


def registration_app(vhost: Vhost, mongodb_url: str, prefix: str) -> FastAPI:
    settings = service_settings(
        "registration", amqp_url=vhost.url, mongodb_url=mongodb_url, prefix=prefix
    )
    return build_app(RegistrationSettings(**settings))


async def new_school(
    client: httpx.AsyncClient, name: str = "IES Severo Ochoa", country: str = "ES", **extra: Any
) -> dict[str, Any]:
    body = {"name": name, "town": extra.pop("town", "Elx"), "country": country, **extra}
    response = await client.post("/schools", json=body, headers=APPLICANT)
    assert response.status_code == 201, response.text
    school: dict[str, Any] = response.json()
    return school


async def new_teacher(
    client: httpx.AsyncClient, school_id: str, email: str = "ana@example.org", **extra: Any
) -> dict[str, Any]:
    body = {"name": "Ana García", "email": email, "role": "teacher", "language": "es",
            "school_id": school_id, **extra}  # fmt: skip
    response = await client.post("/teachers", json=body, headers=new_applicant())
    assert response.status_code == 201, response.text
    teacher: dict[str, Any] = response.json()
    return teacher


async def validated_teacher(
    client: httpx.AsyncClient, school: dict[str, Any], email: str, **extra: Any
) -> dict[str, Any]:
    teacher = await new_teacher(client, school["id"], email, **extra)
    response = await client.post(
        f"/teachers/{teacher['id']}/validation", headers=nso(school["country"])
    )
    assert response.status_code == 200, response.text
    validated: dict[str, Any] = response.json()
    return validated


@dataclass
class RunningRegistration:
    http: httpx.AsyncClient
    app: FastAPI

    @property
    def database(self) -> Any:
        return self.app.state.runtime.database

    async def counts(self) -> tuple[int, int, int]:
        """Schools, teachers and outbox entries: what a failed request must leave unchanged."""
        database = self.database
        return (
            await database["schools"].count_documents({}),
            await database["teachers"].count_documents({}),
            await database["outbox"].count_documents({}),
        )


@dataclass
class EventProbe:
    """A queue of its own bound to `registration.#`: a consumer of the real broker."""

    connection: aio_pika.abc.AbstractRobustConnection
    queue: aio_pika.abc.AbstractQueue

    @classmethod
    async def bind(cls, vhost: Vhost, pattern: str = "registration.#") -> EventProbe:
        connection = await aio_pika.connect_robust(vhost.url)
        channel = await connection.channel()
        exchange = await channel.declare_exchange(
            EVENTS_EXCHANGE_NAME, aio_pika.ExchangeType.TOPIC, durable=True
        )
        queue = await channel.declare_queue("probe.registration", exclusive=True)
        await queue.bind(exchange, routing_key=pattern)
        return cls(connection, queue)

    async def drain(self) -> list[dict[str, Any]]:
        """Every envelope received so far, with the AMQP `type` checked against event_type."""
        received = []
        while (message := await self.queue.get(no_ack=True, fail=False)) is not None:
            envelope = json.loads(message.body)
            assert message.type == envelope["event_type"]
            assert message.routing_key == envelope["event_type"]
            received.append(envelope)
        return received

    async def close(self) -> None:
        await self.connection.close()
