"""Webhook subscriptions of staff systems, managed by operators, and what was posted."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from pydantic import AnyHttpUrl, BaseModel, Field, UrlConstraints

from services.notifications.adapters import queries
from services.notifications.adapters.webhook_subscriptions import SubscriptionCache
from services.notifications.entrypoints.access import POLICY
from services.notifications.entrypoints.staff import known_kinds
from shared.errors import NotFound
from shared.http.access import Grant
from shared.http.inputs import Identifier, Keyword, Secret
from shared.http.problems import HttpProblem
from shared.runtime import runtime_of

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


class WebhookIn(BaseModel):
    url: Annotated[AnyHttpUrl, UrlConstraints(max_length=2_048)]
    secret: Annotated[Secret, Field(min_length=32)] = Field(
        description="Key of the HMAC-SHA256 signature in X-Etwinning-Signature; never shown.",
    )
    kinds: list[Keyword] = Field(
        default_factory=list, max_length=100, description="Kinds wanted; empty: all."
    )


class WebhookOut(BaseModel):
    id: str
    url: str
    kinds: list[str]


class WebhookDeliveryOut(BaseModel):
    id: str
    status: str
    attempts: int
    sent_at: datetime | None = None
    last_error: str | None = None
    body: str


def _subscriptions_changed(request: Request) -> None:
    """This replica's handlers see the change at once; the others within the cache's age."""
    subscriptions: SubscriptionCache = request.app.state.webhook_subscriptions
    subscriptions.invalidate()


def _out(document: dict[str, Any]) -> WebhookOut:
    return WebhookOut(id=document["_id"], url=document["url"], kinds=document["kinds"])


@router.post("", status_code=201)
async def subscribe(
    request: Request, body: WebhookIn, _: Annotated[Grant, POLICY.grant("webhooks.subscribe")]
) -> WebhookOut:
    unknown = sorted(set(body.kinds) - known_kinds(request))
    if unknown:
        raise HttpProblem(422, "unknown_notification_kind", f"unknown kinds {unknown}")
    document = {
        "_id": f"wh-{uuid.uuid4().hex[:16]}",
        "url": str(body.url),
        "secret": body.secret,
        "kinds": sorted(set(body.kinds)),
    }
    await queries.add_webhook(runtime_of(request).database, document)
    _subscriptions_changed(request)
    return _out(document)


@router.get("")
async def list_webhooks(
    request: Request, _: Annotated[Grant, POLICY.grant("webhooks.list")]
) -> list[WebhookOut]:
    return [_out(document) for document in await queries.webhooks(runtime_of(request).database)]


@router.delete("/{webhook_id}", status_code=204)
async def unsubscribe(
    request: Request,
    webhook_id: Identifier,
    _: Annotated[Grant, POLICY.grant("webhooks.unsubscribe")],
) -> Response:
    if not await queries.remove_webhook(runtime_of(request).database, webhook_id):
        raise NotFound(f"no webhook {webhook_id}", reason="webhook_not_found")
    _subscriptions_changed(request)
    return Response(status_code=204)


@router.get("/{webhook_id}/deliveries")
async def deliveries(
    request: Request,
    webhook_id: Identifier,
    _: Annotated[Grant, POLICY.grant("webhooks.deliveries")],
) -> list[WebhookDeliveryOut]:
    found = await queries.webhook_deliveries(runtime_of(request).database, webhook_id)
    return [
        WebhookDeliveryOut(id=d["_id"], **{k: v for k, v in d.items() if k != "_id"}) for d in found
    ]
