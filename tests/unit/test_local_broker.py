"""tools/local_broker.py: what `make run` prepares on RabbitMQ matches the integration guide
and deploy/rabbitmq/definitions.json, and a broker it cannot manage yields the commands to run."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from tools import local_broker, localrun

ROOT = Path(__file__).resolve().parents[2]


def test_the_guide_gives_the_intake_url_make_run_prepares() -> None:
    prepared = local_broker.on_vhost(
        localrun.DEFAULT_AMQP_URL,
        local_broker.vhost_of(localrun.DEFAULT_AMQP_URL),
        user=local_broker.INTAKE_USER,
        password=local_broker.intake_password(),
    )
    assert prepared == local_broker.LOCAL_INTAKE_URL
    guide = (ROOT / "docs" / "integration-guide.md").read_text()
    assert f"export INTAKE_AMQP_URL={local_broker.LOCAL_INTAKE_URL}" in guide


def test_the_intake_permissions_are_those_of_the_compose_definitions() -> None:
    definitions = json.loads((ROOT / "deploy" / "rabbitmq" / "definitions.json").read_text())
    [permission] = [p for p in definitions["permissions"] if p["user"] == "intake_example"]
    [topic] = [p for p in definitions["topic_permissions"] if p["user"] == "intake_example"]
    assert (
        permission["configure"],
        permission["write"],
        permission["read"],
    ) == local_broker.INTAKE_PERMISSIONS
    assert (
        topic["exchange"],
        topic["write"],
        topic["read"],
    ) == local_broker.INTAKE_TOPIC_PERMISSIONS
    assert permission["vhost"] == local_broker.PLATFORM_VHOST


@pytest.mark.parametrize(
    ("url", "vhost", "services_url"),
    [
        ("amqp://guest:guest@127.0.0.1:5672/", "etwinning", "amqp://guest:guest@127.0.0.1:5672/etwinning"),
        ("amqp://guest:guest@127.0.0.1:5672", "etwinning", "amqp://guest:guest@127.0.0.1:5672/etwinning"),
        ("amqp://a:b@mq:5672/other?heartbeat=15", "other", "amqp://a:b@mq:5672/other?heartbeat=15"),
        ("amqp://a:b@mq:5672/%2F", "/", "amqp://a:b@mq:5672/%2F"),
    ],
)  # fmt: skip
def test_the_platform_runs_on_the_vhost_the_url_names_or_etwinning(
    url: str, vhost: str, services_url: str
) -> None:
    calls: list[Sequence[str]] = []
    prepared = local_broker.prepare(url, password="pw", rabbitmqctl=calls.append)
    assert local_broker.vhost_of(url) == vhost
    assert prepared.services_url == services_url
    assert calls[0] == ["add_vhost", vhost]
    assert ["set_topic_permissions", "-p", vhost, "intake_example", "etwinning.events",
            r"^intake\..*", "^$"] in calls  # fmt: skip


def test_an_existing_intake_user_gets_its_password_set_again() -> None:
    calls: list[Sequence[str]] = []

    def rabbitmqctl(arguments: Sequence[str]) -> None:
        calls.append(arguments)
        if arguments[0] == "add_user":
            raise subprocess.CalledProcessError(
                70, "rabbitmqctl", "", "User exists: already exists"
            )

    local_broker.prepare("amqp://guest:guest@h:5672/", password="pw", rabbitmqctl=rabbitmqctl)
    assert ["change_password", "intake_example", "pw"] in calls


def test_a_broker_it_cannot_manage_yields_the_commands_to_run() -> None:
    def rabbitmqctl(arguments: Sequence[str]) -> None:
        raise FileNotFoundError("rabbitmqctl")

    with pytest.raises(local_broker.BrokerNotPrepared) as refused:
        local_broker.prepare("amqp://guest:guest@h:5672/", rabbitmqctl=rabbitmqctl)
    message = str(refused.value)
    assert "rabbitmqctl add_vhost etwinning" in message
    assert "rabbitmqctl add_user intake_example dev-intake-example-amqp" in message
    assert (
        "rabbitmqctl set_permissions -p etwinning intake_example '^$' '^etwinning\\.events$'"
        in (message)
    )


def test_a_broker_elsewhere_is_not_touched_by_the_local_rabbitmqctl() -> None:
    with pytest.raises(local_broker.BrokerNotPrepared, match="not this machine's broker"):
        local_broker.prepare("amqp://admin:pw@rabbitmq.example:5672/etwinning")
