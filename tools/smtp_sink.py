"""A local SMTP server that keeps what it receives: the mail catcher of `make run` and tests."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass(frozen=True)
class CaughtMail:
    message_id: str
    to: list[str]
    subject: str
    text: str
    message: EmailMessage


class _Catcher:
    def __init__(self, folder: Path | None) -> None:
        self.mails: list[CaughtMail] = []
        self._folder = folder

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        message: Any = email.message_from_bytes(raw, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        caught = CaughtMail(
            message_id=str(message["Message-ID"]),
            to=list(envelope.rcpt_tos),
            subject=str(message["Subject"]),
            text=body.get_content() if body is not None else "",
            message=message,
        )
        self.mails.append(caught)
        if self._folder is not None:
            name = caught.message_id.strip("<>").replace("/", "_")
            (self._folder / f"{name}.eml").write_bytes(raw)
        return "250 Message accepted for delivery"


class SmtpSink:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, folder: Path | None = None) -> None:
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
        self._catcher = _Catcher(folder)
        self._controller = Controller(self._catcher, hostname=host, port=port or _free_port(host))

    @property
    def mails(self) -> list[CaughtMail]:
        return self._catcher.mails

    @property
    def url(self) -> str:
        return f"smtp://{self._controller.hostname}:{self._controller.port}"

    def start(self) -> SmtpSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


def _free_port(host: str) -> int:
    import socket

    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port
