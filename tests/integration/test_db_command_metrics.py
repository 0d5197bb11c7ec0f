"""Database round trips: every command a service's client sends is counted at /metrics
(etwinning_db_commands_total{database,command}), and the core's own share stays small."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from shared.errors import PermanentError
from shared.events.registration import TeacherRegistered
from shared.metrics import ServiceMetrics
from shared.storage.leases import LeasedQueue, new_work_fields
from shared.storage.mongo import OUTBOX, Document, create_client
from shared.storage.unit_of_work import Transaction, UnitOfWork

pytestmark = [pytest.mark.integration]


def _count(metrics: ServiceMetrics, database: str, command: str) -> float:
    value = metrics.registry.get_sample_value(
        "etwinning_db_commands_total", {"database": database, "command": command}
    )
    return value or 0.0


def _registered(n: int) -> TeacherRegistered:
    return TeacherRegistered(
        teacher_id=f"t{n}", name="Round Trip", email=f"t{n}@example.org", language="en",
        role="teacher", school_id="s1", country="ES",
    )  # fmt: skip


async def test_every_command_is_counted_by_database_and_name(mongodb_url: str) -> None:
    metrics = ServiceMetrics()
    client = create_client(mongodb_url, "metrics-test", metrics.db_commands)
    name = f"commands_{uuid.uuid4().hex[:8]}"
    try:
        await client[name]["things"].insert_one({"_id": 1})
        await client[name]["things"].find_one({"_id": 1})
        uow = UnitOfWork(client, client[name], "registration")

        async def emit_three(tx: Transaction) -> None:
            for n in range(3):
                await tx.emit(_registered(n))

        await uow.run(emit_three, inbox=("registration", str(uuid.uuid4())))
    finally:
        await client.close()
    assert _count(metrics, name, "find") == 1
    assert _count(metrics, name, "insert") == 1  # the test's own
    # the inbox record and the three outbox entries: one bulkWrite across collections
    assert _count(metrics, "admin", "bulkWrite") == 1
    assert _count(metrics, "admin", "commitTransaction") == 1
    outbox = await _outbox_ids(mongodb_url, name)
    assert len(outbox) == 3


async def test_an_uncontended_claim_of_a_batch_is_two_round_trips(mongodb_url: str) -> None:
    metrics = ServiceMetrics()
    client = create_client(mongodb_url, "metrics-test", metrics.db_commands)
    name = f"claims_{uuid.uuid4().hex[:8]}"
    try:
        collection = client[name]["work"]
        await collection.insert_many([{"_id": f"w{n}", **new_work_fields()} for n in range(5)])
        queue = LeasedQueue(collection, lease_seconds=30, max_attempts=3)
        before = {c: _count(metrics, name, c) for c in ("find", "update")}
        claimed = await queue.claim_batch(100)
        used = {c: _count(metrics, name, c) - before[c] for c in ("find", "update")}
        stored = {d["_id"]: d async for d in collection.find({})}
    finally:
        await client.close()
    assert used == {"find": 1, "update": 1}
    assert [d["_id"] for d in claimed] == [f"w{n}" for n in range(5)]
    # what the claim returned is what the database now holds
    for document in claimed:
        assert document["lease_owner"] == stored[document["_id"]]["lease_owner"]
        assert document["attempts"] == stored[document["_id"]]["attempts"] == 1


async def _outbox_ids(mongodb_url: str, database: str) -> list[Any]:
    client = create_client(mongodb_url, "metrics-test")
    try:
        return [d["_id"] async for d in client[database][OUTBOX].find({}, {"_id": 1})]
    finally:
        await client.close()


class Worker:
    """Stands for a delivery dispatcher: what it is handed, and the lease it gives."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.received: list[Document] = []

    def born_leased(self) -> Document:
        return {"lease_owner": f"{self.name}:born"}

    def committed(self, documents: list[Document]) -> None:
        self.received.extend(documents)


@pytest.mark.parametrize("one_command", [True, False], ids=["bulkWrite", "per-collection"])
async def test_a_worker_is_handed_only_what_committed_transactions_inserted_for_it(
    mongodb_url: str, one_command: bool
) -> None:
    """The mail dispatcher takes the deliveries its process committed without a claim query;
    it must never be handed one that already existed (it may have been sent) or that did
    not commit."""
    client = create_client(mongodb_url, "hand-over-test")
    database = client[f"hand_over_{uuid.uuid4().hex[:8]}"]
    mail, webhooks = Worker("mail"), Worker("webhooks")
    try:
        await database["deliveries"].insert_one({"_id": "sent-before", "status": "sent"})
        uow = UnitOfWork(client, database, "notifications", client_bulk_write=one_command)
        uow.hand_over("deliveries", mail)
        uow.hand_over("webhook_deliveries", webhooks)

        async def queue_mail(tx: Transaction) -> None:
            for delivery_id in ("new", "sent-before", "new"):  # twice: one rule per recipient
                tx.enqueue("deliveries", {"_id": delivery_id, "status": "pending"})

        async def queue_then_fail(tx: Transaction) -> None:
            tx.enqueue("deliveries", {"_id": "rolled-back", "status": "pending"})
            raise PermanentError("refused", reason="rule_violation")

        await uow.run(queue_mail)
        with pytest.raises(PermanentError):
            await uow.run(queue_then_fail)
    finally:
        stored = {d["_id"]: d async for d in database["deliveries"].find()}
        await client.close()

    assert [d["_id"] for d in mail.received] == ["new"]
    assert webhooks.received == []
    assert stored["new"]["lease_owner"] == "mail:born"
    assert stored["sent-before"] == {"_id": "sent-before", "status": "sent"}
    assert "rolled-back" not in stored
