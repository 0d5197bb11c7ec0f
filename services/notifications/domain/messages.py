"""Who receives a notification and what it becomes: an e-mail and an in-app inbox item.
Plain Python: no I/O."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

DELIVERY_NAMESPACE = uuid.UUID("6f1d1c3e-2b8a-4d0e-9f51-7c3a8e2b9d40")
INBOX_NAMESPACE = uuid.UUID("0b8f3a52-5d4e-4c1b-8a27-93f6e1d0c7a4")

RecipientKind = Literal["teacher", "staff", "guest"]  # guest: a person without an account
Channel = Literal["email", "inbox"]


@dataclass(frozen=True)
class Contact:
    """A teacher as the registration events made them known."""

    teacher_id: str
    name: str
    email: str
    language: str


@dataclass(frozen=True)
class Recipient:
    """Anyone a notification goes to: a teacher (id = teacher_id) or a staff member."""

    id: str
    kind: RecipientKind
    name: str
    email: str
    language: str
    channels: frozenset[Channel] = frozenset({"email", "inbox"})
    daily_digest: bool = False

    @classmethod
    def teacher(cls, contact: Contact) -> Recipient:
        return cls(contact.teacher_id, "teacher", contact.name, contact.email, contact.language)

    @property
    def teacher_id(self) -> str | None:
        return self.id if self.kind == "teacher" else None


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


def delivery_id(event_id: str, recipient_id: str) -> str:
    """One e-mail per (event, recipient): a redelivered event cannot produce a second one."""
    return str(uuid.uuid5(DELIVERY_NAMESPACE, f"{event_id}:{recipient_id}"))


def inbox_item_id(event_id: str, recipient_id: str) -> str:
    return str(uuid.uuid5(INBOX_NAMESPACE, f"{event_id}:{recipient_id}"))


@dataclass(frozen=True)
class MailDelivery:
    """One e-mail for one (event, recipient). Its id, and so its Message-ID, is derived from
    both: a redelivered event cannot produce a second e-mail."""

    id: str
    event_id: str
    event_type: str
    recipient_id: str
    teacher_id: str | None
    to: str
    language: str
    mail: RenderedMail
    about: str | None = None

    @classmethod
    def for_event(
        cls,
        event_id: str,
        event_type: str,
        recipient: Recipient,
        mail: RenderedMail,
        about: str | None = None,
    ) -> MailDelivery:
        """`about`: the event's aggregate (a teacher, for registration events), so that the
        teacher's erasure also reaches the mails and items that name them."""
        return cls(
            delivery_id(event_id, recipient.id), event_id, event_type, recipient.id,
            recipient.teacher_id, recipient.email, recipient.language, mail, about,
        )  # fmt: skip


@dataclass(frozen=True)
class InboxItem:
    """One in-app notification for one (event, recipient)."""

    id: str
    recipient_id: str
    recipient_kind: RecipientKind
    event_id: str
    event_type: str
    kind: str
    subject: str
    text: str
    created_at: datetime
    about: str | None = None

    @classmethod
    def for_event(
        cls,
        event_id: str,
        event_type: str,
        kind: str,
        recipient: Recipient,
        mail: RenderedMail,
        created_at: datetime,
        about: str | None = None,
    ) -> InboxItem:
        return cls(
            inbox_item_id(event_id, recipient.id), recipient.id, recipient.kind, event_id,
            event_type, kind, mail.subject, mail.text, created_at, about,
        )  # fmt: skip
