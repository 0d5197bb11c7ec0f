"""The consumer settles every delivery, down to the paths the broker tests cannot reach: a
dead-letter publish that fails, a fault in the consumer's own bookkeeping. The delivery is a
real FastStream RabbitMessage over a stand-in for aio-pika's incoming message (no broker)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from faststream.rabbit.message import RabbitMessage

from shared.events import CATALOG
from shared.messaging.consumer import EventConsumer
from shared.messaging.failures import RetryPolicy
from shared.metrics import ServiceMetrics
from shared.topology import EVENTS_EXCHANGE_NAME


@dataclass
class Incoming:
    """What the consumer reads of aio-pika's IncomingMessage, and how it was settled."""

    body: bytes
    routing_key: str = "intake.teacher.signup_requested"
    exchange: str = EVENTS_EXCHANGE_NAME
    message_id: str = "m-1"
    correlation_id: str | None = None
    type: str | None = None
    content_type: str | None = None
    headers: dict[str, Any] = field(default_factory=dict)
    reply_to: str | None = None
    locked: bool = False
    settled: list[str] = field(default_factory=list)

    async def ack(self, multiple: bool = False) -> None:
        self.settled.append("ack")

    async def reject(self, requeue: bool = False) -> None:
        self.settled.append(f"reject(requeue={requeue})")


class DeadLetters:
    def __init__(self, *, fails: bool = False) -> None:
        self.fails = fails
        self.letters: list[tuple[str, str]] = []

    async def dead_letter(
        self, message: Any, error: BaseException, *, reason: str, attempts: int
    ) -> None:
        if self.fails:
            raise ConnectionError("the broker refused the dead letter")
        self.letters.append((reason, type(error.__cause__ or error).__name__))


class BrokenMetrics(ServiceMetrics):
    """Metrics whose dead-letter counter fails: a fault in the consumer's own path."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.dead_lettered = None  # type: ignore[assignment]


def consumer(dead_letters: DeadLetters, metrics: ServiceMetrics | None = None) -> EventConsumer:
    return EventConsumer(
        "registration", CATALOG, {}, None,  # type: ignore[arg-type]  # never reached
        dead_letters,  # type: ignore[arg-type]
        RetryPolicy(3, 0, 0), metrics,
    )  # fmt: skip


def delivery(body: bytes, **fields: Any) -> tuple[RabbitMessage, Incoming]:
    raw = Incoming(body, **fields)
    return RabbitMessage(body=body, raw_message=raw), raw  # type: ignore[arg-type]


async def test_a_body_too_deep_to_parse_is_dead_lettered_as_malformed_and_acked() -> None:
    letters = DeadLetters()
    consume = consumer(letters)
    message, raw = delivery(b"[" * 200_000)

    await consume(message)

    assert letters.letters == [("malformed", "RecursionError")]
    assert raw.settled == ["ack"]
    assert consume.held.count == 0


async def test_a_failed_dead_letter_publish_still_rejects_the_delivery() -> None:
    consume = consumer(DeadLetters(fails=True))
    message, raw = delivery(b"not json")

    await consume(message)

    assert raw.settled == ["reject(requeue=False)"]  # the queue's own dead-lettering keeps it
    assert consume.held.count == 0


async def test_a_fault_in_the_consumer_itself_still_settles_the_delivery() -> None:
    letters = DeadLetters()
    consume = consumer(letters, BrokenMetrics())
    message, raw = delivery(b"not json")

    await consume(message)

    assert raw.settled == ["reject(requeue=False)"]
    assert consume.held.count == 0


async def test_an_unsettled_delivery_stays_held() -> None:
    """Were a path ever to return without settling, readiness would see it (never silent)."""
    consume = consumer(DeadLetters())
    message, raw = delivery(b"{}")
    consume._give_up = _forgets  # type: ignore[method-assign]

    await consume(message)

    assert raw.settled == [] and consume.held.count == 1


async def _forgets(*_: Any, **__: Any) -> None:
    return None
