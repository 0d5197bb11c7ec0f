"""Issue 13 §1 regressions on the real broker: bodies that once escaped the consumer's decoding
(json.loads raising RecursionError or the int-digit ValueError) left their deliveries unacked;
a prefetch's worth of them stopped the registration consumer for good while /health/ready
still said 200. Now each is dead-lettered as `malformed` with the exception type, and a valid
sign-up published after them is handled. Also: the routing key must be the event type."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from faststream.rabbit import RabbitBroker

from shared.envelope import EventEnvelope
from shared.events.intake import TeacherSignupRequested
from shared.messaging.failures import (
    ATTEMPTS_HEADER,
    EXCEPTION_HEADER,
    ORIGINAL_ROUTING_KEY_HEADER,
    REASON_HEADER,
)
from tests.support.probes import (
    ReceivedMessage,
    eventually,
    publish_envelope,
    publish_raw,
    take_all,
    wait_queue_drained,
)
from tests.support.registration_helpers import RunningRegistration, new_school
from tests.support.servers import Vhost, connected_broker

pytestmark = pytest.mark.integration

SIGNUP = TeacherSignupRequested.event_type
PREFETCH = 10  # AMQP_PREFETCH's default: this many held deliveries stopped the consumer
DEEP_BRACKETS = b"[" * 200_000
LONG_INTEGER = b'{"event_id": ' + b"9" * 5_000 + b"}"


@pytest.fixture
async def bus(vhost: Vhost) -> AsyncIterator[RabbitBroker]:
    broker = await connected_broker(vhost)
    yield broker
    await broker.stop()


def signup(school_id: str, email: str) -> EventEnvelope:
    return EventEnvelope(
        event_type=SIGNUP, event_version=1, producer="portal-es", correlation_id=email,
        aggregate_id=email,
        payload={"name": "Ana García", "email": email, "role": "teacher", "school_id": school_id},
    )  # fmt: skip


async def dead_letters(vhost: Vhost, count: int) -> dict[str, ReceivedMessage]:
    taken: dict[str, ReceivedMessage] = {}

    async def all_there() -> bool:
        taken.update({m.message_id or "": m for m in await take_all(vhost, "registration.dlq")})
        return len(taken) >= count

    await eventually(all_there, seconds=20, interval=0.2, what=f"{count} dead letters")
    return taken


async def test_unreadable_bodies_are_dead_lettered_and_the_consumer_goes_on(
    registration: RunningRegistration, vhost: Vhost, bus: RabbitBroker
) -> None:
    school = await new_school(registration.http)
    bodies = {"RecursionError": DEEP_BRACKETS, "ValueError": LONG_INTEGER}
    published: dict[str, str] = {}
    for exception_type, body in bodies.items():
        for _ in range(PREFETCH + 2):  # more than a prefetch's worth of each
            message_id = str(uuid.uuid4())
            await publish_raw(bus, body, routing_key=SIGNUP, message_id=message_id)
            published[message_id] = exception_type
    valid = signup(school["id"], "after.the.poison@example.org")
    await publish_envelope(bus, valid)

    teachers = registration.database["teachers"]
    created = await eventually(
        lambda: teachers.find_one({"email": "after.the.poison@example.org"}),
        seconds=20,
        what="the valid sign-up handled after the unreadable ones",
    )
    assert created["school_id"] == school["id"]
    dead = await dead_letters(vhost, len(published))
    assert set(dead) == set(published)
    for message_id, exception_type in published.items():
        headers = dead[message_id].headers
        assert headers[REASON_HEADER] == "malformed", headers
        assert headers[EXCEPTION_HEADER] == exception_type, headers
        assert headers[ATTEMPTS_HEADER] == 1
        assert dead[message_id].body == bodies[exception_type], "dead-lettered untouched"
    await wait_queue_drained(vhost, "registration.events")
    assert (await registration.http.get("/health/ready")).status_code == 200


async def test_a_routing_key_other_than_the_event_type_is_dead_lettered(
    registration: RunningRegistration, vhost: Vhost, bus: RabbitBroker
) -> None:
    school = await new_school(registration.http)
    on_another_key = signup(school["id"], "other.key@example.org")
    other_type = json.loads(signup(school["id"], "other.type@example.org").model_dump_json())
    other_type["event_type"] = "intake.teacher.signup_cancelled"  # not in the catalog
    other_type_id = other_type["event_id"]
    published: list[tuple[str, bytes, str]] = [
        # a known envelope on another intake key (bound by `intake.teacher.*`)
        (str(on_another_key.event_id), on_another_key.model_dump_json().encode(),
         "intake.teacher.anything"),
        # an envelope of another type on the sign-up key: once acked and ignored silently
        (other_type_id, json.dumps(other_type).encode(), SIGNUP),
    ]  # fmt: skip
    for message_id, body, routing_key in published:
        await publish_raw(bus, body, routing_key=routing_key, message_id=message_id)

    dead = await dead_letters(vhost, len(published))
    for message_id, _, routing_key in published:
        headers: dict[str, Any] = dead[message_id].headers
        assert headers[REASON_HEADER] == "routing_key_mismatch", headers
        assert headers[ORIGINAL_ROUTING_KEY_HEADER] == routing_key
    assert await registration.database["teachers"].count_documents({}) == 0
