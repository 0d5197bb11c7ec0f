"""Daily digests: a staff member who chose one gets their day's notifications gathered in
one e-mail at their hour, instead of one e-mail each. The items wait in the inbox, marked
`digest: pending`; one unit of work queues the digest mail and marks them included."""

from __future__ import annotations

from datetime import datetime
from html import escape

from services.notifications.adapters.repository import (
    DELIVERIES,
    INBOX_ITEMS,
    delivery_document,
)
from services.notifications.adapters.templates import render
from services.notifications.domain.locale import DateFormatter
from services.notifications.domain.messages import MailDelivery
from services.notifications.domain.staff import StaffMember, digest_delivery_id
from shared.storage.unit_of_work import Transaction, UnitOfWork

DIGEST_EVENT_TYPE = "notifications.digest"


async def send_daily_digest(
    uow: UnitOfWork, member: StaffMember, now: datetime, dates: DateFormatter
) -> bool:
    """Queue today's digest of `member` if there is something to tell; True if queued."""
    delivery_id = digest_delivery_id(member.id, now.date())

    async def work(tx: Transaction) -> bool:
        session = tx.session
        if await tx.collection(DELIVERIES).find_one({"_id": delivery_id}, session=session):
            return False  # today's digest is already on its way
        query = {"recipient_id": member.id, "digest": "pending"}
        items = (
            await tx.collection(INBOX_ITEMS)
            .find(query, session=session)
            .sort("created_at", 1)
            .to_list()
        )
        if not items:
            return False
        values = {
            "recipient_name": member.name,
            "date": dates.format_date(now.date(), member.language),
            "count": str(len(items)),
            "items": "\n".join(f"- {item['subject']}" for item in items),
        }
        html_items = "\n".join(f"<li>{escape(item['subject'])}</li>" for item in items)
        mail = render("daily_digest", member.language, values, {"items_html": html_items})
        recipient = member.as_recipient()
        delivery = MailDelivery(
            delivery_id, delivery_id, DIGEST_EVENT_TYPE, member.id, None, recipient.email,
            member.language, mail,
        )  # fmt: skip
        tx.enqueue(DELIVERIES, delivery_document(delivery))
        await tx.collection(INBOX_ITEMS).update_many(
            {"_id": {"$in": [item["_id"] for item in items]}},
            {"$set": {"digest": delivery_id}},
            session=session,
        )
        return True

    return await uow.run(work)
