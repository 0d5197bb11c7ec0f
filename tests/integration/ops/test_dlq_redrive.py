"""`etwinning dlq`: a dead-lettered event is visible with its reason, and a redrive after the
cause is fixed processes it exactly once, at the service that failed it only."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from shared.envelope import EventEnvelope
from shared.errors import TransientError
from shared.runtime import create_app
from shared.settings import ServiceSettings
from shared.storage.unit_of_work import Transaction
from tests.support.probes import (
    effect_count,
    envelope_of,
    eventually,
    publish_envelope,
    record_effect,
    service_definition,
    teacher_registered,
    wait_queue_drained,
)
from tests.support.servers import Vhost, connected_broker
from tests.support.services import running, service_settings
from tools import cli, dlq

pytestmark = [pytest.mark.integration]


class Outage:
    """A dependency that is down until the test brings it back."""

    def __init__(self) -> None:
        self.down = True

    async def handler(self, payload: Any, envelope: EventEnvelope, tx: Transaction) -> None:
        if self.down:
            raise TransientError("the address book is unreachable")
        await record_effect(payload, envelope, tx)


async def test_dead_letter_is_listed_then_redriven_once(
    vhost: Vhost, mongodb_url: str, database_prefix: str
) -> None:
    outage = Outage()
    settings = ServiceSettings(
        **service_settings(
            "notifications", amqp_url=vhost.url, mongodb_url=mongodb_url,
            prefix=database_prefix, consumer_max_attempts=2,
        )
    )  # fmt: skip
    app = create_app(
        service_definition(settings, {"registration.teacher.registered": outage.handler})
    )
    event = envelope_of(teacher_registered("tch_redrive"))
    async with running(app):
        database = app.state.runtime.database
        broker = await connected_broker(vhost)
        await publish_envelope(broker, event)
        await broker.stop()

        letters = await eventually(
            lambda: dlq.peek(vhost.url, "notifications", 10), what="a dead letter"
        )
        assert [(x.message_id, x.reason, x.attempts) for x in letters] == [
            (str(event.event_id), "retries_exhausted", 2)
        ]
        assert letters[0].original_routing_key == "registration.teacher.registered"
        assert "unreachable" in letters[0].detail
        assert len(await dlq.peek(vhost.url, "notifications", 10)) == 1  # peeking keeps it
        metrics = app.state.runtime.metrics
        dead = metrics.dead_lettered.labels("registration.teacher.registered", "retries_exhausted")
        assert dead._value.get() == 1

        outage.down = False
        assert await dlq.redrive(vhost.url, "notifications") == 1
        await eventually(lambda: effect_count(database, event.event_id), what="the effect")
        await wait_queue_drained(vhost, "notifications.events")

        assert await dlq.redrive(vhost.url, "notifications") == 0
        assert await dlq.peek(vhost.url, "notifications", 10) == []
        assert await effect_count(database, event.event_id) == 1


async def test_redrive_of_one_message_leaves_the_others(
    vhost: Vhost, mongodb_url: str, database_prefix: str
) -> None:
    outage = Outage()
    settings = ServiceSettings(
        **service_settings(
            "notifications", amqp_url=vhost.url, mongodb_url=mongodb_url,
            prefix=database_prefix, consumer_max_attempts=1,
        )
    )  # fmt: skip
    app = create_app(
        service_definition(settings, {"registration.teacher.registered": outage.handler})
    )
    first, second = (envelope_of(teacher_registered(f"tch_{n}")) for n in (1, 2))
    async with running(app):
        broker = await connected_broker(vhost)
        for event in (first, second):
            await publish_envelope(broker, event)
        await broker.stop()
        await eventually(
            lambda: _count_is(dlq.peek(vhost.url, "notifications", 10), 2), what="2 letters"
        )
        outage.down = False
        moved = await dlq.redrive(vhost.url, "notifications", message_id=str(second.event_id))
        assert moved == 1
        await eventually(lambda: effect_count(app.state.runtime.database, second.event_id))
        remaining = await dlq.peek(vhost.url, "notifications", 10)
        assert [x.message_id for x in remaining] == [str(first.event_id)]


async def _count_is(letters: Any, expected: int) -> bool:
    return len(await letters) == expected


async def test_the_cli_lists_and_redrives(
    vhost: Vhost, mongodb_url: str, database_prefix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`etwinning dlq list|redrive`, as an operator runs them (the CLI runs its own loop)."""
    outage = Outage()
    settings = ServiceSettings(
        **service_settings(
            "notifications", amqp_url=vhost.url, mongodb_url=mongodb_url,
            prefix=database_prefix, consumer_max_attempts=1,
        )
    )  # fmt: skip
    app = create_app(
        service_definition(settings, {"registration.teacher.registered": outage.handler})
    )
    event = envelope_of(teacher_registered("tch_cli"))
    cli_args = ["--amqp-url", vhost.url, "--no-progress", "dlq"]
    async with running(app):
        broker = await connected_broker(vhost)
        await publish_envelope(broker, event)
        await broker.stop()
        await eventually(lambda: dlq.peek(vhost.url, "notifications", 10), what="a dead letter")
        capsys.readouterr()

        assert await asyncio.to_thread(cli.main, [*cli_args, "list", "notifications"]) == 0
        listed = capsys.readouterr()
        assert listed.out.split() == [
            str(event.event_id), "registration.teacher.registered", "retries_exhausted",
            "registration.teacher.registered", *listed.out.split()[4:],
        ]  # fmt: skip
        assert "1 dead letter(s) shown" in listed.err

        outage.down = False
        assert await asyncio.to_thread(cli.main, [*cli_args, "redrive", "notifications"]) == 0
        assert "redrove 1 message(s) to notifications.events" in capsys.readouterr().err
        database = app.state.runtime.database
        await eventually(lambda: effect_count(database, event.event_id), what="the effect")
        await wait_queue_drained(vhost, "notifications.events")
        assert await effect_count(database, event.event_id) == 1
