"""Event handlers of the notifications service. Each runs in the consumer's inbox
transaction: the read models it keeps, the mails it queues and the inbox items it writes
commit once per event. Which event notifies whom is data (rules.json), not code."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from services.notifications.adapters.nql_values import VALUES_BY_EVENT_TYPE
from services.notifications.adapters.repository import (
    DELIVERIES,
    INBOX_ITEMS,
    WEBHOOK_DELIVERIES,
    ContactBook,
    ProjectBook,
    SchoolBook,
    StaffDirectory,
    delivery_document,
    inbox_item_document,
    webhook_delivery_document,
)
from services.notifications.adapters.templates import render
from services.notifications.adapters.webhook_subscriptions import SubscriptionCache
from services.notifications.domain.links import ActionLinks
from services.notifications.domain.locale import DateFormatter, LocaleFormatter, as_date
from services.notifications.domain.messages import (
    Contact,
    InboxItem,
    MailDelivery,
    Recipient,
)
from services.notifications.domain.places import country_names, is_country_field
from services.notifications.domain.rules import (
    Address,
    ProjectMembers,
    RecipientQuery,
    Rule,
    RuleBook,
    Staff,
    Teachers,
)
from services.notifications.domain.webhooks import (
    WebhookSubscription,
    webhook_body,
    webhook_delivery_id,
)
from services.notifications.service_layer.read_models import READ_MODEL_UPDATES
from shared.envelope import EventEnvelope
from shared.errors import TransientError
from shared.events.base import EventPayload
from shared.logging import get_logger
from shared.messaging.consumer import EventHandler, IdempotentHandler
from shared.storage.deferred import insert_if_absent
from shared.storage.unit_of_work import Transaction

log = get_logger(__name__)
_COUNTRY_CODE = re.compile(r"[A-Z]{2}")


class Notifier:
    """Applies the rule book to one event: recipients, templates, channels."""

    def __init__(
        self,
        rules: RuleBook,
        dates: LocaleFormatter,
        subscriptions: SubscriptionCache,
        links: ActionLinks | None = None,
    ) -> None:
        self._rules = rules
        self._dates = dates
        self._subscriptions = subscriptions
        self._links = links or ActionLinks("")

    async def __call__(self, event: EventPayload, envelope: EventEnvelope, tx: Transaction) -> None:
        payload = event.model_dump(mode="json")
        rules = self._rules.matching(envelope.event_type, payload)
        if not rules:
            return
        names = await _names(event, tx)
        subscriptions = await self._subscriptions.current(tx)
        for rule in rules:
            for recipient in await _recipients(rule, payload, tx):
                self._notify(rule, recipient, event, envelope, names, tx)
            wanting = [s for s in subscriptions if s.wants(rule.kind)]
            _post_to_webhooks(rule, wanting, payload, envelope, tx)

    def _notify(
        self,
        rule: Rule,
        recipient: Recipient,
        event: EventPayload,
        envelope: EventEnvelope,
        names: Mapping[str, str],
        tx: Transaction,
    ) -> None:
        values = {**self._values(event, envelope, recipient.language), **names}
        payload = event.model_dump(mode="json")
        if (action_url := self._links.url_for(rule.template, payload)) is not None:
            values["action_url"] = action_url
        values["recipient_name"] = recipient.name
        values.setdefault("name", recipient.name)
        html_values: dict[str, str] = {}
        if (localised := VALUES_BY_EVENT_TYPE.get(envelope.event_type)) is not None:
            more, html_values = localised(payload, recipient.language, self._dates)
            values |= more
        mail = render(rule.template, recipient.language, values, html_values)
        event_id = str(envelope.event_id)
        if "inbox" in rule.channels or recipient.daily_digest:
            item = InboxItem.for_event(
                event_id, envelope.event_type, rule.kind, recipient, mail, envelope.occurred_at,
                envelope.aggregate_id,
            )  # fmt: skip
            in_digest = "email" in rule.channels and recipient.daily_digest
            tx.defer(insert_if_absent(INBOX_ITEMS, inbox_item_document(item, digest=in_digest)))
        if "email" in rule.channels and not recipient.daily_digest:
            delivery = MailDelivery.for_event(
                event_id, envelope.event_type, recipient, mail, envelope.aggregate_id
            )
            tx.enqueue(DELIVERIES, delivery_document(delivery))
        log.info("notification.queued", rule=rule.id, recipient_id=recipient.id)

    def _values(
        self, event: EventPayload, envelope: EventEnvelope, language: str
    ) -> dict[str, str]:
        values = _flatten(event.model_dump(), language, self._dates)
        values |= _countries_named(event.model_dump(), language)
        values["occurred_on"] = self._dates.format_date(as_date(envelope.occurred_at), language)
        return values


class _NoDates:
    """Country codes are looked for among plain values: dates are left as they are."""

    def format_date(self, value: Any, language: str) -> str:
        return str(value)


_NO_DATES = _NoDates()


def _post_to_webhooks(
    rule: Rule,
    subscriptions: list[WebhookSubscription],
    payload: dict[str, Any],
    envelope: EventEnvelope,
    tx: Transaction,
) -> None:
    event_id = str(envelope.event_id)
    for subscription in subscriptions:
        delivery_id = webhook_delivery_id(event_id, subscription.id, rule.id)
        body = webhook_body(
            delivery_id, rule.kind, event_id, envelope.event_type, envelope.occurred_at, payload
        )
        tx.enqueue(
            WEBHOOK_DELIVERIES,
            webhook_delivery_document(delivery_id, subscription.id, subscription.url, body),
        )


def _flatten(
    data: Mapping[str, Any], language: str, dates: DateFormatter, prefix: str = ""
) -> dict[str, str]:
    """Payload fields as template values: nested fields joined by `_`, dates localised."""
    values: dict[str, str] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            values.update(_flatten(value, language, dates, f"{name}_"))
        elif isinstance(value, list):
            values[name] = ", ".join(str(item) for item in value if not isinstance(item, Mapping))
        elif hasattr(value, "year"):
            values[name] = dates.format_date(as_date(value), language)
        else:
            values[name] = "" if value is None else str(value)
    return values


def _countries_named(payload: Mapping[str, Any], language: str) -> dict[str, str]:
    """Country codes of the payload (nested ones too: `founder_country`) as the reader names
    the countries: España, not ES."""
    named: dict[str, str] = {}
    for key, value in _flatten(payload, language, _NO_DATES).items():
        codes = value.split(", ") if value else []
        if is_country_field(key) and codes and all(_COUNTRY_CODE.fullmatch(c) for c in codes):
            named[key] = country_names(codes, language)
    return named


async def _names(event: EventPayload, tx: Transaction) -> dict[str, str]:
    """Names a payload only refers to, from the read models."""
    names: dict[str, str] = {}
    project_id = getattr(event, "project_id", None)
    if project_id is not None:
        title = getattr(event, "title", None) or getattr(event, "project_title", None)
        if title is None:
            project = await ProjectBook(tx).find(project_id)
            title = (project or {}).get("title") or project_id
        names["project_title"] = title
    school_id = getattr(event, "school_id", None)
    if school_id is not None and getattr(event, "school_name", None) is None:
        names["school_name"] = await SchoolBook(tx).name_of(school_id) or school_id
    return names


async def _recipients(rule: Rule, payload: Mapping[str, Any], tx: Transaction) -> list[Recipient]:
    found: dict[str, Recipient] = {}
    for query in rule.recipients_of(payload):
        for recipient in await _resolve(query, rule, tx):
            found.setdefault(recipient.id, recipient)
    return list(found.values())


async def _resolve(query: RecipientQuery, rule: Rule, tx: Transaction) -> list[Recipient]:
    if isinstance(query, Address):
        if not query.email:
            return []
        guest = Recipient(
            f"mailto:{query.email}", "guest", query.name or query.email, query.email,
            query.language, frozenset({"email"}),
        )  # fmt: skip
        return [guest]
    if isinstance(query, Staff):
        staff = await StaffDirectory(tx).with_role(query.role, query.countries)
        return [member.as_recipient() for member in staff if member.wants(rule.kind)]
    if isinstance(query, ProjectMembers):
        project = await ProjectBook(tx).find(query.project_id)
        if project is None:
            log.warning("notification.unknown_project", project_id=query.project_id)
            return []
        query = Teachers(tuple(project.get("members", [])))
    contacts = await ContactBook(tx).find_many(query.ids)
    return [r for teacher_id in query.ids if (r := _teacher(teacher_id, contacts)) is not None]


def _teacher(teacher_id: str, contacts: Mapping[str, Contact | bool | None]) -> Recipient | None:
    contact = contacts[teacher_id]
    if contact is False:
        log.info("notification.skipped_erased_recipient", teacher_id=teacher_id)
        return None
    if contact is None:
        # The registration event that introduces this teacher may still be on its way.
        raise TransientError(f"no contact yet for teacher {teacher_id}")
    assert isinstance(contact, Contact)
    return Recipient.teacher(contact)


def build_handlers(
    rules: RuleBook,
    dates: LocaleFormatter,
    subscriptions: SubscriptionCache,
    links: ActionLinks | None = None,
) -> dict[str, EventHandler]:
    """One handler per event type: update the read models first, then apply the rules."""
    notifier = Notifier(rules, dates, subscriptions, links)
    handlers: dict[str, EventHandler] = {}
    for event_type in sorted(rules.event_types() | set(READ_MODEL_UPDATES)):
        update = READ_MODEL_UPDATES.get(event_type)
        notify = event_type in rules.event_types()
        if update is None:
            # the rules' writes are upserts keyed by the event: no transaction needed
            handlers[event_type] = IdempotentHandler(notifier)
        else:
            handlers[event_type] = _compose(update, notifier if notify else None)
    return handlers


def _compose(update: Any, notifier: Notifier | None) -> EventHandler:
    async def handle(event: Any, envelope: EventEnvelope, tx: Transaction) -> None:
        if update is not None:
            await update(event, envelope, tx)
        if notifier is not None:
            await notifier(event, envelope, tx)

    return handle
