"""The broker topology, declared once. deploy/rabbitmq/definitions.json mirrors it (tested).

- `etwinning.events`: durable topic exchange; routing key = event_type.
- `etwinning.dlx`: durable direct exchange for dead letters.
- `<service>.events`: one quorum queue per consuming service, bound to the event types it
  reads, dead-lettering to `<service>.dlq`. The delivery limit is explicit because its
  default differs between RabbitMQ 3.10 and 4.x; rejections count on both.
- `operators.alerts`: the same kind of queue, read by the operators' alerting system rather
  than by a service of the platform (events meant for people on call), dead-lettering to
  `operators.dlq`. deploy/rabbitmq/definitions.json declares it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from faststream.rabbit import ExchangeType, QueueType, RabbitExchange, RabbitQueue
from faststream.rabbit.schemas.queue import QuorumQueueArgs

EVENTS_EXCHANGE_NAME = "etwinning.events"
DEAD_LETTER_EXCHANGE_NAME = "etwinning.dlx"
DELIVERY_LIMIT = 10

# What each service consumes. Patterns use AMQP topic syntax (`*` one word, `#` any).
SUBSCRIPTIONS: dict[str, tuple[str, ...]] = {
    "registration": ("intake.teacher.*",),
    "projects": ("registration.teacher.*",),
    "awards": (
        "projects.project.completed",
        # a project before it completes: a member of an active one applies for the NQL
        "projects.project.proposed",
        "projects.project.edited",
        "projects.project.activated",
        "projects.project.rejected",
        "projects.project.withdrawn",
        "projects.project.partner_joined",
        "projects.project.partner_left",
        "registration.teacher.*",
        "registration.school.*",
    ),
    "notifications": ("registration.#", "projects.#", "awards.#"),
}

EVENTS_EXCHANGE = RabbitExchange(EVENTS_EXCHANGE_NAME, type=ExchangeType.TOPIC, durable=True)
DEAD_LETTER_EXCHANGE = RabbitExchange(
    DEAD_LETTER_EXCHANGE_NAME, type=ExchangeType.DIRECT, durable=True
)


@dataclass(frozen=True)
class ServiceQueues:
    service: str

    @property
    def events_queue_name(self) -> str:
        return f"{self.service}.events"

    @property
    def dead_letter_queue_name(self) -> str:
        return f"{self.service}.dlq"

    @property
    def bindings(self) -> tuple[str, ...]:
        return SUBSCRIPTIONS[self.service]

    def events_queue_arguments(self) -> dict[str, Any]:
        """Every argument as the broker sees it (deploy/rabbitmq/definitions.json too)."""
        return {"x-queue-type": "quorum", **self.events_queue().arguments}

    def events_queue(self) -> RabbitQueue:
        arguments: QuorumQueueArgs = {
            "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE_NAME,
            "x-dead-letter-routing-key": self.dead_letter_queue_name,
            "x-delivery-limit": DELIVERY_LIMIT,
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        }
        return RabbitQueue(
            self.events_queue_name,
            queue_type=QueueType.QUORUM,
            durable=True,
            arguments=arguments,
            routing_key=self.bindings[0],
        )

    def dead_letter_queue(self) -> RabbitQueue:
        return RabbitQueue(
            self.dead_letter_queue_name,
            queue_type=QueueType.QUORUM,
            durable=True,
            routing_key=self.dead_letter_queue_name,
        )


def consuming_services() -> list[str]:
    return [service for service, patterns in SUBSCRIPTIONS.items() if patterns]


# What the operators' alerting system consumes.
ALERT_SUBSCRIPTIONS: tuple[str, ...] = ("notifications.delivery.failed",)


@dataclass(frozen=True)
class AlertQueues(ServiceQueues):
    """`operators.alerts` and `operators.dlq`: shaped and dead-lettered like a service's."""

    service: str = "operators"

    @property
    def events_queue_name(self) -> str:
        return f"{self.service}.alerts"

    @property
    def bindings(self) -> tuple[str, ...]:
        return ALERT_SUBSCRIPTIONS


ALERTS = AlertQueues()


def bound_queues() -> list[ServiceQueues]:
    """Every queue on the events exchange: each consuming service's, then the alerts'."""
    return [*(ServiceQueues(service) for service in consuming_services()), ALERTS]


def topic_matches(pattern: str, routing_key: str) -> bool:
    """AMQP topic matching, used to check that every emitted event reaches a queue."""
    return _match(pattern.split("."), routing_key.split("."))


def _match(pattern: list[str], words: list[str]) -> bool:
    if not pattern:
        return not words
    head, rest = pattern[0], pattern[1:]
    if head == "#":
        return any(_match(rest, words[i:]) for i in range(len(words) + 1))
    if not words:
        return False
    return (head in ("*", words[0])) and _match(rest, words[1:])
