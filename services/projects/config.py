"""Settings of the projects service (environment variables, see the README)."""

from __future__ import annotations

from pydantic import Field

from shared.settings import ServiceSettings


class ProjectsSettings(ServiceSettings):
    service_name: str = "projects"
    http_port: int = 8002
    nso_may_reject_projects: bool = Field(
        default=True,
        description="R-PRJ-3 [ASSUMPTION]: whether a founder country's NSO may reject a "
        "project (today's behaviour); false: an NSO may only approve.",
    )
