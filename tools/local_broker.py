"""What `make run` prepares on the local RabbitMQ, so that docs/integration-guide.md runs as
written against it: the platform's vhost `etwinning` (as under docker compose), the admin
user's permissions on it, and the intake user `intake_example` with the permissions of
deploy/rabbitmq/definitions.json and its development password from .env.example.

So one intake URL works both under `make run` and under docker compose (LOCAL_INTAKE_URL).
Done with rabbitmqctl, idempotently; where rabbitmqctl cannot manage the broker (not
installed, no access to the node, a broker in a container), `prepare` says which commands to
run and the caller goes on without it.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from shared.topology import EVENTS_EXCHANGE_NAME
from tools import rabbitmq_definitions as definitions

PLATFORM_VHOST = definitions.VHOST
INTAKE_USER = definitions.INTAKE_USER
INTAKE_PERMISSIONS = ("^$", f"^{re.escape(EVENTS_EXCHANGE_NAME)}$", "^$")  # configure write read
INTAKE_TOPIC_PERMISSIONS = (EVENTS_EXCHANGE_NAME, definitions.INTAKE_TOPIC_WRITE, "^$")
LOCAL_INTAKE_URL = (
    "amqp://intake_example:dev-intake-example-amqp@127.0.0.1:5672/etwinning"  # the guide's
)

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
Rabbitmqctl = Callable[[Sequence[str]], None]


class BrokerNotPrepared(Exception):
    """rabbitmqctl could not do it; the message lists the commands to run by hand."""


@dataclass(frozen=True)
class PreparedBroker:
    services_url: str  # the admin URL on the platform's vhost: what the services get
    intake_url: str  # the intake user's URL on the same vhost


def intake_password() -> str:
    return definitions.development_passwords()[INTAKE_USER]


def vhost_of(url: str) -> str:
    """The vhost a URL names, or the platform's when it names none (`amqp://host:5672/`)."""
    path = urlsplit(url).path
    return unquote(path[1:]) if len(path) > 1 else PLATFORM_VHOST


def on_vhost(url: str, vhost: str, user: str | None = None, password: str | None = None) -> str:
    parts = urlsplit(url)
    credentials = (
        f"{quote(user, safe='')}:{quote(password or '', safe='')}@"
        if user is not None
        else (parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else "")
    )
    host = parts.netloc.rsplit("@", 1)[-1]
    path = "/" + quote(vhost, safe="")
    return urlunsplit((parts.scheme, credentials + host, path, parts.query, ""))


def commands(admin_user: str, vhost: str, intake_user: str, password: str) -> list[list[str]]:
    """The rabbitmqctl commands, in order; the user is (re)created by the caller."""
    return [
        ["add_vhost", vhost],
        ["set_permissions", "-p", vhost, admin_user, ".*", ".*", ".*"],
        ["add_user", intake_user, password],
        ["set_permissions", "-p", vhost, intake_user, *INTAKE_PERMISSIONS],
        ["set_topic_permissions", "-p", vhost, intake_user, *INTAKE_TOPIC_PERMISSIONS],
    ]


def run_rabbitmqctl(arguments: Sequence[str]) -> None:
    result = subprocess.run(
        ["rabbitmqctl", "-q", *arguments], capture_output=True, text=True, timeout=60, check=False
    )
    if result.returncode != 0:
        raise subprocess.CalledProcessError(
            result.returncode, ["rabbitmqctl", *arguments], result.stdout, result.stderr
        )


def prepare(
    admin_url: str,
    *,
    intake_user: str = INTAKE_USER,
    password: str | None = None,
    rabbitmqctl: Rabbitmqctl = run_rabbitmqctl,
) -> PreparedBroker:
    """Create (or update) the vhost of `admin_url` and the intake user on it."""
    vhost = vhost_of(admin_url)
    admin_user = unquote(urlsplit(admin_url).username or "guest")
    password = password if password is not None else intake_password()
    steps = commands(admin_user, vhost, intake_user, password)
    host = urlsplit(admin_url).hostname or ""
    if rabbitmqctl is run_rabbitmqctl and host not in LOCAL_HOSTS:
        # rabbitmqctl manages the node on this machine, which is not the broker of this URL.
        raise BrokerNotPrepared(
            f"{host} is not this machine's broker; create vhost {vhost!r} and the intake user "
            f"there:\n{_by_hand(steps)}"
        )
    try:
        for step in steps:
            try:
                rabbitmqctl(step)
            except subprocess.CalledProcessError as error:
                if step[0] != "add_user" or "already exists" not in (error.stderr or ""):
                    raise
                rabbitmqctl(["change_password", intake_user, password])
    except (OSError, subprocess.SubprocessError) as error:
        raise BrokerNotPrepared(
            f"could not prepare vhost {vhost!r} with rabbitmqctl ({_why(error)}). Run as the "
            f"broker's administrator (sudo, or `docker exec <container>` before each):\n"
            f"{_by_hand(steps)}"
        ) from error
    return PreparedBroker(
        services_url=on_vhost(admin_url, vhost),
        intake_url=on_vhost(admin_url, vhost, user=intake_user, password=password),
    )


def _by_hand(steps: list[list[str]]) -> str:
    return "\n".join(
        "  rabbitmqctl " + " ".join(shlex.quote(part) for part in step) for step in steps
    )


def _why(error: BaseException) -> str:
    if isinstance(error, subprocess.CalledProcessError):
        return (error.stderr or error.stdout or f"exit {error.returncode}").strip().splitlines()[-1]
    return f"{type(error).__name__}: {error}"
