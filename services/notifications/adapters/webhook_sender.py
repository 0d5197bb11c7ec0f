"""Works the webhook delivery queue: claim, sign, POST, mark sent; retry with backoff through
the same LeasedQueue as e-mail. A receiver deduplicates on X-Etwinning-Delivery: a crash
after its 2xx and before the mark posts the same delivery once more."""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from services.notifications.adapters.delivery_worker import DeliveryCancelled, DeliveryWorker
from services.notifications.adapters.failed_deliveries import FailedDeliveries
from services.notifications.domain.webhooks import DELIVERY_HEADER, SIGNATURE_HEADER, sign
from shared.storage.leases import LeasedQueue
from shared.storage.mongo import Document


class WebhookRefused(Exception):
    """The receiver answered, but not with 2xx."""


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


class WebhookDispatcher(DeliveryWorker):
    name = "webhook-dispatcher"
    channel = "webhook"

    def __init__(
        self,
        queue: LeasedQueue,
        subscriptions: AsyncCollection[Document],
        poll_seconds: float,
        timeout_seconds: float = 10.0,
        on_failed: Callable[[], None] = lambda: None,
        failures: FailedDeliveries | None = None,
    ) -> None:
        self._subscriptions = subscriptions
        self._timeout = timeout_seconds
        self._secrets: dict[str, str] = {}  # of the subscriptions of the batch in hand
        super().__init__(queue, poll_seconds, on_failed, failures)

    async def prepare(self, batch: list[Document]) -> None:
        wanted = list({delivery["subscription_id"] for delivery in batch})
        cursor = self._subscriptions.find({"_id": {"$in": wanted}}, {"secret": 1})
        self._secrets = {document["_id"]: document["secret"] async for document in cursor}

    def log_fields(self, delivery: Document) -> dict[str, Any]:
        return {"delivery_id": delivery["_id"], "subscription_id": delivery["subscription_id"]}

    async def deliver(self, delivery: Document) -> dict[str, Any]:
        secret = self._secrets.get(delivery["subscription_id"])
        if secret is None:
            raise DeliveryCancelled(f"subscription {delivery['subscription_id']} was removed")
        body = delivery["body"].encode("utf-8")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            SIGNATURE_HEADER: sign(secret, body),
            DELIVERY_HEADER: delivery["_id"],
        }
        status = await asyncio.to_thread(_post, delivery["url"], body, headers, self._timeout)
        if not 200 <= status < 300:
            raise WebhookRefused(f"HTTP {status}")
        return {}
