"""Signed webhooks over the real broker and SecantusDB, to an HTTP receiver in the test: the
signature verifies with the subscriber's secret, a receiver outage is retried until one
delivery is accepted, and a duplicated event posts nothing twice."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from services.notifications.domain.webhooks import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    signature_matches,
)
from tests.integration.notifications.conftest import OPERATOR, Notifications
from tests.support import notifications_helpers as sample
from tests.support.probes import envelope_of, eventually

pytestmark = pytest.mark.integration

SECRET = "a-staff-system-secret-of-32-chars-or-more"


class Receiver:
    """A staff system's endpoint: answers with the scripted statuses, then 204."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.received: list[tuple[dict[str, str], bytes, int]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = receiver.statuses.pop(0) if receiver.statuses else 204
                receiver.received.append((dict(self.headers), body, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}/hooks/etwinning"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def accepted(self) -> list[tuple[dict[str, str], bytes, int]]:
        return [entry for entry in self.received if 200 <= entry[2] < 300]

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver([503, 500]) as started:  # the staff system is down at first
        yield started


async def test_a_signed_webhook_is_retried_until_accepted_once(
    service: Notifications, receiver: Receiver
) -> None:
    subscribed = await service.http.post(
        "/webhooks",
        json={"url": receiver.url, "secret": SECRET, "kinds": ["nql_application_opened"]},
        headers=OPERATOR,
    )
    assert subscribed.status_code == 201 and "secret" not in subscribed.json()
    webhook_id = subscribed.json()["id"]

    await service.publish(sample.teacher_registered("t-es"))
    opened = envelope_of(sample.nql_application_opened("t-es"))
    await service.publish(opened)
    await service.publish(opened)  # duplicated by the broker
    await service.publish(sample.teacher_validated("t-es"))  # a kind it did not subscribe to

    await eventually(receiver.accepted, seconds=10, what="an accepted webhook")
    await eventually(lambda: len(receiver.received) >= 3, what="the three attempts")
    assert [status for _, _, status in receiver.received] == [503, 500, 204]
    headers, body, _ = receiver.accepted()[0]
    assert signature_matches(SECRET, body, headers[SIGNATURE_HEADER])
    assert not signature_matches(
        "another-secret-another-secret-1234", body, headers[SIGNATURE_HEADER]
    )
    document = json.loads(body)
    assert document["event_id"] == str(opened.event_id)
    assert document["kind"] == "nql_application_opened"
    assert document["payload"]["application_id"] == "nql-t-es"
    assert {h[DELIVERY_HEADER] for h, _, _ in receiver.received} == {document["delivery_id"]}

    async def sent() -> list[dict[str, Any]]:
        response = await service.http.get(f"/webhooks/{webhook_id}/deliveries", headers=OPERATOR)
        found: list[dict[str, Any]] = response.json()
        return found if found and found[0]["status"] == "sent" else []

    deliveries_after = await eventually(sent, what="delivery marked sent")
    assert [(d["status"], d["attempts"]) for d in deliveries_after] == [("sent", 3)]


async def test_a_delivery_for_a_removed_subscription_is_cancelled_not_posted(
    service: Notifications,
) -> None:
    with Receiver([503] * 50) as down:  # down long enough for the operator to unsubscribe
        subscribed = await service.http.post(
            "/webhooks",
            json={"url": down.url, "secret": SECRET, "kinds": ["nql_application_opened"]},
            headers=OPERATOR,
        )
        webhook_id = subscribed.json()["id"]
        await service.publish(sample.teacher_registered("t-pt"))
        await service.publish(sample.nql_application_opened("t-pt"))
        await eventually(lambda: down.received, seconds=10, what="a first, refused attempt")

        removed = await service.http.delete(f"/webhooks/{webhook_id}", headers=OPERATOR)
        assert removed.status_code == 204

        async def cancelled() -> list[dict[str, Any]]:
            response = await service.http.get(
                f"/webhooks/{webhook_id}/deliveries", headers=OPERATOR
            )
            found: list[dict[str, Any]] = response.json()
            return found if found and found[0]["status"] == "cancelled" else []

        deliveries = await eventually(cancelled, seconds=10, what="the delivery cancelled")
        attempts_when_cancelled = len(down.received)

    assert len(deliveries) == 1
    assert attempts_when_cancelled == deliveries[0]["attempts"] - 1  # the last one posted nothing
    assert not down.accepted()
