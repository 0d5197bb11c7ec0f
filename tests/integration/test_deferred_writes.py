"""Writes a transaction queues go to the database together just before commit: in one
cross-collection bulkWrite (MongoDB 8.0+, SecantusDB) or one bulk write per collection (older
servers), with the inbox record first and the outbox entries last, all or nothing."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from shared.errors import PermanentError
from shared.events.registration import TeacherRegistered
from shared.metrics import ServiceMetrics
from shared.storage.deferred import (
    DeferredWriteFailed,
    insert,
    insert_if_absent,
    replace,
    replace_matching,
    supports_client_bulk_write,
    upsert,
)
from shared.storage.mongo import INBOX, OUTBOX, create_client, ensure_collections
from shared.storage.unit_of_work import AlreadyProcessed, Transaction, UnitOfWork

pytestmark = [pytest.mark.integration]

Database = AsyncDatabase[dict[str, Any]]
CONSUMER = "deferred-test"


@pytest.fixture
async def counted(mongodb_url: str) -> AsyncIterator[tuple[ServiceMetrics, Database]]:
    metrics = ServiceMetrics()
    client = create_client(mongodb_url, "deferred-test", metrics.db_commands)
    database = client[f"deferred_{uuid.uuid4().hex[:8]}"]
    await ensure_collections(database, [INBOX, OUTBOX, "facts", "ledger"])
    yield metrics, database
    await client.close()


def _commands(metrics: ServiceMetrics, command: str) -> float:
    return sum(
        sample.value
        for family in metrics.registry.collect()
        for sample in family.samples
        if sample.name == "etwinning_db_commands_total" and sample.labels["command"] == command
    )


def _unit_of_work(database: Database, one_command: bool | None) -> UnitOfWork:
    client: AsyncMongoClient[dict[str, Any]] = database.client
    return UnitOfWork(client, database, CONSUMER, client_bulk_write=one_command)


def _registered(teacher_id: str) -> TeacherRegistered:
    return TeacherRegistered(
        teacher_id=teacher_id, name="Queued", email=f"{teacher_id}@example.org", language="en",
        role="teacher", school_id="s1", country="ES",
    )  # fmt: skip


async def _record_fact(tx: Transaction) -> None:
    tx.defer(
        insert_if_absent("facts", {"_id": "f1", "kind": "first"}),
        upsert("ledger", {"_id": "l1"}, {"$inc": {"n": 1}}),
        replace("ledger", {"_id": "l2", "note": "kept"}),
    )
    await tx.emit(_registered("t1"))


@pytest.mark.parametrize("one_command", [True, False], ids=["bulkWrite", "per-collection"])
async def test_queued_writes_commit_with_the_inbox_and_outbox(
    counted: tuple[ServiceMetrics, Database], one_command: bool
) -> None:
    metrics, database = counted
    await database["ledger"].insert_one({"_id": "l1", "n": 0})
    uow = _unit_of_work(database, one_command)
    event_id = str(uuid.uuid4())

    await uow.run(_record_fact, inbox=(CONSUMER, event_id))

    assert await database["facts"].find_one({"_id": "f1"}) == {"_id": "f1", "kind": "first"}
    assert (await database["ledger"].find_one({"_id": "l1"}) or {})["n"] == 1
    assert await database["ledger"].find_one({"_id": "l2"}) == {"_id": "l2", "note": "kept"}
    assert await database[INBOX].count_documents({"event_id": event_id}) == 1
    assert await database[OUTBOX].count_documents({}) == 1
    if one_command:
        assert _commands(metrics, "bulkWrite") == 1
        assert _commands(metrics, "update") == 0
    else:  # a bulk write per run of one collection: inbox, facts, ledger (two), outbox
        assert _commands(metrics, "bulkWrite") == 0
        assert _commands(metrics, "insert") == 3  # the ledger seed, inbox record, outbox entry
        assert _commands(metrics, "update") == 2  # facts; both ledger writes in one command


@pytest.mark.parametrize("one_command", [True, False], ids=["bulkWrite", "per-collection"])
async def test_a_message_handled_before_changes_nothing_twice(
    counted: tuple[ServiceMetrics, Database], one_command: bool
) -> None:
    _, database = counted
    await database["ledger"].insert_one({"_id": "l1", "n": 0})
    uow = _unit_of_work(database, one_command)
    event_id = str(uuid.uuid4())
    await uow.run(_record_fact, inbox=(CONSUMER, event_id))

    with pytest.raises(AlreadyProcessed):
        await uow.run(_record_fact, inbox=(CONSUMER, event_id))

    assert (await database["ledger"].find_one({"_id": "l1"}) or {})["n"] == 1
    assert await database[OUTBOX].count_documents({}) == 1


@pytest.mark.parametrize("one_command", [True, False], ids=["bulkWrite", "per-collection"])
async def test_a_refused_queued_write_rolls_back_the_whole_transaction(
    counted: tuple[ServiceMetrics, Database], one_command: bool
) -> None:
    _, database = counted
    await database["facts"].insert_one({"_id": "taken"})
    uow = _unit_of_work(database, one_command)

    async def clash(tx: Transaction) -> None:
        tx.defer(insert("ledger", {"_id": "before"}))
        tx.defer(insert("facts", {"_id": "taken"}))
        await tx.emit(_registered("t2"))

    with pytest.raises(DeferredWriteFailed) as refused:
        await uow.run(clash, inbox=(CONSUMER, str(uuid.uuid4())))

    assert (refused.value.position, refused.value.code) == (2, 11000)  # after the inbox record
    assert await database["ledger"].count_documents({}) == 0
    assert await database[INBOX].count_documents({}) == 0
    assert await database[OUTBOX].count_documents({}) == 0


class Stale(Exception):
    pass


@pytest.mark.parametrize("one_command", [True, False], ids=["bulkWrite", "per-collection"])
async def test_a_replacement_matching_nothing_raises_what_its_writer_gave(
    counted: tuple[ServiceMetrics, Database], one_command: bool
) -> None:
    _, database = counted
    await database["ledger"].insert_one({"_id": "l1", "version": 2})
    uow = _unit_of_work(database, one_command)

    def save(version: int) -> Any:
        async def work(tx: Transaction) -> None:
            tx.defer(insert("facts", {"_id": f"saved-{version}"}))
            tx.defer(
                replace_matching(
                    "ledger", {"_id": "l1", "version": version}, {"version": version + 1}, Stale()
                )
            )

        return work

    with pytest.raises(Stale):
        await uow.run(save(1))
    await uow.run(save(2))

    assert await database["facts"].distinct("_id") == ["saved-2"]
    assert await database["ledger"].find_one({"_id": "l1"}) == {"_id": "l1", "version": 3}


async def test_a_refusal_of_a_message_handled_before_is_a_duplicate_not_a_failure(
    counted: tuple[ServiceMetrics, Database],
) -> None:
    """The first run changed the state the use case checks: its second run refuses, and the
    inbox says why."""
    _, database = counted
    uow = _unit_of_work(database, None)
    event_id = str(uuid.uuid4())

    async def once_only(tx: Transaction) -> None:
        if await tx.collection("facts").find_one({"_id": "done"}, session=tx.session):
            raise PermanentError("already done", reason="rule_violation")
        tx.defer(insert("facts", {"_id": "done"}))

    await uow.run(once_only, inbox=(CONSUMER, event_id))
    with pytest.raises(AlreadyProcessed):
        await uow.run(once_only, inbox=(CONSUMER, event_id))
    with pytest.raises(PermanentError):  # another message meeting the same state: refused
        await uow.run(once_only, inbox=(CONSUMER, str(uuid.uuid4())))


async def test_two_transactions_racing_for_one_message_leave_one_effect(
    counted: tuple[ServiceMetrics, Database],
) -> None:
    """Both read, both queue; the loser's bulkWrite meets a write conflict, which must reach
    with_transaction as a transient error (PyMongo wraps it) so the retry finds the inbox."""
    _, database = counted
    await database["ledger"].insert_one({"_id": "l1", "n": 0})
    uow = _unit_of_work(database, True)
    event_id = str(uuid.uuid4())
    both_read = asyncio.Barrier(2)
    attempts = 0

    async def count_once(tx: Transaction) -> None:
        nonlocal attempts
        attempts += 1
        await tx.collection("ledger").find_one({"_id": "l1"}, session=tx.session)
        if attempts <= 2:
            await both_read.wait()
        tx.defer(upsert("ledger", {"_id": "l1"}, {"$inc": {"n": 1}}))

    outcomes = await asyncio.gather(
        uow.run(count_once, inbox=(CONSUMER, event_id)),
        uow.run(count_once, inbox=(CONSUMER, event_id)),
        return_exceptions=True,
    )

    assert sorted(type(outcome).__name__ for outcome in outcomes) == [
        "AlreadyProcessed",
        "NoneType",
    ]
    assert (await database["ledger"].find_one({"_id": "l1"}) or {})["n"] == 1


async def test_the_server_here_takes_the_cross_collection_bulk_write(
    counted: tuple[ServiceMetrics, Database],
) -> None:
    _, database = counted
    await database.command("ping")
    assert supports_client_bulk_write(database.client)


# --- without a transaction: idempotent writes, the inbox record last ------------------------


async def test_idempotent_work_runs_without_a_transaction_and_inbox_last(
    counted: tuple[ServiceMetrics, Database],
) -> None:
    metrics, database = counted
    uow = _unit_of_work(database, None)
    event_id = str(uuid.uuid4())

    async def notify(tx: Transaction) -> None:
        tx.defer(insert_if_absent("facts", {"_id": f"mail-{event_id}"}))

    await uow.run(notify, inbox=(CONSUMER, event_id), atomic=False)
    with pytest.raises(AlreadyProcessed):
        await uow.run(notify, inbox=(CONSUMER, event_id), atomic=False)

    assert await database["facts"].count_documents({}) == 1
    assert await database[INBOX].count_documents({"event_id": event_id}) == 1
    assert _commands(metrics, "commitTransaction") == 0
    assert _commands(metrics, "bulkWrite") == 2


@pytest.mark.parametrize("one_command", [True, False], ids=["bulkWrite", "per-collection"])
async def test_idempotent_work_failing_part_way_is_completed_by_the_redelivery(
    counted: tuple[ServiceMetrics, Database], one_command: bool
) -> None:
    """No transaction: what was written before the failure stays, but the inbox record, last,
    was not written, so the redelivery runs again and writes what was missing, once."""
    _, database = counted
    await database["ledger"].insert_one({"_id": "taken"})
    uow = _unit_of_work(database, one_command)
    event_id = str(uuid.uuid4())
    broken = True

    async def notify(tx: Transaction) -> None:
        tx.defer(insert_if_absent("facts", {"_id": "mail-1"}))
        if broken:
            tx.defer(insert("ledger", {"_id": "taken"}))
        tx.defer(insert_if_absent("facts", {"_id": "mail-2"}))

    with pytest.raises(DeferredWriteFailed):
        await uow.run(notify, inbox=(CONSUMER, event_id), atomic=False)
    assert await database[INBOX].count_documents({}) == 0
    broken = False
    await uow.run(notify, inbox=(CONSUMER, event_id), atomic=False)

    assert sorted(await database["facts"].distinct("_id")) == ["mail-1", "mail-2"]
    assert await database[INBOX].count_documents({"event_id": event_id}) == 1


async def test_work_without_a_transaction_cannot_emit(
    counted: tuple[ServiceMetrics, Database],
) -> None:
    _, database = counted
    uow = _unit_of_work(database, None)

    async def emits(tx: Transaction) -> None:
        tx.defer(insert_if_absent("facts", {"_id": "never"}))
        await tx.emit(_registered("t3"))

    with pytest.raises(RuntimeError):
        await uow.run(emits, inbox=(CONSUMER, str(uuid.uuid4())), atomic=False)
    assert await database["facts"].count_documents({}) == 0
    assert await database[OUTBOX].count_documents({}) == 0
