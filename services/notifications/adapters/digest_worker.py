"""Background worker that sends the daily digests that are due. Safe on several replicas:
a digest's id is fixed per member and day, and each is queued in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from services.notifications.adapters.repository import STAFF, staff_from
from services.notifications.domain.locale import DateFormatter
from services.notifications.domain.staff import digest_is_due
from services.notifications.service_layer.digests import send_daily_digest
from shared.logging import get_logger
from shared.storage.leases import utcnow
from shared.storage.unit_of_work import UnitOfWork
from shared.workers import PollingWorker

log = get_logger(__name__)


class DigestWorker(PollingWorker):
    name = "digest-worker"

    def __init__(
        self,
        uow: UnitOfWork,
        dates: DateFormatter,
        poll_seconds: float,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._uow = uow
        self._dates = dates
        self._now = now
        super().__init__(poll_seconds)

    async def work_once(self) -> int:
        return await self.send_due()

    async def send_due(self) -> int:
        now = self._now()
        sent = 0
        cursor = self._uow.database[STAFF].find({"digest": "daily"})
        for member in [staff_from(document) async for document in cursor]:
            if digest_is_due(member, now) and await send_daily_digest(
                self._uow, member, now, self._dates
            ):
                sent += 1
                log.info("digest.queued", staff_id=member.id)
        return sent
