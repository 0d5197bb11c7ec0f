"""Sign-ups from other systems: an intake event published with intake credentials (topic
permission `^intake\\..*`, as in deploy/rabbitmq/definitions.json) creates the same teacher as
POST /teachers, or is dead-lettered with the reason. Real RabbitMQ and SecantusDB."""

from __future__ import annotations

import asyncio
import json
import subprocess
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aio_pika
import pytest

from shared.envelope import EventEnvelope
from shared.events.intake import TeacherSignupRequested
from shared.messaging.failures import FAILED_SERVICE_HEADER, REASON_HEADER
from shared.topology import EVENTS_EXCHANGE_NAME
from tests.support.probes import eventually, take_all, wait_queue_drained
from tests.support.registration_helpers import (
    EventProbe,
    RunningRegistration,
    new_school,
    new_teacher,
)
from tests.support.servers import Vhost

pytestmark = pytest.mark.integration

DEFINITIONS = Path(__file__).resolve().parents[3] / "deploy" / "rabbitmq" / "definitions.json"
SIGNUP = TeacherSignupRequested.event_type


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


@pytest.fixture
async def intake_channel(vhost: Vhost) -> AsyncIterator[aio_pika.abc.AbstractChannel]:
    """A connection as an intake user with the permissions the deploy file gives one."""
    definitions = json.loads(DEFINITIONS.read_text())
    topic = next(p for p in definitions["topic_permissions"] if p["user"] == "intake_example")
    permission = next(p for p in definitions["permissions"] if p["user"] == "intake_example")
    user, password = f"intake-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    _rabbitmqctl("add_user", user, password)
    try:
        _rabbitmqctl(
            "set_permissions", "-p", vhost.name, user,
            permission["configure"], permission["write"], permission["read"],
        )  # fmt: skip
        _rabbitmqctl(
            "set_topic_permissions", "-p", vhost.name, user, topic["exchange"],
            topic["write"], topic["read"],
        )  # fmt: skip
        parts = urlsplit(vhost.url)
        url = urlunsplit(
            (parts.scheme, f"{user}:{password}@{parts.hostname}:{parts.port}", parts.path, "", "")
        )
        connection = await aio_pika.connect(url)
        async with connection:
            yield await connection.channel()
    finally:
        _rabbitmqctl("delete_user", user)


async def publish(channel: aio_pika.abc.AbstractChannel, envelope: EventEnvelope) -> None:
    exchange = await channel.get_exchange(EVENTS_EXCHANGE_NAME, ensure=False)
    await exchange.publish(
        aio_pika.Message(
            envelope.model_dump_json().encode(),
            message_id=str(envelope.event_id),
            type=envelope.event_type,
            content_type="application/json",
            headers={"x-event-version": str(envelope.event_version)},
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        ),
        routing_key=envelope.event_type,
    )


def signup(**payload: Any) -> EventEnvelope:
    body = {"name": "Ana García", "email": "ana@example.org", "role": "teacher",
            "language": "es", **payload}  # fmt: skip
    return EventEnvelope(
        event_type=SIGNUP, event_version=1, producer="portal-es", correlation_id="portal-1",
        aggregate_id=str(body["email"]), payload=body,
    )  # fmt: skip


async def test_intake_creates_the_same_teacher_or_dead_letters_with_the_reason(
    registration: RunningRegistration,
    probe: EventProbe,
    vhost: Vhost,
    intake_channel: aio_pika.abc.AbstractChannel,
) -> None:
    school = await new_school(registration.http)
    await new_teacher(registration.http, school["id"], "taken@example.org")
    identity = {"school_name": "ies SEVERO ochoa", "school_town": "elx", "school_country": "ES"}
    valid = [
        signup(school_id=school["id"], subjects=["Maths"], pupil_age_min=12, pupil_age_max=16),
        signup(email="rui@example.org", **identity),
    ]
    refused = {
        "pupil_role": signup(email="p@example.org", role="pupil", school_id=school["id"]),
        "invalid_email": signup(email="not-an-address", school_id=school["id"]),
        "duplicate_email": signup(email="TAKEN@example.org", school_id=school["id"]),
        "unknown_school": signup(email="x@example.org", school_id="sch_nowhere"),
        "unknown_country": signup(email="y@example.org", **{**identity, "school_country": "CH"}),
        "schema_violation": signup(email="z@example.org"),  # no school at all
    }
    for envelope in [*valid, *refused.values()]:
        await publish(intake_channel, envelope)

    teachers = registration.database["teachers"]

    async def created() -> list[dict[str, Any]]:
        query = {"email": {"$in": ["ana@example.org", "rui@example.org"]}}
        found: list[dict[str, Any]] = await teachers.find(query).to_list()
        return found if len(found) == 2 else []

    async def dead_lettered() -> bool:
        dead.extend(await take_all(vhost, "registration.dlq"))
        return len(dead) >= len(refused)

    dead: list[Any] = []
    await eventually(dead_lettered, seconds=10, what="refused sign-ups dead-lettered")
    stored = await eventually(created, seconds=10, what="valid sign-ups created")
    await wait_queue_drained(vhost, "registration.events")

    ana = next(t for t in stored if t["email"] == "ana@example.org")
    assert (ana["status"], ana["school_id"], ana["country"]) == (
        "WAITING_FOR_VALIDATION", school["id"], "ES",
    )  # fmt: skip
    assert (ana["subjects"], ana["pupil_age_max"]) == (["Maths"], 16)
    assert {t["school_id"] for t in stored} == {school["id"]}  # found by its identity too
    reasons = {json.loads(m.body)["payload"]["email"]: m.headers[REASON_HEADER] for m in dead}
    assert reasons == {e.payload["email"]: reason for reason, e in refused.items()}
    assert all(m.headers[FAILED_SERVICE_HEADER] == "registration" for m in dead)
    assert await teachers.count_documents({}) == 3  # the refused ones wrote nothing

    async def registered_events() -> list[dict[str, Any]]:
        events = [e for e in await probe.drain() if e["event_type"].endswith("teacher.registered")]
        received.extend(events)
        return received if len(received) >= 3 else []

    received: list[dict[str, Any]] = []
    await eventually(registered_events, seconds=10, what="registered events")
    sources = {e["payload"]["email"]: e["payload"]["source"] for e in received}
    assert sources == {
        "taken@example.org": "http", "ana@example.org": "portal-es", "rui@example.org": "portal-es",
    }  # fmt: skip
    assert {e["correlation_id"] for e in received if e["payload"]["source"] != "http"} == {
        "portal-1"
    }

    # The same credentials cannot forge a platform event (topic permission ^intake\..*).
    forged = EventEnvelope(
        event_type="registration.teacher.validated", event_version=1, producer="portal-es",
        correlation_id="forged", aggregate_id=ana["_id"], payload={},
    )  # fmt: skip
    with pytest.raises(aio_pika.exceptions.ChannelClosed, match="ACCESS_REFUSED"):
        await publish(intake_channel, forged)
        await asyncio.sleep(1)  # the broker's refusal closes the channel
    await asyncio.sleep(0.5)
    assert await probe.drain() == []
