"""Schemathesis against a service really served: its ASGI app under uvicorn in a thread (the
real lifespan: MongoDB on the test SecantusDB, the broker on a test vhost), its OpenAPI
document read over HTTP, every generated request sent over a socket.

Requests carry the bearer token of a caller the route's access-policy entry lets in (and now
and then one of another role), so generated input gets past authentication to the validation
and the rules behind it. The tally counts requests
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
from tests.support.routes import served_routes
from tools.demo_story import Tokens

TOKENS = Tokens(DEV_JWT_SECRET, "etwinning-platform")
CALLERS: dict[str, dict[str, str]] = {
    "operator": TOKENS.header(subject="operator-fuzz", role="operator"),
    "teacher": TOKENS.header(subject="teacher:tch_fuzz", role="teacher", teacher_id="tch_fuzz"),
    "nso": TOKENS.header(subject="nso-ES", role="nso", country="ES"),
    "css": TOKENS.header(subject="css-fuzz", role="css"),
    "applicant": TOKENS.header(subject="applicant-fuzz", role="applicant"),
}


def allowed_roles(app: FastAPI) -> dict[tuple[str, str], list[str]]:
    """(method, path) -> the roles its access-policy entry lets in: most generated requests
    then get past the guard to the validation and the rules (a few still go as another role)."""
    roles: dict[tuple[str, str], list[str]] = {}
    for route in served_routes(app):
        allowed = [who for rule in route.guards() for who in rule.who if who in CALLERS]
        roles[(route.method, route.path)] = allowed or list(CALLERS)
    return roles


@dataclass
class Tally:
    """What the generated requests got back, per service."""

    requests: Counter[str] = field(default_factory=Counter)
    server_errors: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    services: dict[str, str] = field(default_factory=dict)  # base URL -> service
    roles: dict[str, dict[tuple[str, str], list[str]]] = field(default_factory=dict)

    def service_at(self, base_url: str) -> str:
        return self.services[base_url.rstrip("/")]

    def record(self, service: str, method: str, path: str, status: int) -> None:
        self.requests[service] += 1
        self.statuses[status] += 1
        if status >= 500:
            self.server_errors[service] += 1
            self.examples.append(f"{service} {method} {path} -> {status}")

    def caller(self, service: str, method: str, path: str) -> dict[str, str]:
        """A caller the route lets in, in turn; every fifth request a caller of any role."""
        turn = self.requests[service]
        allowed = self.roles.get(service, {}).get((method.upper(), path)) or list(CALLERS)
        pool = list(CALLERS) if turn % 5 == 4 else allowed
        return CALLERS[pool[turn % len(pool)]]

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
