"""The end of a delivery's retry budget: the delivery is marked `failed` and
`notifications.delivery.failed` goes to the outbox in the same transaction, so operators are
alerted exactly when, and only if, the failure is recorded."""

from __future__ import annotations

import json
from typing import Literal

from services.notifications.domain.failures import delivery_failed
from shared.storage.leases import FAILED, utcnow
from shared.storage.mongo import Document
from shared.storage.unit_of_work import Transaction, UnitOfWork

Channel = Literal["email", "webhook"]


class FailedDeliveries:
    def __init__(
        self, uow: UnitOfWork, collection: str, channel: Channel, max_attempts: int
    ) -> None:
        self._uow = uow
        self._collection = collection
        self._channel = channel
        self._max_attempts = max_attempts

    def budget_spent(self, delivery: Document) -> bool:
        """Whether the attempt just made (counted when the delivery was claimed) was the last."""
        return int(delivery.get("attempts", 1)) >= self._max_attempts

    async def mark_failed(self, delivery: Document, error: str) -> bool:
        """False when the lease was lost meanwhile: another worker owns the delivery now."""
        event_id, event_type = _source_event(delivery)
        now = utcnow()  # the wall clock: when the attempt really failed, beside its lease
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)  # as MongoDB keeps it

        async def work(tx: Transaction) -> bool:
            result = await tx.collection(self._collection).update_one(
                {"_id": delivery["_id"], "lease_owner": delivery.get("lease_owner")},
                {
                    "$set": {"status": FAILED, "last_error": error[:2000], "failed_at": now},
                    "$unset": {"lease_until": "", "lease_owner": ""},
                },
                session=tx.session,
            )
            if result.modified_count != 1:
                return False
            await tx.emit(
                delivery_failed(delivery, self._channel, event_id, event_type, error, now)
            )
            return True

        return await self._uow.run(work)


def _source_event(delivery: Document) -> tuple[str, str]:
    if "event_id" in delivery:
        return str(delivery["event_id"]), str(delivery["event_type"])
    body = json.loads(delivery["body"])  # a webhook delivery keeps the event in its body
    return str(body["event_id"]), str(body["event_type"])
