"""`docker compose up --scale <service>=2`, in-process: two replicas of a service share its
database and its queue. Each event their relays publish goes out once, and each mail their
dispatchers send goes out once."""

from __future__ import annotations

import asyncio
from typing import Any

import aio_pika
import pytest

from services.notifications.adapters.repository import DELIVERIES
from services.notifications.bootstrap import build_app as notifications_app
from services.notifications.config import NotificationsSettings
from services.registration.bootstrap import build_app as registration_app
from services.registration.config import RegistrationSettings
from shared.settings import DEV_JWT_SECRET
from shared.topology import EVENTS_EXCHANGE_NAME
from tests.support import notifications_helpers as sample
from tests.support.probes import envelope_of, eventually, publish_envelope, wait_queue_drained
from tests.support.servers import Vhost, connected_broker
from tests.support.services import all_running, service_settings
from tools.demo_story import Tokens
from tools.smtp_sink import SmtpSink

pytestmark = [pytest.mark.integration]

SCHOOLS = 20


async def test_two_registration_replicas_publish_each_event_once(
    vhost: Vhost, mongodb_url: str, database_prefix: str
) -> None:
    settings = service_settings(
        "registration", amqp_url=vhost.url, mongodb_url=mongodb_url, prefix=database_prefix
    )
    replicas = {f"r{n}": registration_app(RegistrationSettings(**settings)) for n in (1, 2)}
    applicant = Tokens(DEV_JWT_SECRET, "etwinning-platform").header(
        subject="eu-login:t", role="applicant"
    )
    connection = await aio_pika.connect(vhost.url)
    try:
        async with all_running(replicas) as clients:
            channel = await connection.channel()
            exchange = await channel.get_exchange(EVENTS_EXCHANGE_NAME)
            observer = await channel.declare_queue(exclusive=True)
            await observer.bind(exchange, "registration.school.registered")

            async def register(n: int) -> None:  # requests alternate between the replicas
                school = {"name": f"School {n:02}", "town": "Elx", "country": "ES"}
                client = clients[f"r{n % 2 + 1}"]
                response = await client.post("/schools", json=school, headers=applicant)
                assert response.status_code == 201, response.text

            await asyncio.gather(*(register(n) for n in range(SCHOOLS)))
            received: list[str | None] = []

            async def all_received() -> bool:
                while (message := await observer.get(no_ack=True, fail=False)) is not None:
                    received.append(message.message_id)
                return len(received) >= SCHOOLS

            await eventually(all_received, seconds=15, what=f"{SCHOOLS} events")
            outbox = replicas["r1"].state.runtime.database["outbox"]
            await eventually(
                lambda: _count_is(outbox.count_documents({"status": "published"}), SCHOOLS),
                what="every entry marked published",
            )
            published = [
                app.state.runtime.metrics.published.labels(
                    "registration.school.registered"
                )._value.get()
                for app in replicas.values()
            ]
            # Confirmed (so already queued) before marked: a duplicate would be here by now.
            await all_received()
    finally:
        await connection.close()

    assert len(received) == SCHOOLS
    assert len(set(received)) == SCHOOLS
    assert sum(published) == SCHOOLS  # published by whichever replica claimed them


async def test_two_notification_replicas_send_each_mail_once(
    vhost: Vhost, mongodb_url: str, database_prefix: str
) -> None:
    with SmtpSink() as sink:
        settings = {
            **service_settings(
                "notifications", amqp_url=vhost.url, mongodb_url=mongodb_url,
                prefix=database_prefix,
            ),
            "smtp_url": sink.url, "mail_poll_seconds": 0.05, "digest_poll_seconds": 3600,
        }  # fmt: skip
        replicas = {f"n{n}": notifications_app(NotificationsSettings(**settings)) for n in (1, 2)}
        async with all_running(replicas):
            broker = await connected_broker(vhost)
            try:
                for teacher in sample.TEACHERS:
                    await publish_envelope(broker, envelope_of(sample.teacher_registered(teacher)))
                openings = [
                    sample.nql_application_opened(teacher, application_id=f"nql-{teacher}-{n}")
                    for teacher in sample.TEACHERS
                    for n in range(3)
                ]
                for opened in openings:
                    await publish_envelope(broker, envelope_of(opened))
            finally:
                await broker.stop()
            expected = len(openings)
            await eventually(lambda: len(sink.mails) >= expected, seconds=20, what="the mails")
            await wait_queue_drained(vhost, "notifications.events", seconds=10)
            deliveries = replicas["n1"].state.runtime.database[DELIVERIES]
            statuses = await eventually(lambda: _all_sent(deliveries), what="deliveries sent")

    assert statuses == ["sent"] * expected
    assert len(sink.mails) == expected
    assert len({mail.message_id for mail in sink.mails}) == expected


async def _all_sent(deliveries: Any) -> list[str]:
    """Statuses of all deliveries once none is waiting: after that, nothing sends again."""
    statuses = [d["status"] async for d in deliveries.find({}, {"status": 1})]
    return [] if "pending" in statuses else statuses


async def _count_is(count: Any, expected: int) -> bool:
    return bool(await count == expected)
