from __future__ import annotations

from pathlib import Path

from pydantic import Field

from shared.settings import ServiceSettings


class NotificationsSettings(ServiceSettings):
    service_name: str = "notifications"
    http_port: int = 8004
    smtp_url: str = Field(
        default="smtp://127.0.0.1:1025", description="smtp://[user:pass@]host:port, or smtps://"
    )
    mail_from: str = "eTwinning <no-reply@etwinning.localhost>"
    mail_domain: str = Field(
        default="notifications.etwinning.localhost", description="Right side of Message-IDs."
    )
    mail_max_attempts: int = Field(default=20, ge=1)
    mail_poll_seconds: float = Field(default=1.0, gt=0)
    mail_base_backoff_seconds: float = Field(
        default=1.0, gt=0, description="First retry delay of an e-mail; doubles per attempt."
    )
    mail_max_backoff_seconds: float = Field(default=600.0, gt=0)
    portal_base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Where readers open the portal: links in notices lead to it.",
    )
    action_links_path: Path | None = Field(
        default=None,
        description="The portal path of each notice's action; defaults to action_links.toml.",
    )
    notification_rules_path: Path | None = Field(
        default=None, description="JSON rule book; defaults to the service's rules.json."
    )
    digest_poll_seconds: float = Field(
        default=60.0, gt=0, description="How often due daily digests are looked for."
    )
    webhook_max_attempts: int = Field(default=12, ge=1)
    webhook_poll_seconds: float = Field(default=1.0, gt=0)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    webhook_subscriptions_max_age_seconds: float = Field(default=5.0, ge=0)
