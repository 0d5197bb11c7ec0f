"""The whole platform as real processes for the browser tests: the four services (their
compose commands, on free ports), the portal, the platform's OpenID provider
(tools/oidc_provider.py, whose tokens the services verify) and the SMTP sink; a fresh RabbitMQ
vhost and databases of their own. The services also take development tokens, which the
tests' own setup steps (the other side's API calls) use."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx

from shared.http.auth import Principal, mint_token
from shared.settings import DEV_JWT_SECRET
from tests.support.processes import free_port
from tests.support.servers import Vhost
from tools.localrun import compose_services
from tools.oidc_provider import RunningProvider, running_provider
from tools.smtp_sink import SmtpSink

ROOT = Path(__file__).resolve().parents[2]
ISSUER = "etwinning-platform"


@dataclass
class Proc:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: IO[bytes]
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class PortalStack:
    """What a browser test reaches: URLs, the provider's users, the sink's mails, and an
    API shortcut for the other side's setup steps."""

    portal_url: str
    provider: RunningProvider
    service_urls: dict[str, str]
    sink: SmtpSink
    procs: list[Proc] = field(default_factory=list)
    amqp_url: str = ""

    def set_user(self, subject: str, **claims: Any) -> None:
        self.provider.put_user(subject, claims)

    def api(
        self,
        service: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        as_user: str | None = None,
        **principal: Any,
    ) -> Any:
        """A call with a development token for `principal`, or with the provider's token of
        the person `as_user` (what registration links a teacher record to)."""
        headers = {}
        if as_user:
            headers["Authorization"] = f"Bearer {self.provider.token(as_user)}"
        elif principal:
            token = mint_token(Principal(**principal), secret=DEV_JWT_SECRET, issuer=ISSUER)
            headers["Authorization"] = f"Bearer {token}"
        url = self.service_urls[service] + path
        response = httpx.request(method, url, json=json, timeout=10, headers=headers)
        if response.status_code >= 400:
            raise AssertionError(f"{method} {path}: {response.status_code} {response.text}")
        return response.json() if response.content else None

    def eventually(self, attempt: Any, *, seconds: float = 30.0, what: str = "") -> Any:
        deadline = time.monotonic() + seconds
        while True:
            try:
                result = attempt()
                if result:
                    return result
            except AssertionError:
                if time.monotonic() > deadline:
                    raise
            if time.monotonic() > deadline:
                raise AssertionError(f"not observed within {seconds}s: {what}")
            time.sleep(0.3)


def _start(name: str, command: list[str], env: dict[str, str], port: int, logs: Path) -> Proc:
    log_path = logs / f"{name}.log"
    log = log_path.open("wb")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    return Proc(name, port, process, log, log_path)


def _wait_ready(procs: list[Proc], seconds: float = 90.0) -> None:
    deadline = time.monotonic() + seconds
    for proc in procs:
        while True:
            if proc.process.poll() is not None:
                raise AssertionError(f"{proc.name} exited: {proc.log_path.read_text()[-3000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{proc.url}/health/ready", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise AssertionError(f"{proc.name} not ready: {proc.log_path.read_text()[-3000:]}")
            time.sleep(0.2)


@contextlib.contextmanager
def portal_stack(mongodb_url: str, logs: Path) -> Iterator[PortalStack]:
    vhost = Vhost.create()
    prefix = f"p{uuid.uuid4().hex[:8]}"
    procs: list[Proc] = []
    sink = SmtpSink(folder=logs / "mail").start()
    try:
        with running_provider(log=logs / "oidc-provider.log") as provider:
            portal_port = free_port()
            portal_url = f"http://127.0.0.1:{portal_port}"
            base_env = {
                **os.environ,
                "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
                "AMQP_URL": vhost.url,
                "MONGODB_URL": mongodb_url,
                "SMTP_URL": sink.url,
                "JWT_SECRET": DEV_JWT_SECRET,
                "HTTP_HOST": "127.0.0.1",
                "LOG_JSON": "1",
                "OIDC_ISSUER": provider.issuer,
                "AUTH_DEV_MODE": "true",
                "RETRY_BASE_SECONDS": "0.05",
                "RETRY_MAX_SECONDS": "0.2",
                "OUTBOX_POLL_SECONDS": "0.2",
                "PYTHONUNBUFFERED": "1",
            }
            urls: dict[str, str] = {}
            for name, spec in compose_services().items():
                port = free_port()
                env = {**base_env, "SERVICE_NAME": name, "HTTP_PORT": str(port),
                       "MONGODB_DATABASE": f"{prefix}_{name}"}  # fmt: skip
                if name == "awards":  # links in mails open the portal's pages
                    env["PUBLIC_BASE_URL"] = portal_url
                env["PORTAL_BASE_URL"] = portal_url  # notifications' action links
                procs.append(_start(name, list(spec["command"]), env, port, logs))
                urls[name] = f"http://127.0.0.1:{port}"
            portal_env = {
                **base_env,
                "HTTP_PORT": str(portal_port),
                "PORTAL_BASE_URL": portal_url,
                "MONGODB_DATABASE": f"{prefix}_portal",
                "REGISTRATION_URL": urls["registration"],
                "PROJECTS_URL": urls["projects"],
                "AWARDS_URL": urls["awards"],
                "NOTIFICATIONS_URL": urls["notifications"],
                "SERVICE_TOKENS": "provider",
                "AUTHLIB_INSECURE_TRANSPORT": "1",
            }
            procs.append(
                _start(
                    "portal",
                    [sys.executable, "-m", "services.portal"],
                    portal_env,
                    portal_port,
                    logs,
                )
            )
            _wait_ready(procs)
            yield PortalStack(portal_url, provider, urls, sink, procs, vhost.url)
    finally:
        for proc in procs:
            if proc.process.poll() is None:
                proc.process.terminate()
        for proc in procs:
            try:
                proc.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.process.kill()
            proc.log.close()
        sink.stop()
        vhost.delete()
