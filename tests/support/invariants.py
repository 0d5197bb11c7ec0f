"""The invariant every fault-injection test ends on: nothing lost, nothing duplicated.

1. `wait_for_effects` while the services run: every expected event has its effect; then
   `wait_until_quiet`: no message in flight any more (a duplicate still to be skipped, a
   retry still waiting);
2. the test stops its services (gracefully: in-flight handlers finish and ack; anything a
   service still held goes back to its queue);
3. `assert_invariants`: every queue of the test's vhost is empty, except the DLQs, which hold
   exactly the expected messages (read and emptied here); no outbox entry is pending in any
   service database; each event id has exactly one effect document and one inbox record at
   the service that handled it, and nothing else has an effect there.

Queues are counted with a passive queue.declare, which is exact. rabbitmqctl's counts of
quorum queues are statistics, emitted every 5 s on RabbitMQ 3.10, and can show an empty
queue that is not; and a declare counts no unacknowledged message, hence step 2.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Mapping
from typing import Any

import aio_pika
from pymongo.asynchronous.database import AsyncDatabase

from shared.storage.leases import PENDING
from shared.storage.mongo import INBOX, OUTBOX
from shared.topology import ServiceQueues
from tests.support.probes import EFFECTS, ReceivedMessage, eventually, take_all
from tests.support.servers import Vhost, queue_depths

Database = AsyncDatabase[dict[str, Any]]
Effects = Mapping[str, tuple[Database, Iterable[object]]]
STATISTICS_INTERVAL_SECONDS = 5.5  # RabbitMQ's collect_statistics_interval, and a margin


async def wait_for_effects(effects: Effects, *, seconds: float = 30.0) -> None:
    """`effects`: service -> (its database, the event ids it must have handled). Also waits
    until nothing is pending in their outboxes (a relay that died after publishing leaves an
    entry that its successor publishes again once the lease expires)."""
    for service, (database, event_ids) in effects.items():
        wanted = {str(event_id) for event_id in event_ids}

        async def settled(database: Database = database, wanted: set[str] = wanted) -> bool:
            found = await database[EFFECTS].distinct("event_id", {"event_id": {"$in": [*wanted]}})
            pending = await database[OUTBOX].count_documents({"status": PENDING})
            return len(found) == len(wanted) and pending == 0

        await eventually(settled, seconds=seconds, interval=0.2, what=f"{service} settled")


async def wait_until_quiet(vhost: Vhost, *, seconds: float = 60.0) -> None:
    """Until rabbitmqctl has shown every queue but the DLQs empty (0 ready, 0 unacked) for
    longer than its statistics interval (5 s): at least one fresh sample saw nothing."""
    quiet_since: float | None = None

    async def quiet_long_enough() -> bool:
        nonlocal quiet_since
        depths = await asyncio.to_thread(queue_depths, vhost)
        busy = any(depth != (0, 0) for name, depth in depths.items() if not name.endswith(".dlq"))
        now = time.monotonic()
        quiet_since = None if busy else (quiet_since or now)
        return quiet_since is not None and now - quiet_since > STATISTICS_INTERVAL_SECONDS

    await eventually(quiet_long_enough, seconds=seconds, interval=0.5, what="queues quiet")


async def ready_counts(vhost: Vhost, names: Iterable[str] | None = None) -> dict[str, int]:
    """Exact ready counts of the named queues, or of every queue in the vhost."""
    if names is None:
        names = await asyncio.to_thread(queue_depths, vhost)
    connection = await aio_pika.connect(vhost.url)
    async with connection:
        channel = await connection.channel()
        counts = {}
        for name in names:
            queue = await channel.declare_queue(name, passive=True)
            counts[name] = int(queue.declaration_result.message_count or 0)
        return counts


async def assert_invariants(
    vhost: Vhost,
    *,
    effects: Effects,
    dead_lettered: Mapping[str, Iterable[str]] | None = None,
) -> dict[str, list[ReceivedMessage]]:
    """Call once the services have stopped. `dead_lettered`: service -> the message ids its
    DLQ must hold. Returns the DLQs' messages by queue name."""
    expected_dead = {
        ServiceQueues(service).dead_letter_queue_name: sorted(ids)
        for service, ids in (dead_lettered or {}).items()
    }

    async def dead_letters_arrived() -> dict[str, int]:
        counts = await ready_counts(vhost)
        arrived = all(counts.get(dlq, 0) >= len(ids) for dlq, ids in expected_dead.items())
        return counts if arrived else {}

    counts = await eventually(dead_letters_arrived, seconds=10, what="dead letters")
    left = {name: count for name, count in counts.items() if not name.endswith(".dlq") and count}
    assert not left, f"messages left in queues: {left}"

    dead: dict[str, list[ReceivedMessage]] = {}
    for queue in sorted(name for name in counts if name.endswith(".dlq")):
        dead[queue] = await take_all(vhost, queue)
        found = sorted(str(message.message_id) for message in dead[queue])
        assert found == expected_dead.get(queue, []), f"{queue} holds {found}"

    for service, (database, event_ids) in effects.items():
        pending = await database[OUTBOX].count_documents({"status": PENDING})
        assert pending == 0, f"{service}: {pending} outbox entries pending"
        await assert_one_effect_each(service, database, event_ids)
    return dead


async def assert_one_effect_each(
    service: str, database: Database, event_ids: Iterable[object]
) -> None:
    wanted = sorted({str(event_id) for event_id in event_ids})
    per_event = {
        document["_id"]: document["count"]
        async for document in await database[EFFECTS].aggregate(
            [{"$group": {"_id": "$event_id", "count": {"$sum": 1}}}]
        )
    }
    repeated = {event_id: count for event_id, count in per_event.items() if count != 1}
    assert not repeated, f"{service}: events with more than one effect: {repeated}"
    assert sorted(per_event) == wanted, f"{service}: effects of {sorted(per_event)}"
    recorded = sorted(
        [document["event_id"] async for document in database[INBOX].find({}, {"event_id": 1})]
    )
    assert recorded == wanted, f"{service}: inbox holds {recorded}"
