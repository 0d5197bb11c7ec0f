"""`etwinning_deliveries_failed_total{channel}`: a mail and a webhook that spend their attempts
are counted once each, per channel, on the notifications service's /metrics."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from services.notifications.bootstrap import build_app
from services.notifications.config import NotificationsSettings
from shared.http.auth import Principal, mint_token
from shared.settings import DEV_JWT_SECRET
from shared.storage.mongo import INBOX
from tests.support import notifications_helpers as sample
from tests.support.probes import envelope_of, eventually, publish_envelope
from tests.support.servers import Vhost, connected_broker
from tests.support.services import running, service_settings
from tools.smtp_sink import SmtpSink

pytestmark = [pytest.mark.integration]

OPERATOR = {
    "Authorization": "Bearer "
    + mint_token(
        Principal(subject="operator:tests", role="operator"),
        secret=DEV_JWT_SECRET,
        issuer="etwinning-platform",
    )
}


@pytest.fixture
def broken_receiver() -> Iterator[str]:
    """A staff system's webhook endpoint that always answers 500."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hooks"
    server.shutdown()
    server.server_close()


def _sample(metrics: str, channel: str) -> float:
    prefix = f'etwinning_deliveries_failed_total{{channel="{channel}"}} '
    lines = [line for line in metrics.splitlines() if line.startswith(prefix)]
    assert len(lines) == 1, metrics
    return float(lines[0].removeprefix(prefix))


async def test_failed_mail_and_webhook_deliveries_are_counted(
    vhost: Vhost, mongodb_url: str, database_prefix: str, broken_receiver: str
) -> None:
    smtp_down = SmtpSink()  # never started: nothing listens on its port
    settings = NotificationsSettings(
        **service_settings(
            "notifications", amqp_url=vhost.url, mongodb_url=mongodb_url, prefix=database_prefix
        ),
        smtp_url=smtp_down.url,
        mail_poll_seconds=0.1,
        webhook_poll_seconds=0.1,
        mail_base_backoff_seconds=0.05,
        mail_max_backoff_seconds=0.1,
        mail_max_attempts=2,
        webhook_max_attempts=2,
        digest_poll_seconds=3600,
    )
    app = build_app(settings)
    async with running(app) as http:
        before = (await http.get("/metrics")).text
        subscribed = await http.post(
            "/webhooks",
            json={
                "url": broken_receiver,
                "secret": "a-staff-system-secret-of-32-chars-or-more",
                "kinds": ["nql_application_opened"],
            },
            headers=OPERATOR,
        )
        assert subscribed.status_code == 201, subscribed.text
        webhook_id = subscribed.json()["id"]
        broker = await connected_broker(vhost)
        try:
            for payload in (
                sample.teacher_registered("t-es"),
                sample.nql_application_opened("t-es"),
            ):
                envelope = envelope_of(payload)
                await publish_envelope(broker, envelope)
                record = {"_id": f"notifications:{envelope.event_id}"}
                await eventually(lambda r=record: app.state.runtime.database[INBOX].find_one(r))
        finally:
            await broker.stop()

        async def failed(path: str) -> list[dict[str, Any]]:
            found: list[dict[str, Any]] = (await http.get(path, headers=OPERATOR)).json()
            return [d for d in found if d["status"] == "failed"]

        await eventually(lambda: failed("/deliveries?teacher_id=t-es"), what="failed mail")
        await eventually(
            lambda: failed(f"/webhooks/{webhook_id}/deliveries"), what="failed webhook"
        )
        after = (await http.get("/metrics")).text

    # Both series exist from the start, at 0, so an alert rule sees them before any failure.
    assert (_sample(before, "email"), _sample(before, "webhook")) == (0.0, 0.0)
    assert (_sample(after, "email"), _sample(after, "webhook")) == (1.0, 1.0)
