"""docs/integration-guide.md's example works as written: run with pika (not the services'
client), under an intake user with exactly the permissions of deploy/rabbitmq/definitions.json,
it registers a teacher; the same user cannot publish anything but intake events."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pika
import pika.exceptions
import pytest

from services.registration.bootstrap import build_app
from services.registration.config import RegistrationSettings
from shared.settings import DEV_JWT_SECRET
from tests.support.probes import eventually
from tests.support.servers import Vhost
from tests.support.services import running, service_settings
from tools.demo_story import Tokens

pytestmark = [pytest.mark.integration]

ROOT = Path(__file__).resolve().parents[3]
GUIDE = ROOT / "docs" / "integration-guide.md"
DEFINITIONS = ROOT / "deploy" / "rabbitmq" / "definitions.json"


def guide_example() -> str:
    section = GUIDE.read_text().split("## 4. Example", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, "the guide's example is missing"
    return match.group(1)


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


@pytest.fixture
def intake_url(vhost: Vhost) -> Iterator[str]:
    """A user with the intake_example permissions of definitions.json, on the test vhost."""
    definitions = json.loads(DEFINITIONS.read_text())
    permission = next(p for p in definitions["permissions"] if p["user"] == "intake_example")
    topic = next(p for p in definitions["topic_permissions"] if p["user"] == "intake_example")
    user, password = f"intake-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    _rabbitmqctl("add_user", user, password)
    _rabbitmqctl(
        "set_permissions", "-p", vhost.name, user,
        permission["configure"], permission["write"], permission["read"],
    )  # fmt: skip
    _rabbitmqctl(
        "set_topic_permissions", "-p", vhost.name, user, topic["exchange"], topic["write"],
        topic["read"],
    )  # fmt: skip
    parts = urlsplit(vhost.url)
    yield urlunsplit((parts.scheme, f"{user}:{password}@{parts.hostname}:{parts.port or 5672}",
                      parts.path, "", ""))  # fmt: skip
    _rabbitmqctl("delete_user", user)


async def test_the_guide_example_registers_a_teacher(
    vhost: Vhost, mongodb_url: str, database_prefix: str, intake_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    settings = RegistrationSettings(
        **service_settings(
            "registration", amqp_url=vhost.url, mongodb_url=mongodb_url, prefix=database_prefix
        )
    )
    app = build_app(settings)
    async with running(app) as http:
        applicant = Tokens(DEV_JWT_SECRET, settings.jwt_issuer).header(
            subject="eu-login:guide", role="applicant"
        )
        school = {"name": "IES Severo Ochoa", "town": "Elx", "country": "ES"}
        assert (await http.post("/schools", json=school, headers=applicant)).status_code == 201

        monkeypatch.setenv("INTAKE_AMQP_URL", intake_url)
        await asyncio.to_thread(exec, guide_example(), {})

        teachers = app.state.runtime.database["teachers"]
        teacher = await eventually(
            lambda: teachers.find_one({"email": "marta.lopez@ies-example.es"}),
            seconds=10, what="the teacher registered from the intake event",
        )  # fmt: skip
        assert teacher["status"] == "WAITING_FOR_VALIDATION"
        assert teacher["country"] == "ES"


def test_the_intake_user_cannot_publish_other_events(vhost: Vhost, intake_url: str) -> None:
    with pika.BlockingConnection(pika.URLParameters(vhost.url)) as admin:
        admin.channel().exchange_declare("etwinning.events", "topic", durable=True)
    connection = pika.BlockingConnection(pika.URLParameters(intake_url))
    channel = connection.channel()
    channel.confirm_delivery()
    with pytest.raises(pika.exceptions.AMQPChannelError, match="ACCESS_REFUSED"):
        channel.basic_publish(
            exchange="etwinning.events",
            routing_key="registration.teacher.validated",
            body=b"{}",
        )
    connection.close()
