"""The bare limit of the completion pipeline: the same hops as the platform, hand-written with
aio-pika and PyMongo, no framework (no FastStream, pydantic, structlog, metrics, relay).

Each hop is its own process (`python -m bench.bare_chain --hop awards ...`), consumes a quorum
queue with the platform's prefetch and, per message, does in ONE transaction the writes the
platform's hop does, then publishes what it emitted (persistent, mandatory, confirmed) and
marks its outbox entries published; then acks:

- projects (a completion command, the bench's stand-in for POST /completion): read the
  project, write it back completed, outbox entry of projects.project.completed;
- awards (projects.project.completed): inbox record, project facts upserted, one application
  upserted and one outbox entry of awards.nql.application_opened per member;
- notifications: on projects.project.completed, inbox record, the project read model upserted,
  per member a contact read and an in-app item upserted; on awards.nql.application_opened,
  inbox record, contact read, in-app item upserted, mail delivery inserted; after the commit
  the mail goes to the SMTP sink (aiosmtplib, as the platform) and the delivery is marked sent.

bench/pipeline.py runs it after the platform, on the same servers, with the same projects.
On SIGTERM a hop prints one line of JSON: messages handled and database commands by name.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import aio_pika
import aiosmtplib
from pymongo import AsyncMongoClient, WriteConcern
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from bench._platform import CpuMeter, TimedSink, peak_rss_mb, time_completions
from bench.core_throughput import RoundTrips
from services.awards.nql.adapters import repository as awards_repository
from services.notifications.adapters import repository as notifications_repository
from services.projects.adapters import repository as projects_repository
from shared.storage.mongo import ensure_core_indexes

EXCHANGE = "bare.events"
COMPLETE = "bare.command.complete"
BINDINGS = {
    "projects": [COMPLETE],
    "awards": ["projects.project.completed"],
    "notifications": ["projects.project.completed", "awards.nql.application_opened"],
}
Document = dict[str, Any]
INDEXES = {
    "projects": projects_repository.ensure_indexes,
    "awards": awards_repository.ensure_indexes,
    "notifications": notifications_repository.ensure_indexes,
}
Work = Callable[[AsyncClientSession, list[Document]], Awaitable[None]]


@dataclass(frozen=True)
class BareProject:
    project_id: str
    title: str
    members: dict[str, str]  # slot → teacher id


def envelope(event_type: str, producer: str, aggregate_id: str, payload: Document) -> Document:
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": event_type,
        "event_version": 1,
        "occurred_at": datetime.now(UTC).isoformat(),
        "producer": producer,
        "correlation_id": str(uuid.uuid4()),
        "causation_id": None,
        "aggregate_id": aggregate_id,
        "payload": payload,
    }


class Hop:
    """One consumer: transaction (inbox, effect, outbox), publish, mark published, ack."""

    def __init__(self, name: str, database: AsyncDatabase[Document], client: Any) -> None:
        self.name = name
        self.db = database
        self.client = client
        self.exchange: aio_pika.abc.AbstractExchange | None = None
        self.handled = 0

    async def commit(self, inbox_id: str | None, work: Work) -> list[Document]:
        emitted: list[Document] = []

        async def attempt(session: AsyncClientSession) -> None:
            emitted.clear()
            if inbox_id is not None:
                record = {"_id": f"{self.name}:{inbox_id}", "received_at": datetime.now(UTC)}
                await self.db.inbox.insert_one(record, session=session)
            await work(session, emitted)
            if emitted:
                await self.db.outbox.insert_many(
                    [{"_id": e["event_id"], "envelope": e, "status": "pending"} for e in emitted],
                    session=session,
                )

        async with self.client.start_session() as session:
            await session.with_transaction(attempt, write_concern=WriteConcern("majority"))
        return emitted

    async def publish(self, events: list[Document]) -> None:
        assert self.exchange is not None
        for event in events:
            message = aio_pika.Message(
                json.dumps(event).encode(),
                message_id=event["event_id"],
                type=event["event_type"],
                correlation_id=event["correlation_id"],
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                headers={"x-event-version": 1},
            )
            await self.exchange.publish(message, routing_key=event["event_type"], mandatory=True)
        if events:
            await self.db.outbox.update_many(
                {"_id": {"$in": [event["event_id"] for event in events]}},
                {"$set": {"status": "published", "published_at": datetime.now(UTC)}},
            )

    async def on_message(self, message: aio_pika.abc.AbstractIncomingMessage) -> None:
        async with message.process(requeue=True):
            body = json.loads(message.body)
            await getattr(self, "on_" + (message.routing_key or "").replace(".", "_"))(body)
            self.handled += 1


class Projects(Hop):
    async def on_bare_command_complete(self, command: Document) -> None:
        async def work(session: AsyncClientSession, emitted: list[Document]) -> None:
            projects = self.db.projects
            project = await projects.find_one({"_id": command["project_id"]}, session=session)
            assert project is not None
            now = datetime.now(UTC)
            project["status"] = "COMPLETED"
            project["history"].append({"at": now, "action": "completed"})
            await projects.replace_one({"_id": project["_id"]}, project, session=session)
            payload = {
                "project_id": project["_id"], "title": project["title"],
                "project_type": "EUROPEAN", "members": project["members"],
                "completed_at": now.isoformat(),
            }  # fmt: skip
            emitted.append(
                envelope("projects.project.completed", self.name, project["_id"], payload)
            )

        await self.publish(await self.commit(None, work))


class Awards(Hop):
    async def on_projects_project_completed(self, event: Document) -> None:
        facts = event["payload"]

        async def work(session: AsyncClientSession, emitted: list[Document]) -> None:
            project_id = facts["project_id"]
            await self.db.nql_projects.update_one(
                {"_id": project_id}, {"$setOnInsert": facts}, upsert=True, session=session
            )
            for member in facts["members"]:
                application_id = f"{project_id}_{member['teacher_id']}"
                application = {
                    "_id": application_id, "project_id": project_id,
                    "project_title": facts["title"], "teacher_id": member["teacher_id"],
                    "country": member["country"], "status": "OPEN",
                    "opened_at": datetime.now(UTC),
                }  # fmt: skip
                await self.db.nql_applications.update_one(
                    {"_id": application_id}, {"$setOnInsert": application}, upsert=True,
                    session=session,
                )  # fmt: skip
                payload = {
                    "application_id": application_id, "project_id": project_id,
                    "project_title": facts["title"], "teacher_id": member["teacher_id"],
                    "country": member["country"], "opened_at": datetime.now(UTC).isoformat(),
                }  # fmt: skip
                emitted.append(
                    envelope("awards.nql.application_opened", self.name, application_id, payload)
                )

        await self.publish(await self.commit(event["event_id"], work))


class Notifications(Hop):
    def __init__(self, *args: Any, smtp_url: str) -> None:
        super().__init__(*args)
        self.smtp_host, _, port = smtp_url.removeprefix("smtp://").partition(":")
        self.smtp_port = int(port)

    async def _item(self, session: AsyncClientSession, event: Document, teacher_id: str) -> Any:
        contact = await self.db.contacts.find_one({"_id": teacher_id}, session=session)
        assert contact is not None
        item_id = f"{event['event_id']}:{teacher_id}"
        item = {"_id": item_id, "recipient_id": teacher_id, "event_type": event["event_type"],
                "subject": event["payload"].get("title") or event["payload"].get("project_title"),
                "created_at": datetime.now(UTC), "read_at": None}  # fmt: skip
        await self.db.inbox_items.update_one(
            {"_id": item_id}, {"$setOnInsert": item}, upsert=True, session=session
        )
        return contact

    async def on_projects_project_completed(self, event: Document) -> None:
        facts = event["payload"]

        async def work(session: AsyncClientSession, emitted: list[Document]) -> None:
            members = [member["teacher_id"] for member in facts["members"]]
            await self.db.projects.update_one(
                {"_id": facts["project_id"]},
                {"$set": {"title": facts["title"]}, "$addToSet": {"members": {"$each": members}}},
                upsert=True, session=session,
            )  # fmt: skip
            for teacher_id in members:
                await self._item(session, event, teacher_id)

        await self.commit(event["event_id"], work)

    async def on_awards_nql_application_opened(self, event: Document) -> None:
        facts = event["payload"]
        delivery: Document = {}

        async def work(session: AsyncClientSession, emitted: list[Document]) -> None:
            contact = await self._item(session, event, facts["teacher_id"])
            title = facts["project_title"]
            delivery.update(
                _id=f"{event['event_id']}:{facts['teacher_id']}", to=contact["email"],
                subject=f'Your National Quality Label application for "{title}" is open',
                text=f'Dear {contact["name"]},\n\nThe project "{title}" is completed, and you '
                f"can now apply for a National Quality Label on it.\n\nApplication: "
                f"{facts['application_id']}\n",
                status="pending",
            )  # fmt: skip
            await self.db.mail_deliveries.insert_one(dict(delivery), session=session)

        await self.commit(event["event_id"], work)
        message = EmailMessage()
        message["From"] = "eTwinning <no-reply@etwinning.localhost>"
        message["To"] = delivery["to"]
        message["Subject"] = delivery["subject"]
        message["Message-ID"] = f"<{delivery['_id']}@bare.etwinning.localhost>"
        message.set_content(delivery["text"])
        message.add_alternative(f"<p>{delivery['text']}</p>", subtype="html")
        await aiosmtplib.send(message, hostname=self.smtp_host, port=self.smtp_port, timeout=15)
        await self.db.mail_deliveries.update_one(
            {"_id": delivery["_id"]}, {"$set": {"status": "sent", "sent_at": datetime.now(UTC)}}
        )


async def connect(amqp_url: str, within_seconds: float = 120.0) -> aio_pika.abc.AbstractConnection:
    """A robust connection; the first connect is retried too (a shared broker restarts)."""
    deadline = time.monotonic() + within_seconds
    while True:
        try:
            return await aio_pika.connect_robust(amqp_url)
        except (ConnectionError, aio_pika.exceptions.AMQPConnectionError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(1.0)


async def serve_hop(hop_name: str, amqp_url: str, mongodb_url: str, smtp_url: str) -> None:
    commands = RoundTrips()
    client: AsyncMongoClient[Document] = AsyncMongoClient(
        mongodb_url, tz_aware=True, w="majority", event_listeners=[commands]
    )
    database = client[f"bare_{hop_name}"]
    hop: Hop
    if hop_name == "notifications":
        hop = Notifications(hop_name, database, client, smtp_url=smtp_url)
    else:
        hop = {"projects": Projects, "awards": Awards}[hop_name](hop_name, database, client)
    connection = await connect(amqp_url)
    channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
    await channel.set_qos(prefetch_count=int(os.environ.get("AMQP_PREFETCH", "10")))
    hop.exchange = await channel.declare_exchange(
        EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True
    )
    queue = await channel.declare_queue(
        f"bare.{hop_name}", durable=True, arguments={"x-queue-type": "quorum"}
    )
    for key in BINDINGS[hop_name]:
        await queue.bind(hop.exchange, routing_key=key)
    commands.commands.clear()
    await queue.consume(hop.on_message)
    print("ready", flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await connection.close()
    await client.close()
    print(json.dumps({"hop": hop_name, "handled": hop.handled, "commands": commands.commands}))


async def run_bare(
    projects: list[BareProject], amqp_url: str, mongodb_url: str, sink: TimedSink,
    concurrency: int, within_seconds: float, log_dir: Path, others: dict[str, int],
) -> dict[str, Any]:  # fmt: skip
    """Seed the bare databases, start the three hops, send the completions, time the mails."""
    await _seed(projects, mongodb_url)
    hops = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.bare_chain",
            "--hop",
            name,
            "--amqp",
            amqp_url,
            "--mongodb",
            mongodb_url,
            "--smtp",
            sink.url,
            stdout=asyncio.subprocess.PIPE,
            stderr=(log_dir / f"bare-{name}.log").open("wb"),
        )
        for name in BINDINGS
    ]
    try:
        for process in hops:
            assert process.stdout is not None
            ready = await asyncio.wait_for(process.stdout.readline(), timeout=180)
            if ready.strip() != b"ready":
                raise RuntimeError(f"a bare hop did not start (see {log_dir})")
        connection = await connect(amqp_url)
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(EXCHANGE)

        def completion(project: BareProject) -> Callable[[], Awaitable[object]]:
            body = json.dumps({"project_id": project.project_id}).encode()
            message = aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT)
            return lambda: exchange.publish(message, routing_key=COMPLETE, mandatory=True)

        meter = CpuMeter({f"bare-{n}": p.pid for n, p in zip(BINDINGS, hops, strict=True)})
        meter.pids.update(others)
        meter.start()
        sustained = await time_completions(
            [(project.title, completion(project)) for project in projects], sink,
            _title_pattern(projects), concurrency=concurrency, within_seconds=within_seconds,
        )  # fmt: skip
        cpu = meter.per_item(len(projects))
        await connection.close()
        rss = {f"bare-{name}": peak_rss_mb(p.pid) for name, p in zip(BINDINGS, hops, strict=True)}
    finally:
        for process in hops:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
    reports = []
    for process in hops:
        out, _ = await asyncio.wait_for(process.communicate(), timeout=30)
        lines = out.decode().strip().splitlines()
        reports.append(json.loads(lines[-1]) if lines else {})
    return {
        "sustained": sustained,
        "peak_rss_mb": rss,
        "cpu_seconds_per_completion": cpu,
        "db_round_trips": {
            report["hop"]: {
                "consumed": report["handled"],
                "round_trips_per_event": round(
                    sum(report["commands"].values()) / max(report["handled"], 1), 2
                ),
                "commands_per_completion": {
                    name: round(count / max(len(projects), 1), 2)
                    for name, count in sorted(report["commands"].items())
                },
            }
            for report in reports
            if report
        },
    }


def _title_pattern(projects: list[BareProject]) -> re.Pattern[str]:
    prefix = projects[0].title.rsplit("-", 1)[0] if projects else "BENCH"
    return re.compile(rf"{re.escape(prefix)}-\d{{5}}")


async def _seed(projects: list[BareProject], mongodb_url: str) -> None:
    """Projects (active, four members) and the members' contacts, written directly."""
    client: AsyncMongoClient[Document] = AsyncMongoClient(mongodb_url, tz_aware=True)
    countries = {"ES": "ES", "PT": "PT", "TR": "TR", "ES2": "ES"}
    now = datetime.now(UTC)
    documents = [
        {
            "_id": project.project_id,
            "title": project.title,
            "status": "ACTIVE",
            "members": [
                {
                    "teacher_id": teacher_id,
                    "school_id": f"school-{slot}",
                    "school_name": f"School {slot}",
                    "country": countries[slot],
                }
                for slot, teacher_id in project.members.items()
            ],
            "history": [{"at": now, "action": "activated"}],
        }
        for project in projects
    ]
    teachers = {t for project in projects for t in project.members.values()}
    contacts = [
        {"_id": t, "name": "Bench Teacher", "email": f"{t}@bench.example", "language": "en"}
        for t in sorted(teachers)
    ]
    try:
        # The platform's indexes: their upkeep is part of each write, framework or not.
        for hop, ensure_indexes in INDEXES.items():
            await ensure_core_indexes(client[f"bare_{hop}"])
            await ensure_indexes(client[f"bare_{hop}"])
        if documents:
            await client.bare_projects.projects.insert_many(documents)
        if contacts:
            await client.bare_notifications.contacts.insert_many(contacts)
    finally:
        await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--hop", choices=sorted(BINDINGS), required=True)
    parser.add_argument("--amqp", required=True)
    parser.add_argument("--mongodb", required=True)
    parser.add_argument("--smtp", required=True)
    args = parser.parse_args()
    asyncio.run(serve_hop(args.hop, args.amqp, args.mongodb, args.smtp))


if __name__ == "__main__":
    main()
