"""Works the webhook delivery queue: claim, sign, POST, mark sent; retry with backoff through
the same LeasedQueue as e-mail. A receiver deduplicates on X-Etwinning-Delivery: a crash
after its 2xx and before the mark posts the same delivery once more."""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request
from collections.abc import Callable

from pymongo.asynchronous.collection import AsyncCollection

from services.notifications.adapters.failed_deliveries import FailedDeliveries
from services.notifications.domain.webhooks import DELIVERY_HEADER, SIGNATURE_HEADER, sign
from shared.logging import get_logger
from shared.storage.leases import FAILED, LeasedQueue, utcnow
from shared.storage.mongo import Document
from shared.workers import PollingWorker

log = get_logger(__name__)


class WebhookRefused(Exception):
    """The receiver answered, but not with 2xx."""


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


class WebhookDispatcher(PollingWorker):
    name = "webhook-dispatcher"

    def __init__(
        self,
        queue: LeasedQueue,
        subscriptions: AsyncCollection[Document],
        poll_seconds: float,
        timeout_seconds: float = 10.0,
        on_failed: Callable[[], None] = lambda: None,
        failures: FailedDeliveries | None = None,
    ) -> None:
        self._queue = queue
        self._failures = failures  # marks the last failure and alerts operators (outbox)
        self._on_failed = on_failed  # counts etwinning_deliveries_failed_total{channel="webhook"}
        self._subscriptions = subscriptions
        self._timeout = timeout_seconds
        super().__init__(poll_seconds)

    async def work_once(self) -> int:
        return await self.send_pending()

    async def send_pending(self) -> int:
        sent = 0
        while (delivery := await self._queue.claim()) is not None:
            fields = {
                "delivery_id": delivery["_id"],
                "subscription_id": delivery["subscription_id"],
            }
            subscription = await self._subscriptions.find_one({"_id": delivery["subscription_id"]})
            if subscription is None:
                await self._queue.complete(delivery, "cancelled")
                continue
            try:
                await self._send(delivery, subscription["secret"])
            except Exception as error:
                status = await self._retry_or_fail(delivery, f"{type(error).__name__}: {error}")
                log.warning("webhook.send_failed", error=repr(error), status=status, **fields)
                if status == FAILED:
                    log.error("webhook.delivery_failed", error=repr(error), **fields)
                    self._on_failed()
                continue
            await self._queue.complete(delivery, "sent", sent_at=utcnow())
            sent += 1
            log.info("webhook.sent", **fields)
        return sent

    async def _retry_or_fail(self, delivery: Document, error: str) -> str:
        if self._failures is not None and self._failures.budget_spent(delivery):
            return FAILED if await self._failures.mark_failed(delivery, error) else "lost"
        return await self._queue.retry_later(delivery, error)

    async def _send(self, delivery: Document, secret: str) -> None:
        body = delivery["body"].encode("utf-8")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            SIGNATURE_HEADER: sign(secret, body),
            DELIVERY_HEADER: delivery["_id"],
        }
        status = await asyncio.to_thread(_post, delivery["url"], body, headers, self._timeout)
        if not 200 <= status < 300:
            raise WebhookRefused(f"HTTP {status}")
