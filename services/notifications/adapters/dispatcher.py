"""Works the mail delivery queue: claim, send over SMTP, mark sent; retry with backoff.

Sending cannot join a database transaction, so a crash after the SMTP server accepted a mail
and before it is marked sent resends it once the lease expires, with the same Message-ID.
That window is the documented at-least-once edge of e-mail."""

from __future__ import annotations

from collections.abc import Callable

from services.notifications.adapters.failed_deliveries import FailedDeliveries
from services.notifications.adapters.mailer import SmtpMailer
from shared.logging import get_logger
from shared.storage.leases import FAILED, PENDING, LeasedQueue, utcnow
from shared.storage.mongo import Document
from shared.workers import PollingWorker

log = get_logger(__name__)
SENT = "sent"


class MailDispatcher(PollingWorker):
    name = "mail-dispatcher"
    batch_size = 10

    def __init__(
        self,
        queue: LeasedQueue,
        mailer: SmtpMailer,
        mail_domain: str,
        poll_seconds: float,
        on_failed: Callable[[], None] = lambda: None,
        failures: FailedDeliveries | None = None,
    ) -> None:
        self._queue = queue
        self._failures = failures  # marks the last failure and alerts operators (outbox)
        self._on_failed = on_failed  # counts etwinning_deliveries_failed_total{channel="email"}
        self._mailer = mailer
        self._domain = mail_domain
        super().__init__(poll_seconds)

    async def work_once(self) -> int:
        return await self.send_pending()

    async def send_pending(self) -> int:
        """Claim due deliveries a batch at a time; send each and mark it sent at once, so a
        crash resends at most the one mail in flight."""
        sent = 0
        while batch := await self._queue.claim_batch(self.batch_size):
            for position, delivery in enumerate(batch):
                status = await self._send(delivery)
                sent += status == SENT
                if status == PENDING:
                    # The SMTP server is likely down: give the rest back, wait for the poll.
                    await self._queue.release_many(batch[position + 1 :])
                    return sent
            if len(batch) < self.batch_size:
                break  # nothing more was due: no extra query to find that out
        return sent

    async def _send(self, delivery: Document) -> str:
        """The delivery's status after this attempt: sent, pending (retried later), failed."""
        message_id = f"<{delivery['_id']}@{self._domain}>"
        fields = {"delivery_id": delivery["_id"], "event_id": delivery["event_id"]}
        try:
            await self._mailer.send(delivery, message_id)
        except Exception as error:
            status = await self._retry_or_fail(delivery, f"{type(error).__name__}: {error}")
            log.warning("mail.send_failed", error=repr(error), status=status, **fields)
            if status == FAILED:
                # Operators' alert: the retry budget is spent (visible in GET /deliveries).
                log.error("mail.delivery_failed", error=repr(error), **fields)
                self._on_failed()
            return status
        await self._queue.complete(delivery, SENT, sent_at=utcnow(), message_id=message_id)
        log.info("mail.sent", message_id=message_id, **fields)
        return SENT

    async def _retry_or_fail(self, delivery: Document, error: str) -> str:
        if self._failures is not None and self._failures.budget_spent(delivery):
            return FAILED if await self._failures.mark_failed(delivery, error) else "lost"
        return await self._queue.retry_later(delivery, error)
