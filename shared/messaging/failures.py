"""The failure policy applied to every consumed message.

- permanent (bad JSON, schema violation, unknown type or version, broken rule): dead-lettered
  on the first attempt, with the reason in headers and in an error log;
- transient (database or SMTP unreachable, timeouts, anything unexpected): redelivered after a
  growing delay, then dead-lettered with the reason once `consumer_max_attempts` is spent.
  The queue's x-delivery-limit stays the backstop for a message that crashes the process.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from faststream.rabbit import RabbitBroker
from faststream.rabbit.message import RabbitMessage
from pydantic import ValidationError

from shared.errors import PermanentError
from shared.topology import DEAD_LETTER_EXCHANGE, ServiceQueues

REASON_HEADER = "x-dead-letter-reason"
DETAIL_HEADER = "x-dead-letter-detail"
EXCEPTION_HEADER = "x-exception-type"
ORIGINAL_ROUTING_KEY_HEADER = "x-original-routing-key"
ORIGINAL_EXCHANGE_HEADER = "x-original-exchange"
FAILED_SERVICE_HEADER = "x-failed-service"
FAILED_AT_HEADER = "x-failed-at"
ATTEMPTS_HEADER = "x-attempts"
RETRIES_EXHAUSTED = "retries_exhausted"
MALFORMED = "malformed"  # reading the body failed in a way no specific check names
ROUTING_KEY_MISMATCH = "routing_key_mismatch"
CONSUMER_ERROR = "consumer_error"  # a fault in the consumer's own path, not in the handler


def is_permanent(error: BaseException) -> bool:
    return isinstance(error, PermanentError | ValidationError)


def reason_of(error: BaseException) -> str:
    if isinstance(error, PermanentError):
        return error.reason
    if isinstance(error, ValidationError):
        return "schema_violation"
    return RETRIES_EXHAUSTED


def exception_type_of(error: BaseException) -> str:
    """The exception that explains a failure: for one the consumer wrapped (an unreadable body,
    a fault of its own), the exception underneath."""
    cause = error.__cause__
    wrapped = isinstance(error, PermanentError) and error.reason in (MALFORMED, CONSUMER_ERROR)
    return type(cause if wrapped and cause is not None else error).__name__


def delivery_count(message: RabbitMessage) -> int:
    """How many times the broker delivered this message before (quorum queues count)."""
    value = (message.raw_message.headers or {}).get("x-delivery-count", 0)
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    base_seconds: float
    max_seconds: float

    def gives_up_after(self, attempt: int) -> bool:
        return attempt + 1 >= self.max_attempts

    def delay_before_retry(self, attempt: int) -> float:
        delay: float = min(self.base_seconds * 2**attempt, self.max_seconds)
        return delay * random.uniform(0.8, 1.2)


class DeadLetterer:
    """Moves a message to its service's DLQ with the reason in headers."""

    def __init__(self, broker: RabbitBroker, service: str, timeout_seconds: float) -> None:
        self._broker = broker
        self._service = service
        self._routing_key = ServiceQueues(service).dead_letter_queue_name
        self._timeout = timeout_seconds

    async def dead_letter(
        self, message: RabbitMessage, error: BaseException, *, reason: str, attempts: int
    ) -> None:
        raw = message.raw_message
        headers: dict[str, Any] = dict(raw.headers or {})
        headers.update(
            {
                REASON_HEADER: reason,
                DETAIL_HEADER: str(error)[:1000],
                EXCEPTION_HEADER: exception_type_of(error),
                ORIGINAL_EXCHANGE_HEADER: raw.exchange or "",
                ORIGINAL_ROUTING_KEY_HEADER: raw.routing_key or "",
                FAILED_SERVICE_HEADER: self._service,
                FAILED_AT_HEADER: datetime.now(UTC).isoformat(),
                ATTEMPTS_HEADER: attempts,
            }
        )
        await self._broker.publish(
            raw.body,
            exchange=DEAD_LETTER_EXCHANGE,
            routing_key=self._routing_key,
            message_id=raw.message_id,
            correlation_id=raw.correlation_id,
            message_type=raw.type,
            content_type=raw.content_type,
            headers=headers,
            persist=True,
            mandatory=True,
            timeout=self._timeout,
        )
