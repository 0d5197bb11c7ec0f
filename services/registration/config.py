from __future__ import annotations

from shared.settings import ServiceSettings


class RegistrationSettings(ServiceSettings):
    service_name: str = "registration"
    http_port: int = 8001
