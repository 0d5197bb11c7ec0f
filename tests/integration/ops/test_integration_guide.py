"""docs/integration-guide.md works as written: its example, run with pika (not the services'
client) under the intake user `make run` prepares (tools/local_broker.py) or under one made
with the guide's own rabbitmqctl commands, is confirmed and dead-lettered `unknown_school` while
the school is missing, registers the teacher once it exists, and is dead-lettered
`duplicate_email` the second time; the same user cannot publish anything but intake events."""

from __future__ import annotations

import asyncio
import json
import re
import shlex
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
from tools import cli, dlq, local_broker
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


def guide_block(heading: str, language: str, containing: str) -> str:
    """The first ```language block of a section that contains `containing`."""
    section = GUIDE.read_text().split(heading, 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(rf"```{language}\n(.*?)```", section, re.DOTALL)
    return next(block for block in blocks if containing in block)


def guide_school() -> dict[str, str]:
    """The JSON body of the guide's `curl -X POST .../schools`."""
    match = re.search(r"-d '(\{.*?\})'", guide_block("## 4. Example", "sh", "/schools"))
    assert match, "the guide registers the school with curl -d '{...}'"
    school: dict[str, str] = json.loads(match.group(1))
    return school


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


async def _dead_letters(vhost: Vhost, count: int) -> list[dlq.DeadLetter]:
    async def enough() -> list[dlq.DeadLetter] | None:
        letters = await dlq.peek(vhost.url, "registration", 10)
        return letters if len(letters) >= count else None

    return await eventually(enough, seconds=15, what=f"{count} dead letter(s) in registration.dlq")


async def test_the_guide_as_written_against_the_local_runners_broker(
    vhost: Vhost, mongodb_url: str, database_prefix: str,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    # What `make run` does to the local broker, on this test's vhost and with a user of its own.
    user, password = f"intake-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    prepared = local_broker.prepare(vhost.url, intake_user=user, password=password)
    try:
        assert prepared.services_url == vhost.url
        settings = RegistrationSettings(
            **service_settings(
                "registration", amqp_url=prepared.services_url, mongodb_url=mongodb_url,
                prefix=database_prefix,
            )
        )  # fmt: skip
        app = build_app(settings)
        monkeypatch.setenv("INTAKE_AMQP_URL", prepared.intake_url)
        async with running(app) as http:
            teachers = app.state.runtime.database["teachers"]

            # The school is not registered yet: the broker confirms (no exception), the
            # platform dead-letters the sign-up as unknown_school.
            await asyncio.to_thread(exec, guide_example(), {})
            [letter] = await _dead_letters(vhost, 1)
            assert (letter.reason, letter.event_type) == (
                "unknown_school",
                "intake.teacher.signup_requested",
            )
            assert await teachers.count_documents({}) == 0

            # The guide's curl, as an HTTP call: the school first, then the same program.
            applicant = Tokens(DEV_JWT_SECRET, settings.jwt_issuer).header(
                subject="eu-login:guide", role="applicant"
            )
            created = await http.post("/schools", json=guide_school(), headers=applicant)
            assert created.status_code == 201
            await asyncio.to_thread(exec, guide_example(), {})
            teacher = await eventually(
                lambda: teachers.find_one({"email": "marta.lopez@ies-example.es"}),
                seconds=10, what="the teacher registered from the intake event",
            )  # fmt: skip
            assert (teacher["status"], teacher["country"]) == ("WAITING_FOR_VALIDATION", "ES")

            # A second run: a new event, the same e-mail; confirmed, then duplicate_email.
            await asyncio.to_thread(exec, guide_example(), {})
            letters = await _dead_letters(vhost, 2)
            assert sorted(letter.reason for letter in letters) == [
                "duplicate_email",
                "unknown_school",
            ]
            assert await teachers.count_documents({}) == 1

        # What the guide tells operators to look at.
        capsys.readouterr()
        arguments = ["--amqp-url", vhost.url, "--no-progress", "dlq", "list", "registration"]
        assert await asyncio.to_thread(cli.main, arguments) == 0
        listed = capsys.readouterr().out
        assert "duplicate_email" in listed and "unknown_school" in listed
    finally:
        _rabbitmqctl("delete_user", user)


def test_the_guides_rabbitmqctl_commands_make_an_intake_user(vhost: Vhost) -> None:
    """Section 1's commands, run as written with only the vhost, user and password changed, give
    the permissions of definitions.json's intake_example: the example publishes, nothing else."""
    user, password = f"portal-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    commands = guide_block("## 1. Credentials", "sh", "rabbitmqctl add_user")
    try:
        for line in commands.strip().splitlines():
            line = line.replace("-p etwinning ", f"-p {vhost.name} ")
            line = line.replace("portal-es", user).replace("'<password>'", password)
            argv = shlex.split(line)
            assert argv[0] == "rabbitmqctl"
            _rabbitmqctl(*argv[1:])
        with pika.BlockingConnection(pika.URLParameters(vhost.url)) as admin:
            channel = admin.channel()
            channel.exchange_declare("etwinning.events", "topic", durable=True)
            channel.queue_declare("registration.events", durable=True)
            channel.queue_bind("registration.events", "etwinning.events", "intake.teacher.*")
        parts = urlsplit(vhost.url)
        url = urlunsplit((parts.scheme, f"{user}:{password}@{parts.hostname}:{parts.port or 5672}",
                          parts.path, "", ""))  # fmt: skip
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("INTAKE_AMQP_URL", url)
            exec(guide_example(), {})
        with pika.BlockingConnection(pika.URLParameters(vhost.url)) as admin:
            ok = admin.channel().queue_declare("registration.events", passive=True)
            assert ok.method.message_count == 1
        connection = pika.BlockingConnection(pika.URLParameters(url))
        channel = connection.channel()
        channel.confirm_delivery()
        with pytest.raises(pika.exceptions.AMQPChannelError, match="ACCESS_REFUSED"):
            channel.basic_publish("etwinning.events", "registration.teacher.validated", b"{}")
        connection.close()
    finally:
        _rabbitmqctl("delete_user", user)
