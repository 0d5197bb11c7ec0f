"""`etwinning publish` says in one line why it could not publish, never with a traceback:
an empty or malformed AMQP_URL, a broker that is not there."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tools import cli

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def event_file(tmp_path: Path) -> Path:
    email = "marta.lopez@ies-example.es"
    envelope = {
        "event_id": str(uuid.uuid4()), "event_type": "intake.teacher.signup_requested",
        "event_version": 1, "occurred_at": "2026-09-01T08:00:00+00:00", "producer": "portal-es",
        "correlation_id": "portal-es-1", "aggregate_id": email,
        "payload": {
            "name": "Marta López", "email": email, "role": "teacher", "language": "es",
            "subjects": ["mathematics"], "school_name": "IES Severo Ochoa",
            "school_town": "Elx", "school_country": "ES",
        },
    }  # fmt: skip
    path = tmp_path / "event.json"
    path.write_text(json.dumps(envelope))
    return path


def test_an_empty_amqp_url_is_a_clear_error_not_a_traceback(event_file: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tools.cli", "publish", "--file", str(event_file)],
        cwd=ROOT, env={**os.environ, "AMQP_URL": ""}, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        "etwinning: no RabbitMQ URL: AMQP_URL is empty; set it "
        "(amqp://user:password@host:5672/vhost)"
    )


@pytest.mark.parametrize("url", ["localhost:5672", "http://127.0.0.1:5672/", "amqp:///etwinning"])
def test_a_url_that_is_not_amqp_is_refused_before_connecting(
    url: str, event_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["--amqp-url", url, "publish", "--file", str(event_file)]) == 2
    assert "not a RabbitMQ URL" in capsys.readouterr().err


def test_a_broker_that_is_not_there_is_named_with_its_password_hidden(
    event_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"amqp://portal-es:s3cret@127.0.0.1:{port}/etwinning"
    assert cli.main(["--amqp-url", url, "publish", "--file", str(event_file)]) == 1
    error = capsys.readouterr().err
    assert "Traceback" not in error and "s3cret" not in error
    assert (
        f"not published: cannot publish to RabbitMQ at amqp://portal-es:***@127.0.0.1:{port}"
        in error
    )


def test_the_dlq_commands_check_the_url_too(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--amqp-url", "", "dlq", "list", "registration"]) == 2
    assert "AMQP_URL is empty" in capsys.readouterr().err
