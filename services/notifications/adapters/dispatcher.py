"""Works the mail delivery queue: claim, send over SMTP, mark sent; retry with backoff.

Sending cannot join a database transaction, so a crash after the SMTP server accepted a mail
and before it is marked sent resends it once the lease expires, with the same Message-ID.
That window is the documented at-least-once edge of e-mail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.notifications.adapters.delivery_worker import DeliveryWorker
from services.notifications.adapters.failed_deliveries import FailedDeliveries
from services.notifications.adapters.mailer import SmtpMailer
from shared.storage.leases import LeasedQueue
from shared.storage.mongo import Document


class MailDispatcher(DeliveryWorker):
    name = "mail-dispatcher"
    channel = "mail"
    failure_stops_the_batch = True

    def __init__(
        self,
        queue: LeasedQueue,
        mailer: SmtpMailer,
        mail_domain: str,
        poll_seconds: float,
        on_failed: Callable[[], None] = lambda: None,
        failures: FailedDeliveries | None = None,
    ) -> None:
        self._mailer = mailer
        self._domain = mail_domain
        super().__init__(queue, poll_seconds, on_failed, failures)

    def log_fields(self, delivery: Document) -> dict[str, Any]:
        return {"delivery_id": delivery["_id"], "event_id": delivery["event_id"]}

    async def deliver(self, delivery: Document) -> dict[str, Any]:
        message_id = f"<{delivery['_id']}@{self._domain}>"
        await self._mailer.send(delivery, message_id)
        return {"message_id": message_id}
