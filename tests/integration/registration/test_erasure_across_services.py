"""Right to erasure across services: after POST /teachers/{id}/erasure, the notifications
service's contact and the projects service's teacher read model hold no personal data.
Three services in-process on the real RabbitMQ and SecantusDB."""

from __future__ import annotations

from typing import Any

import pytest

from services.notifications.adapters.repository import CONTACTS
from services.notifications.bootstrap import build_app as notifications_app
from services.notifications.config import NotificationsSettings
from services.projects.adapters.repository import TEACHERS as PROJECT_TEACHERS
from services.projects.bootstrap import build_app as projects_app
from services.projects.config import ProjectsSettings
from tests.support.probes import eventually
from tests.support.registration_helpers import (
    new_school,
    registration_app,
    teacher_token,
    validated_teacher,
)
from tests.support.servers import Vhost
from tests.support.services import all_running, service_settings

pytestmark = pytest.mark.integration

PERSONAL = ("Ana", "García", "ana@example.org")


def personal_data_in(document: dict[str, Any] | None) -> list[str]:
    text = repr(document)
    return [value for value in PERSONAL if value in text]


async def test_erasure_reaches_the_read_models_of_projects_and_notifications(
    vhost: Vhost, mongodb_url: str, database_prefix: str
) -> None:
    def settings(service: str) -> dict[str, Any]:
        return service_settings(
            service, amqp_url=vhost.url, mongodb_url=mongodb_url, prefix=database_prefix
        )

    apps = {
        "registration": registration_app(vhost, mongodb_url, database_prefix),
        "projects": projects_app(ProjectsSettings(**settings("projects"))),
        "notifications": notifications_app(
            NotificationsSettings(**settings("notifications"), smtp_url="smtp://127.0.0.1:9")
        ),
    }
    async with all_running(apps) as clients:
        http = clients["registration"]
        school = await new_school(http)
        teacher = await validated_teacher(http, school, "ana@example.org")
        contacts = apps["notifications"].state.runtime.database[CONTACTS]
        directory = apps["projects"].state.runtime.database[PROJECT_TEACHERS]

        async def contact() -> dict[str, Any] | None:
            found: dict[str, Any] | None = await contacts.find_one({"_id": teacher["id"]})
            return found

        async def known_teacher() -> dict[str, Any] | None:
            found: dict[str, Any] | None = await directory.find_one({"_id": teacher["id"]})
            return found

        # Before: both read models hold the personal data registration's events carried.
        async def both_know() -> bool:
            return bool(personal_data_in(await contact())) and "Ana" in repr(await known_teacher())

        await eventually(both_know, seconds=10, what="contact and teacher known")

        erased = await http.post(
            f"/teachers/{teacher['id']}/erasure", headers=teacher_token(teacher["id"])
        )
        assert erased.status_code == 200, erased.text

        async def both_forgot() -> bool:
            documents = [await contact(), await known_teacher()]
            return all(d is not None and not personal_data_in(d) for d in documents)

        await eventually(both_forgot, seconds=10, what="personal data dropped everywhere")
        registration_copy = (
            await apps["registration"]
            .state.runtime.database["teachers"]
            .find_one({"_id": teacher["id"]})
        )
        assert not personal_data_in(registration_copy)
