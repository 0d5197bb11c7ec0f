"""`etwinning publish` against a real broker that does not take the event: a vhost that does
not exist, a vhost without the platform's exchange, an exchange with no queue for the routing
key. Each is one line saying what is wrong (exit 1), and a published event is confirmed."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import aio_pika
import pytest

from shared.topology import EVENTS_EXCHANGE_NAME
from tests.support.servers import Vhost
from tools import cli

pytestmark = [pytest.mark.integration]

EMAIL = "marta.lopez@ies-example.es"


@pytest.fixture
def event_file(tmp_path: Path) -> Path:
    envelope = {
        "event_id": str(uuid.uuid4()), "event_type": "intake.teacher.signup_requested",
        "event_version": 1, "occurred_at": "2026-09-01T08:00:00+00:00", "producer": "portal-es",
        "correlation_id": "portal-es-1", "aggregate_id": EMAIL,
        "payload": {
            "name": "Marta López", "email": EMAIL, "role": "teacher", "language": "es",
            "subjects": ["mathematics"], "school_name": "IES Severo Ochoa",
            "school_town": "Elx", "school_country": "ES",
        },
    }  # fmt: skip
    path = tmp_path / "event.json"
    path.write_text(json.dumps(envelope))
    return path


async def _publish(url: str, event_file: Path) -> int:
    return await asyncio.to_thread(
        cli.main, ["--amqp-url", url, "publish", "--file", str(event_file)]
    )


async def test_a_vhost_that_does_not_exist(
    vhost: Vhost, event_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parts = urlsplit(vhost.url)
    missing = urlunsplit((parts.scheme, parts.netloc, f"/{vhost.name}-missing", "", ""))
    assert await _publish(missing, event_file) == 1
    error = capsys.readouterr().err
    assert "Traceback" not in error
    assert "closed the connection: the vhost does not exist or this user may not use it" in error


async def test_a_vhost_without_the_platform(
    vhost: Vhost, event_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await _publish(vhost.url, event_file) == 1
    error = capsys.readouterr().err
    assert f"not published: no exchange {EVENTS_EXCHANGE_NAME} in that vhost" in error


async def test_no_queue_for_the_routing_key_then_one(
    vhost: Vhost, event_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    connection = await aio_pika.connect(vhost.url)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.declare_exchange(
            EVENTS_EXCHANGE_NAME, aio_pika.ExchangeType.TOPIC, durable=True
        )
        assert await _publish(vhost.url, event_file) == 1
        assert (
            "RabbitMQ returned the event: no queue is bound to intake.teacher.signup_requested"
            in (capsys.readouterr().err)
        )

        queue = await channel.declare_queue("registration.events", durable=True)
        await queue.bind(exchange, "intake.teacher.*")
        assert await _publish(vhost.url, event_file) == 0
        assert "published intake.teacher.signup_requested" in capsys.readouterr().err
        message = await queue.get(timeout=5)
        assert json.loads(message.body)["payload"]["email"] == EMAIL
        await message.ack()
