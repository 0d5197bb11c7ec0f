"""Real servers for tests: a SecantusDB server per session and a fresh RabbitMQ vhost per test.

A fresh vhost gives each test the production topology (same exchange and queue names)
without ever seeing another test's messages.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from faststream.rabbit import RabbitBroker

RABBITMQ_URL = os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")


def with_retry_writes_off(uri: str) -> str:
    # SecantusDB's retryable-write table makes writes O(n) under pymongo's default;
    # real MongoDB keeps the default (see README, "SecantusDB notes").
    return uri + ("&" if "?" in uri else "?") + "retryWrites=false"


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


@dataclass
class Vhost:
    name: str

    @property
    def url(self) -> str:
        parts = urlsplit(RABBITMQ_URL)
        return urlunsplit((parts.scheme, parts.netloc, f"/{self.name}", "", ""))

    @classmethod
    def create(cls) -> Vhost:
        vhost = cls(f"test-{uuid.uuid4().hex[:12]}")
        user = urlsplit(RABBITMQ_URL).username or "guest"
        _rabbitmqctl("add_vhost", vhost.name)
        _rabbitmqctl("set_permissions", "-p", vhost.name, user, ".*", ".*", ".*")
        return vhost

    def delete(self) -> None:
        _rabbitmqctl("delete_vhost", self.name)


def queue_depths(vhost: Vhost) -> dict[str, tuple[int, int]]:
    """Ready and unacknowledged counts of every queue in the vhost."""
    output = subprocess.run(
        [
            "rabbitmqctl",
            "-q",
            "list_queues",
            "-p",
            vhost.name,
            "--no-table-headers",
            "name",
            "messages_ready",
            "messages_unacknowledged",
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    depths = {}
    for line in output.splitlines():
        name, ready, unacked = line.split()
        depths[name] = (int(ready), int(unacked))
    return depths


async def connected_broker(vhost: Vhost) -> RabbitBroker:
    broker = RabbitBroker(vhost.url)
    await broker.connect()
    return broker
