"""Scenario 8 (a message that crashes its consumer every time) and scenario 9 (SIGTERM while
a handler runs), with services as real processes."""

from __future__ import annotations

import signal

import pytest
from faststream.rabbit import RabbitBroker

from shared.topology import DELIVERY_LIMIT
from tests.support.invariants import (
    Database,
    assert_invariants,
    ready_counts,
    wait_for_effects,
    wait_until_quiet,
)
from tests.support.probes import (
    effect_count,
    envelope_of,
    eventually,
    publish_envelope,
    teacher_registered,
)
from tests.support.processes import Processes, ServiceProcess
from tests.support.servers import Vhost

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DLQ = "notifications.dlq"


async def test_a_message_that_kills_its_consumer_is_dead_lettered_by_the_delivery_limit(
    processes: Processes, bus: RabbitBroker, databases: dict[str, Database], vhost: Vhost
) -> None:
    poison = envelope_of(teacher_registered("t-poison"))
    # The bug is in the deployed code: every restart of the service carries it.
    crash_on_poison = {"etwinning_fault_point": f"consumer.received@{poison.event_id}"}
    replicas = [processes.start("notifications", **crash_on_poison) for _ in range(2)]
    for replica in replicas:
        await replica.ready()
    await publish_envelope(bus, poison)

    async def dead_lettered() -> bool:
        """Meanwhile, a supervisor restarts each crashed replica (a restart policy)."""
        for number, replica in enumerate(replicas):
            if replica.returncode is not None:
                assert replica.returncode == -signal.SIGKILL, replica.tail()
                replicas[number] = processes.start("notifications", **crash_on_poison)
        assert len(processes.started) <= len(replicas) + DELIVERY_LIMIT + 1, "never bounded"
        return (await ready_counts(vhost, [DLQ]))[DLQ] > 0

    await eventually(dead_lettered, seconds=90, interval=0.2, what="the poison dead-lettered")
    for replica in replicas:
        await replica.ready()
    good = [envelope_of(teacher_registered(f"t-{number}")) for number in range(5)]
    for event in good:
        await publish_envelope(bus, event)
    notifications = databases["notifications"]
    effects = {"notifications": (notifications, [event.event_id for event in good])}
    await wait_for_effects(effects)
    await wait_until_quiet(vhost)
    assert all(replica.returncode is None for replica in replicas), "stable without the poison"
    await processes.terminate_all()

    dead = await assert_invariants(
        vhost, effects=effects, dead_lettered={"notifications": [str(poison.event_id)]}
    )
    headers = dead[DLQ][0].headers
    assert headers["x-first-death-reason"] == "delivery_limit"
    assert headers["x-first-death-queue"] == "notifications.events"
    crashes = [entry for p in processes.started for entry in p.events("fault.point_reached")]
    assert 1 < len(crashes) <= DELIVERY_LIMIT + 1
    assert max(crash["delivery_count"] for crash in crashes) == len(crashes) - 1


async def handling_started(service: ServiceProcess) -> None:
    await eventually(
        lambda: service.events("fault.point_reached"), seconds=15, what="handler running"
    )


async def test_sigterm_lets_a_short_handler_finish_and_ack(
    processes: Processes, bus: RabbitBroker, databases: dict[str, Database], vhost: Vhost
) -> None:
    event = envelope_of(teacher_registered())
    service = await processes.start(
        "notifications",
        etwinning_fault_point=f"consumer.before_commit@{event.event_id}",
        etwinning_fault_action="sleep:1",
        graceful_timeout_seconds="10",
    ).ready()
    await publish_envelope(bus, event)
    await handling_started(service)

    assert await service.terminate() == -signal.SIGTERM, service.tail()  # as uvicorn exits
    assert [entry["event_id"] for entry in service.events("event.handled")] == [str(event.event_id)]
    await assert_invariants(
        vhost, effects={"notifications": (databases["notifications"], [event.event_id])}
    )


async def test_sigterm_during_a_long_handler_hands_the_message_to_a_replica(
    processes: Processes, bus: RabbitBroker, databases: dict[str, Database], vhost: Vhost
) -> None:
    event = envelope_of(teacher_registered())
    stopping = await processes.start(
        "notifications",
        etwinning_fault_point=f"consumer.before_commit@{event.event_id}",
        etwinning_fault_action="sleep:60",
        graceful_timeout_seconds="1",
    ).ready()
    await publish_envelope(bus, event)
    await handling_started(stopping)
    replica = await processes.start("notifications").ready()

    stopping.signal(signal.SIGTERM)
    assert await stopping.exited() == -signal.SIGTERM, stopping.tail()
    assert not stopping.events("event.handled")
    notifications = databases["notifications"]
    effects = {"notifications": (notifications, [event.event_id])}
    await wait_for_effects(effects)
    await wait_until_quiet(vhost)
    handled = replica.events("event.handled")
    assert [(entry["event_id"], entry["delivery_count"]) for entry in handled] == [
        (str(event.event_id), 1)
    ]
    await processes.terminate_all()
    await assert_invariants(vhost, effects=effects)
    assert await effect_count(notifications, event.event_id) == 1
