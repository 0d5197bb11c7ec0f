"""Scenarios 2 and 3: a service process SIGKILLed at an exact point of the message path
(shared/faults.py), then replaced by a fresh process; every flow completes once."""

from __future__ import annotations

import signal

import pytest
from faststream.rabbit import RabbitBroker

from shared.storage.leases import PENDING
from shared.storage.mongo import OUTBOX
from tests.faults.flows import emitted_once_per_request, start_flows
from tests.support.invariants import (
    Database,
    Effects,
    assert_invariants,
    wait_for_effects,
    wait_until_quiet,
)
from tests.support.probes import effect_count, envelope_of, publish_envelope, teacher_registered
from tests.support.processes import Processes
from tests.support.servers import Vhost

pytestmark = [pytest.mark.integration, pytest.mark.slow]

KILLED = -signal.SIGKILL


@pytest.mark.parametrize(
    ("point", "effects_before_restart"),
    [("consumer.before_commit", 0), ("consumer.after_commit", 1)],
)
async def test_a_consumer_killed_mid_message_leaves_one_effect_after_a_restart(
    point: str,
    effects_before_restart: int,
    processes: Processes,
    bus: RabbitBroker,
    databases: dict[str, Database],
    vhost: Vhost,
) -> None:
    events = [envelope_of(teacher_registered(f"t-{number}")) for number in range(5)]
    victim = events[2]
    dying = await processes.start(
        "notifications", etwinning_fault_point=f"{point}@{victim.event_id}"
    ).ready()
    for event in events:
        await publish_envelope(bus, event)

    assert await dying.exited() == KILLED, dying.tail()
    notifications = databases["notifications"]
    assert await effect_count(notifications, victim.event_id) == effects_before_restart

    replacement = await processes.start("notifications").ready()
    effects = {"notifications": (notifications, [event.event_id for event in events])}
    await wait_for_effects(effects)
    await wait_until_quiet(vhost)
    await processes.terminate_all()
    await assert_invariants(vhost, effects=effects)
    handled = {entry["event_id"] for entry in replacement.events("event.handled")}
    skipped = {entry["event_id"] for entry in replacement.events("event.duplicate_skipped")}
    if effects_before_restart:
        assert str(victim.event_id) in skipped, "the redelivery met the committed inbox record"
    else:
        assert str(victim.event_id) in handled, "the rolled-back message was handled again"


@pytest.mark.parametrize(
    ("point", "published_before_restart"),
    [("relay.before_publish", 0), ("relay.after_publish", 1)],
)
async def test_a_publisher_killed_around_its_publish_delivers_every_event_once(
    point: str,
    published_before_restart: int,
    processes: Processes,
    bus: RabbitBroker,
    databases: dict[str, Database],
    vhost: Vhost,
) -> None:
    await processes.start("notifications").ready()
    dying = await processes.start("registration", etwinning_fault_point=point).ready()
    requests = await start_flows(bus, 5)

    assert await dying.exited() == KILLED, dying.tail()
    registration, notifications = databases["registration"], databases["notifications"]
    assert await registration[OUTBOX].count_documents({"status": PENDING}) >= 1
    published = dying.events("outbox.published")
    assert len(published) == published_before_restart

    replacement = await processes.start("registration").ready()
    await wait_for_effects({"registration": (registration, [r.event_id for r in requests])})
    emitted = await emitted_once_per_request(registration, requests)
    effects: Effects = {
        "registration": (registration, [request.event_id for request in requests]),
        "notifications": (notifications, emitted),
    }
    await wait_for_effects(effects)
    await wait_until_quiet(vhost)
    await processes.terminate_all()
    await assert_invariants(vhost, effects=effects)
    republished = [entry["event_id"] for entry in replacement.events("outbox.published")]
    for entry in published:  # published, never marked: published again, with the same id
        assert entry["event_id"] in republished
