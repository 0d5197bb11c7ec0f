"""Settings of the registration service (environment variables, see the README)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from shared.settings import ServiceSettings


class RegistrationSettings(ServiceSettings):
    service_name: str = "registration"
    http_port: int = 8001
    registration_policy_path: Path | None = Field(
        default=None,
        description="Verification method per country, reapplication, e-mail release; "
        "defaults to the service's registration_policy.toml.",
    )
