"""What operators are told about a failed delivery: who and what, never an address."""

from __future__ import annotations

from datetime import UTC, datetime

from services.notifications.domain.failures import (
    MAX_ERROR_LENGTH,
    delivery_failed,
    without_addresses,
)

AT = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


def test_addresses_in_an_smtp_error_are_masked() -> None:
    error = "SMTPRecipientsRefused: {'lucia@es.example': (550, b'5.1.1 <lucia@es.example>')}"

    masked = without_addresses(error)

    assert "lucia" not in masked and "es.example" not in masked
    assert masked == "SMTPRecipientsRefused: {'<address>': (550, b'5.1.1 <<address>>')}"


def test_a_long_error_is_cut() -> None:
    assert len(without_addresses("x" * 5000)) == MAX_ERROR_LENGTH


def test_a_mail_to_a_teacher_and_to_a_staff_member() -> None:
    mail = {"_id": "d-1", "recipient_id": "t-es", "teacher_id": "t-es", "attempts": 3,
            "to": "lucia@es.example"}  # fmt: skip
    to_staff = mail | {"recipient_id": "staff-1", "teacher_id": None}

    event = delivery_failed(mail, "email", "e-1", "awards.nql.granted", "boom", AT)
    staff_event = delivery_failed(to_staff, "email", "e-1", "awards.nql.applied", "boom", AT)

    assert (event.recipient_id, event.recipient_kind, event.attempts) == ("t-es", "teacher", 3)
    assert (staff_event.recipient_id, staff_event.recipient_kind) == ("staff-1", "staff")
    assert "lucia@es.example" not in event.model_dump_json()


def test_a_webhook_names_its_subscription() -> None:
    webhook = {"_id": "w-1", "subscription_id": "sub-1", "attempts": 12, "url": "http://x"}

    event = delivery_failed(webhook, "webhook", "e-1", "awards.nql.granted", "HTTP 503", AT)

    assert (event.channel, event.recipient_kind, event.recipient_id) == (
        "webhook",
        "webhook",
        "sub-1",
    )
    assert event.aggregate_id() == "w-1"
