"""One projects service for the tests of this package, in-process, on the real servers."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI

from services.projects.bootstrap import build_app
from services.projects.config import ProjectsSettings
from shared.runtime import Runtime
from tests.support.projects_helpers import ProjectSteps
from tests.support.servers import Vhost
from tests.support.services import running, service_settings


@dataclass
class ProjectsService:
    app: FastAPI
    http: httpx.AsyncClient
    steps: ProjectSteps

    @property
    def runtime(self) -> Runtime:
        runtime: Runtime = self.app.state.runtime
        return runtime


@pytest.fixture(scope="package")
def package_vhost() -> Iterator[Vhost]:
    created = Vhost.create()
    yield created
    created.delete()


@pytest.fixture(scope="package")
async def projects(package_vhost: Vhost, mongodb_url: str) -> AsyncIterator[ProjectsService]:
    settings = service_settings(
        "projects", amqp_url=package_vhost.url, mongodb_url=mongodb_url,
        prefix=f"t{uuid.uuid4().hex[:10]}",
    )  # fmt: skip
    app = build_app(ProjectsSettings(**settings))
    async with running(app) as http:
        yield ProjectsService(app, http, ProjectSteps(http))
