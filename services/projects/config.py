from __future__ import annotations

from shared.settings import ServiceSettings


class ProjectsSettings(ServiceSettings):
    service_name: str = "projects"
    http_port: int = 8002
