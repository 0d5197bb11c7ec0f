"""Schemathesis against a service really served: its ASGI app under uvicorn in a thread (the
real lifespan: MongoDB on the test SecantusDB, the broker on a test vhost), its OpenAPI
document read over HTTP, every generated request sent over a socket.

Requests carry the bearer token of one caller of each role in turn, so generated input gets
past authentication to the validation and the rules behind it. The tally counts requests
and 5xx answers for the report (`bench/fuzz_http.py` runs it with more examples)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI

from shared.settings import DEV_JWT_SECRET
from tools.demo_story import Tokens

TOKENS = Tokens(DEV_JWT_SECRET, "etwinning-platform")
CALLERS: tuple[dict[str, str], ...] = (
    TOKENS.header(subject="operator-fuzz", role="operator"),
    TOKENS.header(subject="teacher:tch_fuzz", role="teacher", teacher_id="tch_fuzz"),
    TOKENS.header(subject="nso-ES", role="nso", country="ES"),
    TOKENS.header(subject="css-fuzz", role="css"),
    TOKENS.header(subject="applicant-fuzz", role="applicant"),
)


@dataclass
class Tally:
    """What the generated requests got back, per service."""

    requests: Counter[str] = field(default_factory=Counter)
    server_errors: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    services: dict[str, str] = field(default_factory=dict)  # base URL -> service

    def service_at(self, base_url: str) -> str:
        return self.services[base_url.rstrip("/")]

    def record(self, service: str, method: str, path: str, status: int) -> None:
        self.requests[service] += 1
        self.statuses[status] += 1
        if status >= 500:
            self.server_errors[service] += 1
            self.examples.append(f"{service} {method} {path} -> {status}")

    def caller(self, service: str) -> dict[str, str]:
        return CALLERS[self.requests[service] % len(CALLERS)]

    def summary(self) -> str:
        total, errors = sum(self.requests.values()), sum(self.server_errors.values())
        per_service = ", ".join(f"{s} {n}" for s, n in sorted(self.requests.items()))
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(self.statuses.items()))
        return (
            f"schemathesis: {total} requests ({per_service}), {errors} answered 5xx; "
            f"statuses {statuses}"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "requests": sum(self.requests.values()),
            "server_errors": sum(self.server_errors.values()),
            "requests_by_service": dict(sorted(self.requests.items())),
            "server_errors_by_service": dict(sorted(self.server_errors.items())),
            "statuses": {str(s): n for s, n in sorted(self.statuses.items())},
            "server_error_examples": self.examples[:50],
        }


TALLY = Tally()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def served(app: FastAPI, port: int) -> Iterator[str]:
    """Serve the app on 127.0.0.1:port in a thread until the block ends; yields its URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the service did not start on port {port}")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def settings_for(service: str, amqp_url: str, mongodb_url: str, prefix: str) -> dict[str, Any]:
    return {
        "service_name": service,
        "amqp_url": amqp_url,
        "mongodb_url": mongodb_url,
        "mongodb_database": f"{prefix}_{service}",
        "outbox_poll_seconds": 0.5,
        "log_level": "WARNING",
        "log_json": True,
    }
