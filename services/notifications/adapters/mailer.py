"""Sends e-mails over SMTP (aiosmtplib), multipart text and HTML."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP
from email.utils import parseaddr
from urllib.parse import urlsplit

import aiosmtplib

from shared.storage.mongo import Document

# CPython's folding of long non-ASCII headers can drop the space between two encoded words
# ("başvurunuz açıldı" arrived as "başvurunuzaçıldı"). Not folding below RFC 5322's hard
# limit of 998 characters keeps subjects intact.
MAIL_POLICY = SMTP.clone(max_line_length=998)


class SmtpMailer:
    def __init__(self, smtp_url: str, sender: str, timeout_seconds: float = 15.0) -> None:
        parts = urlsplit(smtp_url)
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or 25
        self._username = parts.username
        self._password = parts.password
        self._use_tls = parts.scheme == "smtps"
        self._sender = sender
        self._sender_address = parseaddr(sender)[1]
        self._timeout = timeout_seconds

    async def send(self, delivery: Document, message_id: str) -> None:
        message = EmailMessage(policy=MAIL_POLICY)
        message["From"] = self._sender
        message["To"] = delivery["to"]
        message["Subject"] = delivery["mail"]["subject"]
        # Deterministic: a resend after a crash carries the same id, so it can be recognised.
        message["Message-ID"] = message_id
        message["X-Etwinning-Event-Id"] = delivery["event_id"]
        message.set_content(delivery["mail"]["text"])
        message.add_alternative(delivery["mail"]["html"], subtype="html")
        await aiosmtplib.send(
            message.as_bytes(policy=MAIL_POLICY),  # aiosmtplib would re-fold with its own policy
            sender=self._sender_address,
            recipients=[delivery["to"]],
            hostname=self._host,
            port=self._port,
            username=self._username,
            password=self._password,
            use_tls=self._use_tls,
            timeout=self._timeout,
        )
