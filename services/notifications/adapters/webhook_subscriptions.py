"""The webhook subscriptions every notified event needs, read at most once per `max_age`.

Every event with a rule used to read the whole subscriptions collection inside its transaction.
This process's own API invalidates the copy when it adds or removes a subscription; other
replicas see the change within `max_age` (WEBHOOK_SUBSCRIPTIONS_MAX_AGE_SECONDS; 0 reads for
every event). A delivery queued for a subscription removed meanwhile is cancelled when sent.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from services.notifications.adapters.repository import WebhookBook
from services.notifications.domain.webhooks import WebhookSubscription
from shared.storage.unit_of_work import Transaction


class SubscriptionCache:
    def __init__(self, max_age_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._max_age = max_age_seconds
        self._clock = clock
        self._subscriptions: list[WebhookSubscription] | None = None
        self._read_at = 0.0

    async def current(self, tx: Transaction) -> list[WebhookSubscription]:
        now = self._clock()
        if self._subscriptions is None or now - self._read_at >= self._max_age:
            self._subscriptions = await WebhookBook(tx).all()
            self._read_at = now
        return self._subscriptions

    def invalidate(self) -> None:
        self._subscriptions = None
