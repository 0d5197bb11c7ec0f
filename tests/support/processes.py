"""Services as real OS processes, for the tests in which a process dies.

`python -m tests.support.processes` runs one service of the *chain*, configured by the same
environment variables as `python -m services.<name>` and served by the same `shared.serve`
(uvicorn: real signal handling, real lifespan, the whole core):

- `registration` consumes `intake.teacher.signup_requested`, records one effect document per
  handling and emits `registration.teacher.registered` through its outbox;
- `notifications` consumes `registration.teacher.registered` and records one effect document
  per handling.

Effect documents are never keyed by the event id, so a second effect shows up as a second
document. A test arms a fault point (shared/faults.py) through the environment.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
from bson import ObjectId

from shared.envelope import EventEnvelope
from shared.events.intake import TeacherSignupRequested
from shared.events.registration import TeacherRegistered
from shared.messaging.consumer import EventHandler
from shared.storage.unit_of_work import Transaction
from tests.support.probes import (
    EFFECTS,
    REPOSITORY_ROOT,
    envelope_of,
    eventually,
    record_effect,
    teacher_registered,
)

SIGNUP = TeacherSignupRequested.event_type
REGISTERED = TeacherRegistered.event_type


# --- the chain -----------------------------------------------------------------------------


def signup_request(number: int, *, run: str | None = None) -> EventEnvelope:
    run = run or uuid.uuid4().hex[:8]
    return envelope_of(
        TeacherSignupRequested(
            name=f"Teacher {number}",
            email=f"teacher{number}.{run}@example.org",
            role="teacher",
            school_id="sch_faults",
        ),
        correlation_id=f"flow-{run}-{number}",
    )


async def register_signup(
    request: TeacherSignupRequested, envelope: EventEnvelope, tx: Transaction
) -> None:
    await tx.collection(EFFECTS).insert_one(
        {"_id": ObjectId(), "event_id": str(envelope.event_id), "email": request.email},
        session=tx.session,
    )
    await tx.emit(teacher_registered(f"tch_{envelope.event_id.hex[:16]}"))


CHAIN: dict[str, dict[str, EventHandler]] = {
    "registration": {SIGNUP: register_signup},
    "notifications": {REGISTERED: record_effect},
}


def main() -> None:
    from shared.runtime import create_app
    from shared.serve import serve
    from shared.settings import ServiceSettings
    from tests.support.probes import service_definition

    settings = ServiceSettings()
    serve(create_app(service_definition(settings, CHAIN[settings.service_name])), settings)


# --- running one as a process --------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class ServiceProcess:
    """One service process of the chain; its log lines (JSON) go to a file."""

    name: str
    env: dict[str, str]
    log_path: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    _log_file: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServiceProcess:
        self._log_file = self.log_path.open("ab")
        env = {
            **os.environ,
            **self.env,
            "SERVICE_NAME": self.name,
            "HTTP_PORT": str(self.port),
            "LOG_JSON": "true",
            "PYTHONUNBUFFERED": "1",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.processes"],
            cwd=REPOSITORY_ROOT,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )
        return self

    @property
    def returncode(self) -> int | None:
        assert self.process is not None
        return self.process.poll()

    async def ready(self, seconds: float = 60.0) -> ServiceProcess:
        async with httpx.AsyncClient(timeout=2.0) as http:

            async def is_ready() -> bool:
                if self.returncode is not None:
                    raise AssertionError(f"{self.name} exited ({self.returncode}): {self.tail()}")
                with contextlib.suppress(httpx.HTTPError):
                    return (await http.get(f"{self.url}/health/ready")).status_code == 200
                return False

            await eventually(is_ready, seconds=seconds, interval=0.1, what=f"{self.name} ready")
        return self

    def signal(self, signum: signal.Signals) -> None:
        assert self.process is not None
        self.process.send_signal(signum)

    async def exited(self, seconds: float = 30.0) -> int:
        await eventually(
            lambda: self.returncode is not None, seconds=seconds, what=f"{self.name} exited"
        )
        returncode = self.returncode
        assert returncode is not None
        return returncode

    async def terminate(self) -> int:
        """SIGTERM, as an orchestrator stops a service, and wait until it has exited."""
        if self.returncode is None:
            self.signal(signal.SIGTERM)
        return await self.exited()

    def stop(self) -> None:
        """Leave nothing running: SIGKILL if still alive (tests end with their own checks)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def events(self, name: str) -> list[dict[str, Any]]:
        """The structlog events called `name` that this process logged so far."""
        found = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            with contextlib.suppress(ValueError):
                entry = json.loads(line)
                if isinstance(entry, dict) and entry.get("event") == name:
                    found.append(entry)
        return found

    def tail(self, characters: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-characters:]


def chain_env(*, amqp_url: str, mongodb_url: str, **overrides: str) -> dict[str, str]:
    """The environment of a chain service: the test's vhost and database server, fast
    retries, short leases (a relay killed mid-batch leaves leases that must expire)."""
    return {
        "AMQP_URL": amqp_url,
        "MONGODB_URL": mongodb_url,
        "RETRY_BASE_SECONDS": "0.05",
        "RETRY_MAX_SECONDS": "0.2",
        "OUTBOX_POLL_SECONDS": "0.2",
        "OUTBOX_LEASE_SECONDS": "2",
        "GRACEFUL_TIMEOUT_SECONDS": "5",
        **{key.upper(): value for key, value in overrides.items()},
    }


@dataclass
class Processes:
    """Every service process a test started; all are stopped when the test ends."""

    directory: Path
    base_env: Mapping[str, str]
    prefix: str
    started: list[ServiceProcess] = field(default_factory=list)

    def start(self, name: str, **env: str) -> ServiceProcess:
        number = len(self.started)
        process = ServiceProcess(
            name,
            {
                **self.base_env,
                "MONGODB_DATABASE": f"{self.prefix}_{name}",
                **{key.upper(): value for key, value in env.items()},
            },
            self.directory / f"{number:02d}-{name}.log",
        )
        self.started.append(process.start())
        return process

    async def terminate_all(self) -> None:
        """SIGTERM every process still running, all at once, and wait until each has exited."""
        running = [process for process in self.started if process.returncode is None]
        for process in running:
            process.signal(signal.SIGTERM)
        for process in running:
            await process.exited()

    def stop_all(self) -> None:
        for process in self.started:
            process.stop()


if __name__ == "__main__":
    main()
