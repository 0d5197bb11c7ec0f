"""A delivery that spends its retry budget is marked failed and, in the same transaction,
`notifications.delivery.failed` goes to the outbox; the relay publishes it to the operators'
alerts queue on the real broker. No address travels in the event."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from faststream.rabbit import RabbitBroker

from services.notifications.adapters.failed_deliveries import FailedDeliveries
from services.notifications.adapters.repository import DELIVERIES, WEBHOOK_DELIVERIES
from services.notifications.bootstrap import build_app
from shared.envelope import EventEnvelope
from shared.events.notifications import DeliveryFailed
from shared.storage.mongo import OUTBOX
from shared.topology import ALERTS, DEAD_LETTER_EXCHANGE, EVENTS_EXCHANGE
from tests.integration.notifications.conftest import OPERATOR, Notifications
from tests.integration.notifications.test_webhooks import SECRET, Receiver
from tests.support import notifications_helpers as sample
from tests.support.probes import eventually, take_all
from tests.support.servers import Vhost
from tests.support.services import running
from tools.smtp_sink import SmtpSink

pytestmark = pytest.mark.integration


async def declare_alerts_queue(bus: RabbitBroker) -> None:
    """What deploy/rabbitmq/definitions.json declares for the operators' alerting system."""
    events = await bus.declare_exchange(EVENTS_EXCHANGE)
    dead_letters = await bus.declare_exchange(DEAD_LETTER_EXCHANGE)
    dlq = await bus.declare_queue(ALERTS.dead_letter_queue())
    await dlq.bind(dead_letters, routing_key=ALERTS.dead_letter_queue_name)
    queue = await bus.declare_queue(ALERTS.events_queue())
    for pattern in ALERTS.bindings:
        await queue.bind(events, routing_key=pattern)


async def alerts(vhost: Vhost) -> list[EventEnvelope]:
    taken = await eventually(
        lambda: take_all(vhost, ALERTS.events_queue_name), seconds=10, what="an alert"
    )
    return [EventEnvelope.model_validate_json(message.body) for message in taken]


@pytest.fixture
def always_down() -> Iterator[Receiver]:
    with Receiver([503] * 10) as started:
        yield started


async def test_a_mail_that_spends_its_budget_alerts_the_operators(
    settings_for: Any, bus: RabbitBroker, vhost: Vhost
) -> None:
    await declare_alerts_queue(bus)
    down = SmtpSink()  # never started: nothing listens on its port
    app = build_app(settings_for(down.url, mail_max_attempts=2))
    async with running(app) as http:
        service = Notifications(app, http, bus)
        await service.publish(sample.teacher_registered("t-es"))
        opened = await service.publish(sample.nql_application_opened("t-es"))
        failed = await eventually(
            lambda: service.deliveries(status="failed"), seconds=10, what="failed delivery"
        )
        [envelope] = await alerts(vhost)
        outbox = await eventually(
            lambda: service.database[OUTBOX].find_one(
                {"_id": str(envelope.event_id), "status": "published"}
            ),
            what="the alert's outbox entry marked published",
        )
        delivery = await service.database[DELIVERIES].find_one({"_id": failed[0]["id"]})

    assert [(d["teacher_id"], d["attempts"]) for d in failed] == [("t-es", 2)]
    assert (envelope.event_type, envelope.event_version, envelope.producer) == (
        "notifications.delivery.failed",
        1,
        "notifications",
    )
    alert = DeliveryFailed.model_validate(envelope.payload)
    assert (alert.delivery_id, alert.channel, alert.recipient_id, alert.recipient_kind) == (
        failed[0]["id"],
        "email",
        "t-es",
        "teacher",
    )
    assert (alert.source_event_id, alert.source_event_type) == (
        str(opened.event_id),
        "awards.nql.application_opened",
    )
    assert alert.attempts == 2 and alert.last_error
    assert delivery is not None and delivery["failed_at"] == alert.failed_at
    assert "lucia@es.example" not in json.dumps(envelope.payload)
    assert outbox["attempts"] == 1


async def test_a_webhook_that_spends_its_budget_alerts_the_operators(
    settings_for: Any, sink: SmtpSink, bus: RabbitBroker, vhost: Vhost, always_down: Receiver
) -> None:
    await declare_alerts_queue(bus)
    app = build_app(settings_for(sink.url, webhook_max_attempts=2))
    async with running(app) as http:
        service = Notifications(app, http, bus)
        subscribed = await http.post(
            "/webhooks",
            json={"url": always_down.url, "secret": SECRET, "kinds": ["nql_application_opened"]},
            headers=OPERATOR,
        )
        assert subscribed.status_code == 201, subscribed.text
        await service.publish(sample.teacher_registered("t-pt"))
        opened = await service.publish(sample.nql_application_opened("t-pt"))
        [envelope] = await alerts(vhost)
        failed = await service.database[WEBHOOK_DELIVERIES].find({"status": "failed"}).to_list()
        await eventually(lambda: sink.mails, what="the mail, sent meanwhile")

    alert = DeliveryFailed.model_validate(envelope.payload)
    assert [d["_id"] for d in failed] == [alert.delivery_id]
    assert (alert.channel, alert.recipient_kind, alert.recipient_id) == (
        "webhook",
        "webhook",
        subscribed.json()["id"],
    )
    assert (alert.source_event_id, alert.attempts) == (str(opened.event_id), 2)
    assert "HTTP 503" in alert.last_error
    assert [status for _, _, status in always_down.received] == [503, 503]


async def test_a_worker_that_lost_its_lease_neither_fails_the_delivery_nor_alerts(
    service: Notifications,
) -> None:
    runtime = service.app.state.runtime
    failures = FailedDeliveries(runtime.unit_of_work, DELIVERIES, "email", max_attempts=1)
    delivery = {"_id": "d-lost", "event_id": "e-1", "event_type": "awards.nql.granted",
                "recipient_id": "t-es", "teacher_id": "t-es", "status": "pending",
                "attempts": 1, "lease_owner": "another-worker"}  # fmt: skip
    await service.database[DELIVERIES].insert_one(delivery)

    marked = await failures.mark_failed(delivery | {"lease_owner": "this-worker"}, "boom")

    assert marked is False
    stored = await service.database[DELIVERIES].find_one({"_id": "d-lost"})
    assert stored is not None and stored["status"] == "pending"
    alerts_queued = {"event_type": DeliveryFailed.event_type}
    assert await service.database[OUTBOX].count_documents(alerts_queued) == 0
    assert await failures.mark_failed(delivery, "boom") is True
    assert await service.database[OUTBOX].count_documents(alerts_queued) == 1
