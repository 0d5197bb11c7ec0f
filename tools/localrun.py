"""`make run` / `make demo`: the whole platform on this machine.

Prepares the local RabbitMQ (vhost `etwinning` and the intake user the integration guide uses,
tools/local_broker.py) and checks it, starts an embedded SecantusDB (unless MONGODB_URL is set),
an SMTP sink (unless SMTP_URL is set) and an OpenID Connect provider with the story's people
(tools/oidc_provider.py, unless OIDC_ISSUER names one), starts the four services as separate
processes with the commands docker-compose.yml gives them, waits until each is ready, plays the
NETWORK story with every person logged in at the provider, and then either keeps running until
Ctrl-C (`run`) or exits with the story's verdict (`demo`).

The services accept the provider's tokens and, for `etwinning token`, development tokens too
(AUTH_DEV_MODE=true: they log a warning saying so).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import aio_pika
import httpx
import yaml

from shared.settings import DEV_JWT_SECRET
from tools import local_broker, oidc_provider, portal_run
from tools.demo_story import ProviderTokens, Story, StoryLog, demo_people
from tools.smtp_sink import SmtpSink

ROOT = Path(__file__).resolve().parent.parent
RUN_DIR = ROOT / ".run"
SERVICES = ("registration", "projects", "awards", "notifications")
# The services run on the vhost the URL names, or `etwinning` (as under compose) if it names none.
DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
OIDC_PROVIDER_PORT = 9400


@dataclass
class ServiceProcess:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    log_file: IO[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def compose_services() -> dict[str, dict[str, Any]]:
    """The app services as docker-compose.yml declares them: same command, same port."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services: dict[str, dict[str, Any]] = compose["services"]
    return {name: services[name] for name in SERVICES}


def say(text: str = "") -> None:
    print(text, flush=True)


async def check_rabbitmq(url: str) -> None:
    try:
        connection = await asyncio.wait_for(aio_pika.connect(url), timeout=5)
    except Exception as error:
        say(f"RabbitMQ is not reachable at {url} ({type(error).__name__}: {error}).")
        say("Start one, then try again:")
        say(
            "  Debian/Ubuntu:  sudo apt-get install rabbitmq-server; sudo rabbitmq-server -detached"
        )
        say("  Docker:         docker run -d -p 5672:5672 rabbitmq:4.1-management")
        say("  or set AMQP_URL to a broker you can reach.")
        raise SystemExit(2) from error
    await connection.close()
    say(f"✓ RabbitMQ reachable at {_redact(url)}")


def start_secantus(
    data_dir: Path, log_dir: Path = RUN_DIR / "logs"
) -> tuple[subprocess.Popen[bytes], str]:
    shutil.rmtree(data_dir, ignore_errors=True)
    port = _free_port()
    log = (log_dir / "secantusdb.log").open("wb")
    server = shutil.which("secantusd-py", path=str(Path(sys.executable).parent)) or "secantusd-py"
    process = subprocess.Popen(
        [server, "--host", "127.0.0.1", "--port", str(port), "--storage-path", str(data_dir)],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    _wait_for_port(port, process, "SecantusDB")
    # retryWrites=false: SecantusDB's retryable-write table slows writes down as it grows
    # (see README); real MongoDB keeps the driver default.
    url = f"mongodb://127.0.0.1:{port}/?retryWrites=false"
    say(f"✓ embedded SecantusDB (MongoDB-compatible) at {url}")
    return process, url


def platform_env(
    amqp_url: str, mongodb_url: str, smtp_url: str, secret: str, issuer: str | None = None
) -> dict[str, str]:
    """The environment every service process gets (on top of this process's own): the
    provider's tokens when there is one, and development tokens (this machine only)."""
    identity = {"OIDC_ISSUER": issuer} if issuer else {}
    return {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "AMQP_URL": amqp_url, "MONGODB_URL": mongodb_url, "SMTP_URL": smtp_url,
        **identity, "AUTH_DEV_MODE": "true",
        "JWT_SECRET": secret, "HTTP_HOST": "127.0.0.1", "LOG_JSON": "1",
    }  # fmt: skip


def start_identity_provider(run_tag: str) -> tuple[subprocess.Popen[bytes] | None, str]:
    """The local provider with the story's people, or the one OIDC_ISSUER names (whose people
    then must exist there: deploy/keycloak/ has them)."""
    issuer = os.environ.get("OIDC_ISSUER")
    if issuer:
        say(f"✓ identity provider {issuer} (OIDC_ISSUER)")
        return None, issuer
    log = RUN_DIR / "logs" / "oidc-provider.log"
    provider = oidc_provider.start_provider(OIDC_PROVIDER_PORT, log=log)
    for subject, claims in demo_people(run_tag).items():
        provider.put_user(subject, claims)
    say(f"✓ OpenID Connect provider at {provider.issuer} with the story's people")
    return provider.process, provider.issuer


def start_services(
    env: dict[str, str], log_dir: Path = RUN_DIR / "logs", port_offset: int = 0
) -> list[ServiceProcess]:
    """The four services, each its own process, on their compose ports plus `port_offset`."""
    return [
        start_service(name, spec, env, log_dir=log_dir, port_offset=port_offset)
        for name, spec in compose_services().items()
    ]


def start_service(
    name: str,
    spec: dict[str, Any],
    env: dict[str, str],
    *,
    log_dir: Path = RUN_DIR / "logs",
    port_offset: int = 0,
) -> ServiceProcess:
    port = int(spec["environment"]["HTTP_PORT"]) + port_offset
    log_path = log_dir / f"{name}.log"
    log_file = log_path.open("wb")
    service_env = {**env, "SERVICE_NAME": name, "HTTP_PORT": str(port)}
    process = subprocess.Popen(
        list(spec["command"]), cwd=ROOT, env=service_env, stdout=log_file, stderr=subprocess.STDOUT
    )
    return ServiceProcess(name, port, process, log_path, log_file)


async def wait_ready(services: list[ServiceProcess], within_seconds: float = 60.0) -> None:
    deadline = time.monotonic() + within_seconds
    async with httpx.AsyncClient(timeout=2.0) as http:
        for service in services:
            while True:
                if service.process.poll() is not None:
                    _fail_with_log(service, "exited during start-up")
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(f"{service.url}/health/ready")).status_code == 200:
                        docs = f"{service.url}/docs"
                        say(f"✓ {service.name:<14} ready at {service.url}  (API docs: {docs})")
                        break
                if time.monotonic() > deadline:
                    _fail_with_log(service, f"not ready after {within_seconds:.0f}s")
                await asyncio.sleep(0.3)


async def play_story(services: list[ServiceProcess], issuer: str, run_tag: str) -> StoryLog:
    """Every person of the story logs in at the provider (authorization code + PKCE)."""
    clients = {s.name: httpx.AsyncClient(base_url=s.url, timeout=10.0) for s in services}
    tokens = ProviderTokens(lambda subject: oidc_provider.login(issuer, subject).access_token)
    try:
        story = Story(clients, tokens, timeout=60.0, run_tag=run_tag)
        return await story.play()
    finally:
        for client in clients.values():
            await client.aclose()


def prepare_broker(admin_url: str) -> tuple[str, str | None]:
    """The services' AMQP URL and the intake URL, or the URL as given (and None) when the vhost
    could not be prepared: the platform still runs, the guide's example then needs the steps
    printed here first."""
    try:
        prepared = local_broker.prepare(admin_url)
    except local_broker.BrokerNotPrepared as error:
        say(f"! {error}")
        say("  Going on without them: the integration guide's example needs them first.")
        return admin_url, None
    say(
        f"✓ vhost {local_broker.vhost_of(admin_url)!r} and intake user "
        f"{local_broker.INTAKE_USER!r} ready (docs/integration-guide.md)"
    )
    return prepared.services_url, prepared.intake_url


def report(
    log: StoryLog,
    services: list[ServiceProcess],
    sink: SmtpSink | None,
    urls: dict[str, str | None] | None = None,
    people: dict[str, str] | None = None,
) -> None:
    say("\nThe NETWORK story:")
    for step, ok, detail in log.steps:
        say(f"  {'✓' if ok else '✗'} {step}{f'  — {detail}' if detail else ''}")
    if sink is not None:
        say(f"\nMails caught by the local SMTP sink ({sink.url}), saved in {RUN_DIR / 'mail'}:")
        for mail in sink.mails:
            say(f"  → {', '.join(mail.to)}: {mail.subject}")
    say("\nWhere to look:")
    for service in services:
        say(f"  {service.name:<14} {service.url}/docs    log: {service.log_path.relative_to(ROOT)}")
    if people:
        issuer = (urls or {}).get("OIDC_ISSUER")
        say(f"\nTokens of the story's people, from the provider ({issuer}):")
        for subject, who in people.items():
            say(f"  {who:<28} etwinning token --provider --issuer {issuer} --user {subject}")
    say("  development token:           etwinning token --role nso --country ES  (AUTH_DEV_MODE)")
    for name, url in (urls or {}).items():
        if url is not None:
            say(f"  {name}={url}")


def stop_all(services: list[ServiceProcess], others: list[subprocess.Popen[bytes]]) -> None:
    for service in services:
        if service.process.poll() is None:
            service.process.send_signal(signal.SIGTERM)
    for service in services:
        try:
            service.process.wait(timeout=25)
        except subprocess.TimeoutExpired:
            service.process.kill()
        service.log_file.close()
    for process in others:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
        if process.poll() is None:
            process.kill()


async def main(mode: str) -> int:
    (RUN_DIR / "logs").mkdir(parents=True, exist_ok=True)
    amqp_url, intake_url = prepare_broker(os.environ.get("AMQP_URL") or DEFAULT_AMQP_URL)
    await check_rabbitmq(amqp_url)
    others: list[subprocess.Popen[bytes]] = []
    services: list[ServiceProcess] = []
    sink: SmtpSink | None = None
    portal: portal_run.RunningPortal | None = None
    try:
        mongodb_url = os.environ.get("MONGODB_URL")
        if mongodb_url is None:
            secantus, mongodb_url = start_secantus(RUN_DIR / "secantus-data")
            others.append(secantus)
        smtp_url = os.environ.get("SMTP_URL")
        if smtp_url is None:
            shutil.rmtree(RUN_DIR / "mail", ignore_errors=True)
            sink = SmtpSink(folder=RUN_DIR / "mail").start()
            smtp_url = sink.url
            say(f"✓ local SMTP sink at {smtp_url}")
        run_tag = uuid.uuid4().hex[:6]
        provider, issuer = start_identity_provider(run_tag)
        if provider is not None:
            others.append(provider)
        secret = os.environ.get("JWT_SECRET", DEV_JWT_SECRET)
        env = platform_env(amqp_url, mongodb_url, smtp_url, secret, issuer)
        env.setdefault("PUBLIC_BASE_URL", portal_run.PORTAL_URL)  # mails' links open the portal
        services = start_services(env)
        await wait_ready(services)
        portal = portal_run.start_portal(
            {s.name: s.url for s in services}, env, issuer, RUN_DIR / "logs"
        )
        log = await play_story(services, issuer, run_tag=run_tag)
        # What the CLI and the integration guide's example need to reach this platform.
        urls = {
            "AMQP_URL": amqp_url, "MONGODB_URL": mongodb_url, "INTAKE_AMQP_URL": intake_url,
            "OIDC_ISSUER": issuer,
        }  # fmt: skip
        people = {s: str(c.get("name", s)) for s, c in demo_people(run_tag).items()}
        report(log, services, sink, urls, people)
        say(f"\nThe portal: {portal.url}  (log: .run/logs/portal.log); sign in at the provider")
        say("  by typing one of these subjects and pressing Authorize:")
        for subject, who in portal_run.sign_in_as(people).items():
            say(f"    {subject:<22} {who}")
        if mode == "demo":
            say(f"\n{'DEMO OK' if log.ok else 'DEMO FAILED'}: {len(log.steps)} steps observed")
            return 0 if log.ok else 1
        say("\nThe platform is running. Press Ctrl-C to stop it.")
        await _until_interrupted()
        return 0
    finally:
        say("Stopping…")
        if portal is not None:
            portal.stop()
        stop_all(services, others)
        if sink is not None:
            sink.stop()
        say("Stopped.")


async def _until_interrupted() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()


def _fail_with_log(service: ServiceProcess, why: str) -> None:
    service.log_file.flush()
    tail = service.log_path.read_text(errors="replace").splitlines()[-30:]
    say(f"✗ {service.name} {why}. Last lines of {service.log_path}:")
    for line in tail:
        say(f"    {line}")
    raise SystemExit(1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for_port(port: int, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{what} exited at start-up (see {RUN_DIR / 'logs'})")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.2)
    raise SystemExit(f"{what} did not open port {port}")


def _redact(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return url.replace(f":{parts.password}@", ":***@") if parts.password else url


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("mode", choices=("run", "demo"))
    sys.exit(asyncio.run(main(parser.parse_args().mode)))
