"""Generate RabbitMQ definitions (vhost, users, permissions, topology) from shared/topology.py.

    python -m tools.rabbitmq_definitions --deterministic     # rewrite the committed file
    python -m tools.rabbitmq_definitions --check             # fail if it is stale
    python -m tools.rabbitmq_definitions --passwords-from-env  # operators: real passwords

The committed deploy/rabbitmq/definitions.json holds hashes of the development passwords in
.env.example, with fixed salts so that `--check` is stable. `--passwords-from-env` reads
`<USER>_AMQP_PASSWORD` variables, salts randomly and writes the git-ignored
deploy/rabbitmq/definitions.local.json (see deploy/README.md).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from shared.topology import (
    ALERTS,
    DEAD_LETTER_EXCHANGE_NAME,
    EVENTS_EXCHANGE_NAME,
    SUBSCRIPTIONS,
    bound_queues,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFINITIONS_PATH = REPO_ROOT / "deploy" / "rabbitmq" / "definitions.json"
LOCAL_DEFINITIONS_PATH = REPO_ROOT / "deploy" / "rabbitmq" / "definitions.local.json"
ENV_EXAMPLE_PATH = REPO_ROOT / ".env.example"

VHOST = "etwinning"
SERVICES: tuple[str, ...] = tuple(SUBSCRIPTIONS)
ADMIN_USER = "admin"
INTAKE_USER = "intake_example"
ALERTS_USER = "alerts"  # the operators' alerting system: reads operators.alerts, nothing else
USERS: tuple[str, ...] = (*SERVICES, ADMIN_USER, INTAKE_USER, ALERTS_USER)
HASHING_ALGORITHM = "rabbit_password_hashing_sha256"
NOTHING = "^$"
INTAKE_TOPIC_WRITE = r"^intake\..*"
SALT_BYTES = 4


def password_env_var(user: str) -> str:
    return f"{user.upper()}_AMQP_PASSWORD"


def hash_password(password: str, salt: bytes | None = None) -> str:
    """rabbit_password_hashing_sha256: base64(salt + sha256(salt + utf8 password))."""
    salt = secrets.token_bytes(SALT_BYTES) if salt is None else salt
    if len(salt) != SALT_BYTES:
        raise ValueError(f"salt must be {SALT_BYTES} bytes")
    digest = hashlib.sha256(salt + password.encode("utf-8")).digest()
    return base64.b64encode(salt + digest).decode("ascii")


def verify_password(password_hash: str, password: str) -> bool:
    salt = base64.b64decode(password_hash)[:SALT_BYTES]
    return hmac.compare_digest(hash_password(password, salt), password_hash)


def deterministic_salt(user: str) -> bytes:
    """Fixed per user, for the committed development file only."""
    return hashlib.sha256(f"etwinning-dev-salt:{user}".encode()).digest()[:SALT_BYTES]


def service_permission_regex(service: str) -> str:
    """The service's own queues (`<service>.*`) and the two exchanges, nothing else."""
    exchanges = "|".join(
        re.escape(name) for name in (EVENTS_EXCHANGE_NAME, DEAD_LETTER_EXCHANGE_NAME)
    )
    return rf"^({re.escape(service)}\..*|{exchanges})$"


def _permission(user: str, configure: str, write: str, read: str) -> dict[str, str]:
    return {"user": user, "vhost": VHOST, "configure": configure, "write": write, "read": read}


def _service_permission(service: str) -> dict[str, str]:
    regex = service_permission_regex(service)
    return _permission(service, configure=regex, write=regex, read=regex)


def _permissions() -> list[dict[str, str]]:
    entries = [_service_permission(service) for service in SERVICES]
    entries.append(_permission(ADMIN_USER, ".*", ".*", ".*"))
    # Publish only: write on the events exchange, narrowed to intake.* by topic_permissions.
    entries.append(
        _permission(INTAKE_USER, NOTHING, f"^{re.escape(EVENTS_EXCHANGE_NAME)}$", NOTHING)
    )
    alerts_queue = f"^{re.escape(ALERTS.events_queue_name)}$"
    entries.append(_permission(ALERTS_USER, NOTHING, NOTHING, alerts_queue))
    return entries


def _exchange(name: str, kind: str) -> dict[str, Any]:
    return {
        "name": name,
        "vhost": VHOST,
        "type": kind,
        "durable": True,
        "auto_delete": False,
        "internal": False,
        "arguments": {},
    }


def _queue(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "vhost": VHOST,
        "durable": True,
        "auto_delete": False,
        "arguments": arguments,
    }


def _binding(exchange: str, queue: str, routing_key: str) -> dict[str, Any]:
    return {
        "source": exchange,
        "vhost": VHOST,
        "destination": queue,
        "destination_type": "queue",
        "routing_key": routing_key,
        "arguments": {},
    }


def build_definitions(passwords: Mapping[str, str], *, deterministic: bool) -> dict[str, Any]:
    missing = [user for user in USERS if not passwords.get(user)]
    if missing:
        raise ValueError(f"no password for: {', '.join(missing)}")
    users = [
        {
            "name": user,
            "password_hash": hash_password(
                passwords[user], deterministic_salt(user) if deterministic else None
            ),
            "hashing_algorithm": HASHING_ALGORITHM,
            "tags": ["administrator"] if user == ADMIN_USER else [],
        }
        for user in USERS
    ]
    queues: list[dict[str, Any]] = []
    bindings: list[dict[str, Any]] = []
    for q in bound_queues():
        queues.append(_queue(q.events_queue_name, q.events_queue_arguments()))
        queues.append(_queue(q.dead_letter_queue_name, {"x-queue-type": "quorum"}))
        bindings.extend(_binding(EVENTS_EXCHANGE_NAME, q.events_queue_name, p) for p in q.bindings)
        bindings.append(
            _binding(DEAD_LETTER_EXCHANGE_NAME, q.dead_letter_queue_name, q.dead_letter_queue_name)
        )
    return {
        "vhosts": [{"name": VHOST, "description": "eTwinning platform", "tags": []}],
        "users": users,
        "permissions": _permissions(),
        "topic_permissions": [
            {
                "user": INTAKE_USER,
                "vhost": VHOST,
                "exchange": EVENTS_EXCHANGE_NAME,
                "write": INTAKE_TOPIC_WRITE,
                "read": NOTHING,
            }
        ],
        "exchanges": [
            _exchange(EVENTS_EXCHANGE_NAME, "topic"),
            _exchange(DEAD_LETTER_EXCHANGE_NAME, "direct"),
        ],
        "queues": queues,
        "bindings": bindings,
    }


def render(definitions: Mapping[str, Any]) -> str:
    return json.dumps(definitions, indent=2) + "\n"


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of a dotenv file; comments and blank lines skipped."""
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip().strip("'\"")
    return values


def passwords_from(env: Mapping[str, str]) -> dict[str, str]:
    return {user: env[password_env_var(user)] for user in USERS if env.get(password_env_var(user))}


def development_passwords() -> dict[str, str]:
    return passwords_from(read_env_file(ENV_EXAMPLE_PATH))


def expected_committed() -> str:
    return render(build_definitions(development_passwords(), deterministic=True))


def is_up_to_date(path: Path = DEFINITIONS_PATH) -> bool:
    return path.is_file() and path.read_text(encoding="utf-8") == expected_committed()


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tools.rabbitmq_definitions",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the committed file is stale"
    )
    parser.add_argument("--deterministic", action="store_true", help="fixed salts (committed file)")
    parser.add_argument(
        "--passwords-from-env",
        action="store_true",
        help="read <USER>_AMQP_PASSWORD variables instead of the .env.example defaults",
    )
    parser.add_argument("--output", help="file to write ('-': stdout), or with --check to compare")
    args = parser.parse_args(argv)
    if args.passwords_from_env and (args.deterministic or args.check):
        parser.error("--passwords-from-env cannot be combined with --deterministic or --check")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    if args.check:
        path = Path(args.output) if args.output else DEFINITIONS_PATH
        if is_up_to_date(path):
            return 0
        print(
            f"{path} is out of date: run python -m tools.rabbitmq_definitions --deterministic",
            file=sys.stderr,
        )
        return 1
    if args.passwords_from_env:
        passwords, default_output = passwords_from(os.environ), LOCAL_DEFINITIONS_PATH
    else:
        passwords, default_output = development_passwords(), DEFINITIONS_PATH
    try:
        text = render(build_definitions(passwords, deterministic=args.deterministic))
    except ValueError as error:
        names = ", ".join(password_env_var(user) for user in USERS)
        print(f"{error} (set {names})", file=sys.stderr)
        return 2
    if args.output == "-":
        sys.stdout.write(text)
        return 0
    output = Path(args.output) if args.output else default_output
    output.write_text(text, encoding="utf-8")
    print(f"wrote {output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
