"""Signed webhooks: staff systems subscribe to notification kinds and receive each matching
notification as a JSON POST, signed with their secret. Plain Python: no I/O."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

WEBHOOK_NAMESPACE = uuid.UUID("9a4d2f18-6c3b-4e7a-b05d-1e8f7c2a6d93")
SIGNATURE_HEADER = "X-Etwinning-Signature"
DELIVERY_HEADER = "X-Etwinning-Delivery"


def sign(secret: str, body: bytes) -> str:
    """`sha256=<hex>`: HMAC-SHA256 of the exact body bytes, keyed with the subscriber's secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_matches(secret: str, body: bytes, header: str) -> bool:
    return hmac.compare_digest(sign(secret, body), header)


@dataclass(frozen=True)
class WebhookSubscription:
    id: str
    url: str
    secret: str
    kinds: frozenset[str]

    def wants(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds


def webhook_delivery_id(event_id: str, subscription_id: str, rule_id: str) -> str:
    """One POST per (event, subscription, rule): a redelivered event posts nothing twice."""
    return str(uuid.uuid5(WEBHOOK_NAMESPACE, f"{event_id}:{subscription_id}:{rule_id}"))


def webhook_body(
    delivery_id: str,
    kind: str,
    event_id: str,
    event_type: str,
    occurred_at: datetime,
    payload: dict[str, Any],
) -> str:
    document = {
        "delivery_id": delivery_id,
        "kind": kind,
        "event_id": event_id,
        "event_type": event_type,
        "occurred_at": occurred_at.isoformat(),
        "payload": payload,
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True)
