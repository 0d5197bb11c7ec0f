"""A service started while RabbitMQ is unreachable reports not ready, keeps accepting work
into its outbox, and connects, consumes and publishes by itself once the broker appears."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from urllib.parse import urlsplit, urlunsplit

import pytest

from shared.runtime import create_app
from shared.settings import ServiceSettings
from tests.support.probes import (
    effect_count,
    envelope_of,
    eventually,
    publish_envelope,
    record_effect,
    service_definition,
    teacher_registered,
)
from tests.support.servers import Vhost, connected_broker
from tests.support.services import running, service_settings

pytestmark = [pytest.mark.integration]


class BrokerDoor:
    """A TCP port in front of RabbitMQ that refuses connections until opened."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self._server: asyncio.Server | None = None
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port: int = probe.getsockname()[1]

    async def open(self) -> None:
        self._server = await asyncio.start_server(self._pipe, "127.0.0.1", self.port)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self._target)

        async def copy(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(Exception):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.close()

        await asyncio.gather(copy(reader, upstream_writer), copy(upstream_reader, writer))


def _through(door: BrokerDoor, url: str) -> str:
    parts = urlsplit(url)
    netloc = f"{parts.username}:{parts.password}@127.0.0.1:{door.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


async def test_service_waits_for_the_broker_then_works(
    vhost: Vhost, mongodb_url: str, database_prefix: str
) -> None:
    target = urlsplit(vhost.url)
    door = BrokerDoor(target.hostname or "127.0.0.1", target.port or 5672)
    settings = ServiceSettings(
        **service_settings(
            "notifications", amqp_url=_through(door, vhost.url), mongodb_url=mongodb_url,
            prefix=database_prefix,
        )
    )  # fmt: skip
    app = create_app(
        service_definition(settings, {"registration.teacher.registered": record_effect})
    )
    try:
        async with running(app) as http:
            ready = await http.get("/health/ready")
            assert ready.status_code == 503
            assert ready.json()["checks"] == {
                "startup": False, "broker": False, "database": True, "consumer": True
            }  # fmt: skip
            assert set(ready.json()["reasons"]) == {"startup", "broker"}
            assert "waiting for the broker" in ready.json()["reasons"]["startup"]
            assert (await http.get("/health/live")).status_code == 200

            await door.open()
            await eventually(
                lambda: _is_ready(http), seconds=20, interval=0.2, what="ready after the broker"
            )
            event = envelope_of(teacher_registered("tch_after_outage"))
            broker = await connected_broker(vhost)
            await publish_envelope(broker, event)
            await broker.stop()
            database = app.state.runtime.database
            assert await eventually(lambda: effect_count(database, event.event_id)) == 1
    finally:
        await door.close()


async def _is_ready(http) -> bool:  # type: ignore[no-untyped-def]
    return bool((await http.get("/health/ready")).status_code == 200)
