"""Broker topology: topic matching, queue arguments, and that every event reaches a queue."""

from __future__ import annotations

import pytest
from faststream.rabbit import ExchangeType

from shared.events import CATALOG
from shared.settings import ServiceSettings
from shared.topology import (
    ALERT_SUBSCRIPTIONS,
    ALERTS,
    DEAD_LETTER_EXCHANGE,
    DEAD_LETTER_EXCHANGE_NAME,
    DELIVERY_LIMIT,
    EVENTS_EXCHANGE,
    EVENTS_EXCHANGE_NAME,
    SUBSCRIPTIONS,
    ServiceQueues,
    bound_queues,
    consuming_services,
    topic_matches,
)


@pytest.mark.parametrize(
    ("pattern", "routing_key", "expected"),
    [
        ("projects.project.completed", "projects.project.completed", True),
        ("projects.project.completed", "projects.project.completed.late", False),
        ("projects.project.completed", "projects.project", False),
        ("registration.teacher.*", "registration.teacher.registered", True),
        ("registration.teacher.*", "registration.teacher", False),
        ("registration.teacher.*", "registration.teacher.school.changed", False),
        ("registration.teacher.*", "registration.school.registered", False),
        ("registration.#", "registration.school.registered", True),
        ("registration.#", "registration", True),
        ("registration.#", "registrations.school.registered", False),
        ("#", "awards.nql.application_opened", True),
        ("*.project.#", "projects.project.partner_joined", True),
        ("*.project.#", "projects.nso.decided", False),
        ("#.completed", "projects.project.completed", True),
        ("#.completed", "projects.project.archived", False),
    ],
)
def test_topic_matching_follows_amqp_rules(pattern: str, routing_key: str, expected: bool) -> None:
    assert topic_matches(pattern, routing_key) is expected


@pytest.mark.parametrize("service", consuming_services())
def test_events_queue_arguments_dead_letter_and_limit_deliveries_explicitly(service: str) -> None:
    arguments = ServiceQueues(service).events_queue_arguments()

    assert arguments == {
        "x-queue-type": "quorum",
        "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE_NAME,
        "x-dead-letter-routing-key": f"{service}.dlq",
        "x-delivery-limit": DELIVERY_LIMIT,
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
    }


@pytest.mark.parametrize("service", consuming_services())
def test_events_queue_declaration_is_a_durable_quorum_queue_with_those_arguments(
    service: str,
) -> None:
    queues = ServiceQueues(service)
    queue = queues.events_queue()

    assert queue.name == f"{service}.events"
    assert queue.durable is True
    assert queue.arguments == queues.events_queue_arguments()
    assert queue.routing_key == SUBSCRIPTIONS[service][0]


@pytest.mark.parametrize("service", consuming_services())
def test_dead_letter_queue_is_a_durable_quorum_queue_bound_by_its_own_name(service: str) -> None:
    queue = ServiceQueues(service).dead_letter_queue()

    assert queue.name == f"{service}.dlq"
    assert queue.durable is True
    assert queue.arguments == {"x-queue-type": "quorum"}
    assert queue.routing_key == f"{service}.dlq"


def test_consumer_retry_budget_stays_below_the_brokers_delivery_limit() -> None:
    default_attempts = ServiceSettings(service_name="any").consumer_max_attempts

    assert isinstance(DELIVERY_LIMIT, int)
    assert default_attempts < DELIVERY_LIMIT


def test_exchanges_are_a_durable_topic_for_events_and_a_durable_direct_for_dead_letters() -> None:
    assert (EVENTS_EXCHANGE.name, EVENTS_EXCHANGE.type) == (
        EVENTS_EXCHANGE_NAME,
        ExchangeType.TOPIC,
    )
    assert (DEAD_LETTER_EXCHANGE.name, DEAD_LETTER_EXCHANGE.type) == (
        DEAD_LETTER_EXCHANGE_NAME,
        ExchangeType.DIRECT,
    )
    assert EVENTS_EXCHANGE.durable and DEAD_LETTER_EXCHANGE.durable


def test_only_services_with_bindings_consume() -> None:
    assert set(consuming_services()) == {s for s, patterns in SUBSCRIPTIONS.items() if patterns}
    assert "registration" in consuming_services()  # it consumes intake requests


@pytest.mark.parametrize("event_type", sorted(CATALOG.event_types()))
def test_every_catalog_event_is_routed_to_some_consuming_service(event_type: str) -> None:
    receivers = [
        queues.events_queue_name
        for queues in bound_queues()
        if any(topic_matches(pattern, event_type) for pattern in queues.bindings)
    ]

    assert receivers, f"{event_type} is bound by no queue: publishing it would be unroutable"


@pytest.mark.parametrize(
    ("service", "pattern"),
    [(service, pattern) for service, patterns in SUBSCRIPTIONS.items() for pattern in patterns],
)
def test_every_binding_routes_some_catalog_event(service: str, pattern: str) -> None:
    assert any(topic_matches(pattern, event_type) for event_type in CATALOG.event_types())


def test_the_operators_alerts_queue_is_shaped_and_dead_lettered_like_a_services_queue() -> None:
    queue = ALERTS.events_queue()

    assert (queue.name, queue.durable, queue.routing_key) == (
        "operators.alerts",
        True,
        "notifications.delivery.failed",
    )
    assert ALERTS.events_queue_arguments() == {
        "x-queue-type": "quorum",
        "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE_NAME,
        "x-dead-letter-routing-key": "operators.dlq",
        "x-delivery-limit": DELIVERY_LIMIT,
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
    }
    assert ALERTS.dead_letter_queue().name == "operators.dlq"
    assert "operators" not in SUBSCRIPTIONS  # not a service: no process declares or reads it


@pytest.mark.parametrize("pattern", ALERT_SUBSCRIPTIONS)
def test_every_alert_binding_routes_a_catalog_event(pattern: str) -> None:
    assert any(topic_matches(pattern, event_type) for event_type in CATALOG.event_types())


def test_delivery_failures_reach_the_operators_and_no_service() -> None:
    receivers = [
        queues.events_queue_name
        for queues in bound_queues()
        if any(topic_matches(p, "notifications.delivery.failed") for p in queues.bindings)
    ]
    assert receivers == ["operators.alerts"]
