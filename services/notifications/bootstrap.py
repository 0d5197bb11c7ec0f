"""Composition root of the notifications service."""

from __future__ import annotations

from fastapi import FastAPI

from services.notifications.adapters.action_links import load_action_links
from services.notifications.adapters.digest_worker import DigestWorker
from services.notifications.adapters.dispatcher import MailDispatcher
from services.notifications.adapters.failed_deliveries import FailedDeliveries
from services.notifications.adapters.mailer import SmtpMailer
from services.notifications.adapters.repository import (
    DELIVERIES,
    WEBHOOK_DELIVERIES,
    WEBHOOKS,
    ensure_indexes,
)
from services.notifications.adapters.rules_file import load_rules
from services.notifications.adapters.webhook_sender import WebhookDispatcher
from services.notifications.adapters.webhook_subscriptions import SubscriptionCache
from services.notifications.config import NotificationsSettings
from services.notifications.domain.locale import default_date_formatter
from services.notifications.entrypoints.http import routers
from services.notifications.service_layer.handlers import build_handlers
from shared.clock import Clock, SystemClock
from shared.events.notifications import DeliveryFailed
from shared.identity.links import teacher_of_subject, with_link_indexes
from shared.runtime import Runtime, ServiceDefinition, create_app
from shared.storage.leases import LeasedQueue


def definition(
    settings: NotificationsSettings | None = None, clock: Clock | None = None
) -> ServiceDefinition:
    settings = settings or NotificationsSettings()
    clock = clock or SystemClock()
    rules = load_rules(settings.notification_rules_path)
    dates = default_date_formatter()
    subscriptions = SubscriptionCache(settings.webhook_subscriptions_max_age_seconds)
    links = load_action_links(settings.portal_base_url, settings.action_links_path)

    def mail_dispatcher(runtime: Runtime) -> MailDispatcher:
        queue = LeasedQueue(
            runtime.database[DELIVERIES],
            lease_seconds=60,
            max_attempts=settings.mail_max_attempts,
            base_backoff_seconds=settings.mail_base_backoff_seconds,
            max_backoff_seconds=settings.mail_max_backoff_seconds,
        )
        mailer = SmtpMailer(settings.smtp_url, settings.mail_from)
        failed = runtime.metrics.deliveries_failed.labels("email")  # exported from 0 on
        failures = FailedDeliveries(
            runtime.unit_of_work, DELIVERIES, "email", settings.mail_max_attempts
        )
        dispatcher = MailDispatcher(
            queue, mailer, settings.mail_domain, settings.mail_poll_seconds, failed.inc, failures
        )
        runtime.unit_of_work.hand_over(DELIVERIES, dispatcher)
        return dispatcher

    def webhook_dispatcher(runtime: Runtime) -> WebhookDispatcher:
        queue = LeasedQueue(
            runtime.database[WEBHOOK_DELIVERIES],
            lease_seconds=60,
            max_attempts=settings.webhook_max_attempts,
            base_backoff_seconds=settings.mail_base_backoff_seconds,
            max_backoff_seconds=settings.mail_max_backoff_seconds,
        )
        dispatcher = WebhookDispatcher(
            queue,
            runtime.database[WEBHOOKS],
            settings.webhook_poll_seconds,
            settings.webhook_timeout_seconds,
            runtime.metrics.deliveries_failed.labels("webhook").inc,
            FailedDeliveries(
                runtime.unit_of_work, WEBHOOK_DELIVERIES, "webhook", settings.webhook_max_attempts
            ),
        )
        runtime.unit_of_work.hand_over(WEBHOOK_DELIVERIES, dispatcher)
        return dispatcher

    def digest_worker(runtime: Runtime) -> DigestWorker:
        # Which digests are due is the rules' time: the service's clock, which tests set.
        return DigestWorker(
            runtime.unit_of_work, dates, settings.digest_poll_seconds, now=clock.now
        )

    return ServiceDefinition(
        name="notifications",
        title="eTwinning notifications",
        description="E-mails and in-app notifications to teachers and staff, driven by the "
        "platform's events and a rule book kept as data.",
        settings=settings,
        routers=routers,
        handlers=build_handlers(rules, dates, subscriptions, links),
        emits=[DeliveryFailed],
        ensure_indexes=with_link_indexes(ensure_indexes),
        teacher_of_subject=teacher_of_subject,
        workers=[mail_dispatcher, webhook_dispatcher, digest_worker],
        app_state={"webhook_subscriptions": subscriptions, "clock": clock},
    )


def build_app(settings: NotificationsSettings | None = None, clock: Clock | None = None) -> FastAPI:
    """`clock`: the time the routes stamp (an item read); tests give a SettableClock."""
    return create_app(definition(settings, clock))
