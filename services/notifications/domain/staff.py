"""Staff of the National Support Organisations (per country) and of the Central Support
Service, as operators keep them in the directory. Plain Python: no I/O."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from services.notifications.domain.messages import Recipient

StaffRole = Literal["nso", "css"]
DigestMode = Literal["immediate", "daily"]


@dataclass(frozen=True)
class StaffMember:
    id: str
    subject: str
    name: str
    email: str
    language: str
    role: StaffRole
    country: str | None
    kinds: frozenset[str]
    digest: DigestMode = "immediate"
    digest_hour: int = 7

    def wants(self, kind: str) -> bool:
        """An empty subscription means every kind of notification."""
        return not self.kinds or kind in self.kinds

    def as_recipient(self) -> Recipient:
        return Recipient(
            self.id, "staff", self.name, self.email, self.language,
            daily_digest=self.digest == "daily",
        )  # fmt: skip


DIGEST_NAMESPACE = uuid.UUID("3c5e9a71-8f02-4b6d-9e13-5a7c2d4f8b60")


def digest_is_due(member: StaffMember, now: datetime) -> bool:
    """A daily digest goes out once a day, at or after the member's hour (UTC)."""
    return member.digest == "daily" and now.hour >= member.digest_hour


def digest_delivery_id(staff_id: str, day: date) -> str:
    """One digest per member and day: the e-mail's id, and so its Message-ID."""
    return str(uuid.uuid5(DIGEST_NAMESPACE, f"{staff_id}:{day.isoformat()}"))
