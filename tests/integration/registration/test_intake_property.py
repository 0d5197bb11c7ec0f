"""Issue 13 §1, as a property on the real broker: whatever bytes arrive on the registration
queue (random bytes, nesting deeper than the parser goes, numbers too long to read, every
envelope field with a wrong type, valid envelopes with mutated payloads, routing keys other
than the event type), each message is either handled (its inbox record exists) or in the DLQ
with a reason, and a valid sign-up published after them is handled: nothing stalls the
consumer. Hypothesis draws batches of messages; each batch is published, then settled.
The tally (messages, outcomes, reasons) is printed at the end (`pytest -s` shows it)."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aio_pika
import pytest
from faststream.rabbit import RabbitBroker
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.envelope import EventEnvelope
from shared.events.intake import TeacherSignupRequested
from shared.messaging.failures import EXCEPTION_HEADER, REASON_HEADER
from tests.support.probes import publish_raw, wait_queue_drained
from tests.support.registration_helpers import RunningRegistration, new_school
from tests.support.servers import Vhost, connected_broker

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SIGNUP = TeacherSignupRequested.event_type
BATCH = 50
EXAMPLES = 44  # 44 batches of 50, and a valid sign-up after each: 2,244 messages
SETTLE_SECONDS = 30.0
INTAKE_KEYS = (SIGNUP, "intake.teacher.signup_requested_v2", "intake.teacher.x")
OTHER_TYPES = ("registration.teacher.registered", "intake.teacher.x", "projects.project.created")
ENVELOPE_FIELDS = (
    "event_id", "event_type", "event_version", "occurred_at", "producer", "correlation_id",
    "causation_id", "aggregate_id", "payload",
)  # fmt: skip

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)


@dataclass(frozen=True)
class Message:
    kind: str
    body: bytes
    routing_key: str
    message_id: str = field(default_factory=lambda: str(uuid.uuid4()))


def envelope(message_id: str, school_id: str, **payload: Any) -> dict[str, Any]:
    body = {"name": "Ana García", "email": f"{message_id[:12]}@example.org", "role": "teacher",
            "school_id": school_id, **payload}  # fmt: skip
    valid = EventEnvelope(
        event_id=uuid.UUID(message_id), event_type=SIGNUP, event_version=1, producer="fuzz",
        correlation_id="fuzz", aggregate_id=body["email"], payload={},
    )  # fmt: skip
    document: dict[str, Any] = json.loads(valid.model_dump_json())
    document["payload"] = body
    return document


@st.composite
def random_bytes(draw: st.DrawFn, school_id: str) -> Message:
    return Message(
        "random_bytes", draw(st.binary(max_size=3000)), draw(st.sampled_from(INTAKE_KEYS))
    )


@st.composite
def deep_nesting(draw: st.DrawFn, school_id: str) -> Message:
    depth = draw(st.integers(min_value=500, max_value=120_000))
    opener, closer = draw(st.sampled_from([(b"[", b"]"), (b'{"a":', b"}")]))
    closed = draw(st.booleans())
    body = opener * depth + (b"1" + closer * depth if closed else b"")
    return Message("deep_nesting", body, SIGNUP)


@st.composite
def huge_number(draw: st.DrawFn, school_id: str) -> Message:
    message = Message("huge_number", b"", SIGNUP)
    digits = draw(st.integers(min_value=19, max_value=6_000))
    number = draw(st.sampled_from(["9" * digits, "-" + "1" * digits, "1e999", "NaN", "-Infinity"]))
    where = draw(st.sampled_from(["body", "event_version", "payload.pupil_age_min", "extra"]))
    if where == "body":
        return Message("huge_number", number.encode(), SIGNUP, message.message_id)
    document = envelope(message.message_id, school_id)
    placeholder = "__NUMBER__"
    if where == "event_version":
        document["event_version"] = placeholder
    elif where == "extra":
        document["padding"] = [placeholder]
    else:
        document["payload"]["pupil_age_min"] = placeholder
    body = json.dumps(document).replace(f'"{placeholder}"', number).encode()
    return Message("huge_number", body, SIGNUP, message.message_id)


@st.composite
def wrong_field_type(draw: st.DrawFn, school_id: str) -> Message:
    message = Message("wrong_field_type", b"", SIGNUP)
    document = envelope(message.message_id, school_id)
    name = draw(st.sampled_from(ENVELOPE_FIELDS))
    document[name] = draw(json_values.filter(lambda value: type(value) is not type(document[name])))
    return Message(message.kind, json.dumps(document).encode(), SIGNUP, message.message_id)


@st.composite
def mutated_payload(draw: st.DrawFn, school_id: str) -> Message:
    message = Message("mutated_payload", b"", SIGNUP)
    known = draw(st.booleans())  # the school exists, or not
    document = envelope(message.message_id, school_id if known else "sch_nowhere")
    payload = document["payload"]
    fields = sorted(TeacherSignupRequested.model_fields)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        name = draw(st.sampled_from(fields))
        action = draw(st.sampled_from(["drop", "replace", "extra"]))
        if action == "drop":
            payload.pop(name, None)
        elif action == "replace":
            payload[name] = draw(json_values)
        else:
            payload[draw(st.text(max_size=12))] = draw(json_values)
    return Message(message.kind, json.dumps(document).encode(), SIGNUP, message.message_id)


@st.composite
def mismatched_routing_key(draw: st.DrawFn, school_id: str) -> Message:
    message = Message("mismatched_routing_key", b"", SIGNUP)
    document = envelope(message.message_id, school_id)
    event_type = draw(st.sampled_from((SIGNUP, *OTHER_TYPES)))
    document["event_type"] = event_type
    key = draw(st.sampled_from([key for key in INTAKE_KEYS if key != event_type]))
    return Message(message.kind, json.dumps(document).encode(), key, message.message_id)


def any_message(school_id: str) -> st.SearchStrategy[Message]:
    kinds = (random_bytes, deep_nesting, huge_number, wrong_field_type, mutated_payload,
             mismatched_routing_key)  # fmt: skip
    return st.one_of(*(kind(school_id) for kind in kinds))


@dataclass
class DeadLetterWatch:
    """Every dead letter of the registration DLQ, by message id, as it arrives."""

    connection: aio_pika.abc.AbstractConnection
    received: dict[str, aio_pika.abc.AbstractIncomingMessage] = field(default_factory=dict)

    async def on_message(self, message: aio_pika.abc.AbstractIncomingMessage) -> None:
        self.received[message.message_id or ""] = message


@dataclass
class Tally:
    outcomes: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    started: float = field(default_factory=time.monotonic)

    def report(self) -> str:
        total = sum(self.outcomes.values())
        return (
            f"\nintake property: {total} messages in {time.monotonic() - self.started:.1f} s; "
            f"outcomes {dict(self.outcomes)}; kinds {dict(self.kinds)}; "
            f"dead-letter reasons {dict(self.reasons)}"
        )


@pytest.fixture
async def bus(vhost: Vhost) -> AsyncIterator[RabbitBroker]:
    broker = await connected_broker(vhost)
    yield broker
    await broker.stop()


@pytest.fixture
async def dead_letters(vhost: Vhost) -> AsyncIterator[DeadLetterWatch]:
    connection = await aio_pika.connect(vhost.url)
    watch = DeadLetterWatch(connection)
    channel = await connection.channel()
    queue = await channel.get_queue("registration.dlq")
    await queue.consume(watch.on_message, no_ack=True)
    yield watch
    await connection.close()


@pytest.fixture
async def tally(
    capsys: pytest.CaptureFixture[str], registration: RunningRegistration, vhost: Vhost
) -> AsyncIterator[Tally]:
    """Prints the tally; at the end, the broker's own view: nothing ready, nothing unacked."""
    counted = Tally()
    yield counted
    with capsys.disabled():
        print(counted.report())
    await wait_queue_drained(vhost, "registration.events", seconds=10)


@pytest.fixture
async def school_id(registration: RunningRegistration) -> str:
    school = await new_school(registration.http)
    return str(school["id"])


def event_id_in(body: bytes) -> str | None:
    try:
        event_id = json.loads(body).get("event_id")
    except Exception:
        return None
    return event_id if isinstance(event_id, str) else None


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)  # fmt: skip
@given(data=st.data())
async def test_every_message_is_handled_or_dead_lettered_and_the_consumer_goes_on(
    data: st.DataObject,
    registration: RunningRegistration,
    school_id: str,
    vhost: Vhost,
    bus: RabbitBroker,
    dead_letters: DeadLetterWatch,
    tally: Tally,
) -> None:
    batch = data.draw(st.lists(any_message(school_id), min_size=BATCH, max_size=BATCH))
    good_id = str(uuid.uuid4())
    good = Message(
        "valid_after", json.dumps(envelope(good_id, school_id)).encode(), SIGNUP, good_id
    )
    for message in [*batch, good]:
        await publish_raw(bus, message.body, routing_key=message.routing_key,
                          message_id=message.message_id)  # fmt: skip

    inbox = registration.database["inbox"]
    pending = {message.message_id: message for message in [*batch, good]}
    outcome: dict[str, str] = {}
    deadline = time.monotonic() + SETTLE_SECONDS
    while pending and time.monotonic() < deadline:
        for message_id in [m for m in pending if m in dead_letters.received]:
            outcome[message_id] = "dead_lettered"
            del pending[message_id]
        by_event_id = {event_id_in(m.body): m.message_id for m in pending.values()}
        by_event_id.pop(None, None)
        handled = inbox.find({"_id": {"$in": [f"registration:{e}" for e in by_event_id]}})
        async for record in handled:
            message_id = by_event_id[record["event_id"]]
            outcome[message_id] = "handled"
            del pending[message_id]
        if pending:
            await asyncio.sleep(0.05)
    left = {m.message_id: (m.kind, m.routing_key, m.body[:200]) for m in pending.values()}
    assert not pending, f"neither handled nor dead-lettered within {SETTLE_SECONDS} s: {left}"
    assert outcome[good_id] == "handled", "the valid sign-up after the batch"

    for message in batch:
        tally.kinds[message.kind] += 1
        tally.outcomes[outcome[message.message_id]] += 1
        if outcome[message.message_id] == "dead_lettered":
            headers = dead_letters.received[message.message_id].headers
            reason = headers.get(REASON_HEADER)
            assert isinstance(reason, str) and reason, (message, headers)
            assert headers.get(EXCEPTION_HEADER), (message, headers)
            tally.reasons[reason] += 1
    tally.outcomes["valid_after_handled"] += 1
    assert await _nothing_held(registration), "the consumer settled every delivery"


async def _nothing_held(registration: RunningRegistration) -> bool:
    for _ in range(100):
        if registration.app.state.runtime.held.count == 0:
            return True
        await asyncio.sleep(0.02)
    return False
