"""Readiness tells the truth about the consumer: one that holds deliveries and settles none for
longer than CONSUMER_STALL_SECONDS reports not ready, with the reason and a metric, and ready
again once it makes progress. Real RabbitMQ and SecantusDB; the stall is a handler that waits."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from shared.envelope import EventEnvelope
from shared.runtime import create_app
from shared.settings import ServiceSettings
from shared.storage.unit_of_work import Transaction
from tests.support.probes import (
    effect_count,
    envelope_of,
    eventually,
    publish_envelope,
    record_effect,
    service_definition,
    teacher_registered,
)
from tests.support.servers import Vhost, connected_broker
from tests.support.services import running, service_settings

pytestmark = pytest.mark.integration

STALL_SECONDS = 1.0


def metric(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not exported")


async def readiness(http: httpx.AsyncClient) -> tuple[int, dict[str, Any]]:
    response = await http.get("/health/ready")
    return response.status_code, response.json()


async def test_a_consumer_without_progress_reports_not_ready_until_it_moves(
    vhost: Vhost, mongodb_url: str, database_prefix: str
) -> None:
    release = asyncio.Event()

    async def waits_for_release(payload: Any, envelope: EventEnvelope, tx: Transaction) -> None:
        await release.wait()
        await record_effect(payload, envelope, tx)

    settings = ServiceSettings(
        **service_settings(
            "notifications", amqp_url=vhost.url, mongodb_url=mongodb_url, prefix=database_prefix,
            consumer_stall_seconds=STALL_SECONDS,
        )
    )  # fmt: skip
    app = create_app(
        service_definition(settings, {"registration.teacher.registered": waits_for_release})
    )
    event = envelope_of(teacher_registered("t-stuck"))
    async with running(app) as http:
        assert (await readiness(http))[0] == 200
        broker = await connected_broker(vhost)
        await publish_envelope(broker, event)
        await broker.stop()

        async def not_ready() -> dict[str, Any] | None:
            status, body = await readiness(http)
            return body if status == 503 else None

        body = await eventually(not_ready, seconds=10, interval=0.2, what="not ready")
        assert body["checks"] == {
            "startup": True, "broker": True, "database": True, "consumer": False
        }  # fmt: skip
        assert "holds 1 deliveries and has settled none" in body["reasons"]["consumer"]
        metrics = (await http.get("/metrics")).text
        assert metric(metrics, "etwinning_consumer_stalled") == 1
        assert metric(metrics, "etwinning_consumer_held_deliveries") == 1
        assert metric(metrics, "etwinning_consumer_seconds_without_progress") > STALL_SECONDS
        assert 'etwinning_not_ready{check="consumer"} 1.0' in metrics

        release.set()
        database = app.state.runtime.database
        assert await eventually(lambda: effect_count(database, event.event_id)) == 1
        await eventually(lambda: _ready(http), seconds=5, what="ready after progress")
        metrics = (await http.get("/metrics")).text
        assert metric(metrics, "etwinning_consumer_stalled") == 0
        assert metric(metrics, "etwinning_consumer_held_deliveries") == 0
        assert 'etwinning_not_ready{check="consumer"} 0.0' in metrics


async def _ready(http: httpx.AsyncClient) -> bool:
    return (await readiness(http))[0] == 200
