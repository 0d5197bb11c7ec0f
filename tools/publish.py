"""Validate an event file against the catalog and publish it as an external system would."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import aio_pika
import aiormq.exceptions

from shared.envelope import EventEnvelope
from shared.errors import PermanentError
from shared.events import CATALOG
from shared.topology import EVENTS_EXCHANGE_NAME


class InvalidEvent(Exception):
    pass


class NotPublished(Exception):
    """The broker could not be reached or did not take the event; the message says why."""


def amqp_url_problem(url: str) -> str | None:
    """Why `url` cannot be a RabbitMQ URL, or None: caught before aio_pika turns it into a
    traceback (an empty AMQP_URL once gave `ValueError: host and port was not specified`)."""
    if not url.strip():
        return "no RabbitMQ URL: AMQP_URL is empty; set it (amqp://user:password@host:5672/vhost)"
    parts = urlsplit(url)
    if parts.scheme not in ("amqp", "amqps") or not parts.hostname:
        return (
            f"not a RabbitMQ URL: {redact(url)!r} (expected amqp://user:password@host:5672/vhost)"
        )
    return None


def redact(url: str) -> str:
    parts = urlsplit(url)
    return url.replace(f":{parts.password}@", ":***@") if parts.password else url


def load_event(path: Path) -> EventEnvelope:
    """The same checks the consumers make: an envelope, a known type and version, a payload
    that matches its schema."""
    try:
        envelope = EventEnvelope.model_validate(json.loads(path.read_text(encoding="utf-8")))
        CATALOG.payload_of(envelope)
    except (ValueError, PermanentError) as error:
        raise InvalidEvent(str(error)) from error
    return envelope


async def publish(amqp_url: str, envelope: EventEnvelope) -> None:
    """Publish persistent, mandatory and confirmed; NotPublished says in words what failed."""
    problem = amqp_url_problem(amqp_url)
    if problem:
        raise NotPublished(problem)
    where = redact(amqp_url)
    try:
        await _publish(amqp_url, envelope)
    except aiormq.exceptions.ProbableAuthenticationError as error:
        raise NotPublished(f"RabbitMQ at {where} refused the user or password") from error
    except aiormq.exceptions.ChannelNotFoundEntity as error:
        raise NotPublished(
            f"no exchange {EVENTS_EXCHANGE_NAME} in that vhost ({where}): is the platform "
            "running on it?"
        ) from error
    except aiormq.exceptions.ChannelAccessRefused as error:
        raise NotPublished(f"RabbitMQ refused the publish: {error}") from error
    except aiormq.exceptions.DeliveryError as error:
        raise NotPublished(
            f"RabbitMQ returned the event: no queue is bound to {envelope.event_type}"
        ) from error
    except aiormq.exceptions.InvalidFrameError as error:  # Connection.Close instead of OpenOk
        raise NotPublished(
            f"RabbitMQ at {where} closed the connection: the vhost does not exist or this user "
            "may not use it"
        ) from error
    except (aiormq.exceptions.AMQPError, OSError) as error:
        raise NotPublished(
            f"cannot publish to RabbitMQ at {where} ({type(error).__name__}: {error})"
        ) from error


async def _publish(amqp_url: str, envelope: EventEnvelope) -> None:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        exchange = await channel.get_exchange(EVENTS_EXCHANGE_NAME, ensure=False)
        await exchange.publish(
            aio_pika.Message(
                envelope.model_dump_json().encode(),
                content_type="application/json",
                message_id=str(envelope.event_id),
                correlation_id=envelope.correlation_id,
                type=envelope.event_type,
                timestamp=envelope.occurred_at,
                headers=envelope.amqp_headers(),
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            ),
            routing_key=envelope.event_type,
            mandatory=True,
        )
