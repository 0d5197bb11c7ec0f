"""Webhook signatures and delivery ids (domain, no I/O)."""

from __future__ import annotations

import hashlib
import hmac

from services.notifications.domain.webhooks import (
    WebhookSubscription,
    sign,
    signature_matches,
    webhook_delivery_id,
)

SECRET = "s" * 32
BODY = b'{"kind":"nql_application_opened"}'


def test_the_signature_is_hmac_sha256_of_the_body() -> None:
    expected = hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, BODY) == f"sha256={expected}"


def test_a_tampered_body_or_another_secret_does_not_verify() -> None:
    header = sign(SECRET, BODY)
    assert signature_matches(SECRET, BODY, header)
    assert not signature_matches(SECRET, BODY + b" ", header)
    assert not signature_matches("t" * 32, BODY, header)


def test_one_delivery_per_event_subscription_and_rule() -> None:
    first = webhook_delivery_id("e-1", "wh-1", "rule")
    assert first == webhook_delivery_id("e-1", "wh-1", "rule")
    assert first != webhook_delivery_id("e-2", "wh-1", "rule")
    assert first != webhook_delivery_id("e-1", "wh-2", "rule")


def test_an_empty_subscription_wants_every_kind() -> None:
    assert WebhookSubscription("wh", "http://x", SECRET, frozenset()).wants("any")
    only = WebhookSubscription("wh", "http://x", SECRET, frozenset({"a"}))
    assert only.wants("a") and not only.wants("b")
