"""Over the real broker: registration's events (published by a separate broker, as the
registration service would) drive the projects service's teacher read model, erasure
included; and `projects.project.completed` reaches the awards and notifications services,
all running in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from faststream.rabbit import RabbitBroker

from services.awards.bootstrap import build_app as awards_app
from services.awards.config import AwardsSettings
from services.notifications.bootstrap import build_app as notifications_app
from services.notifications.config import NotificationsSettings
from services.projects.adapters.repository import TEACHERS
from services.projects.bootstrap import build_app as projects_app
from services.projects.config import ProjectsSettings
from shared.events import registration as facts
from shared.events.base import EventPayload
from shared.storage.mongo import INBOX, OUTBOX
from tests.support.probes import envelope_of, eventually, publish_envelope
from tests.support.projects_helpers import (
    ProjectSteps,
    Teacher,
    as_operator,
    error_of,
    new_teacher,
    validated,
)
from tests.support.servers import Vhost, connected_broker
from tests.support.services import all_running, service_settings
from tools.smtp_sink import SmtpSink

pytestmark = pytest.mark.integration


@pytest.fixture
async def bus(vhost: Vhost) -> AsyncIterator[RabbitBroker]:
    """A broker of the test's own, publishing as the registration service would."""
    broker = await connected_broker(vhost)
    yield broker
    await broker.stop()


async def publish(bus: RabbitBroker, payload: EventPayload, **envelope: Any) -> None:
    await publish_envelope(bus, envelope_of(payload, producer="registration", **envelope))


async def test_registration_facts_drive_the_read_model_and_completion_reaches_the_others(
    vhost: Vhost, mongodb_url: str, database_prefix: str, bus: RabbitBroker
) -> None:
    def settings(service: str, **extra: Any) -> dict[str, Any]:
        return service_settings(
            service, amqp_url=vhost.url, mongodb_url=mongodb_url, prefix=database_prefix, **extra
        )

    es, pt, tr = new_teacher("ES"), new_teacher("PT"), new_teacher("TR")
    erased, moved = new_teacher("IT"), new_teacher("FR")
    with SmtpSink() as sink:
        apps = {
            "projects": projects_app(ProjectsSettings(**settings("projects"))),
            "awards": awards_app(AwardsSettings(**settings("awards"))),
            "notifications": notifications_app(
                NotificationsSettings(**settings("notifications", smtp_url=sink.url))
            ),
        }
        async with all_running(apps) as http:
            projects_db = apps["projects"].state.runtime.database
            teachers = projects_db[TEACHERS]

            async def status_of(teacher: Teacher) -> str | None:
                document = await teachers.find_one({"_id": teacher.id})
                return document.get("status") if document else None

            # --- the read model follows registration's events -----------------------------
            for teacher in (es, pt, tr, erased, moved):
                await publish(bus, validated(teacher, name=f"Name of {teacher.id}"))
            await publish(bus, facts.TeacherErased(teacher_id=erased.id))
            await publish(
                bus,
                facts.TeacherSchoolChanged(
                    teacher_id=moved.id, previous_school_id=moved.school_id,
                    school_id="sch_new", school_name="New school", country="FR",
                ),
            )  # fmt: skip
            expected_statuses = {
                es: "VALIDATED", pt: "VALIDATED", tr: "VALIDATED",
                erased: "ERASED", moved: "WAITING_FOR_VALIDATION",
            }  # fmt: skip
            for teacher, expected in expected_statuses.items():
                await eventually(
                    lambda t=teacher, s=expected: _is(status_of(t), s),
                    seconds=10, what=f"{teacher.id} {expected}",
                )  # fmt: skip

            # Erasure keeps no personal data, and a late, older validation cannot revive it.
            tombstone = await teachers.find_one({"_id": erased.id})
            assert tombstone is not None
            assert set(tombstone) == {"_id", "status", "erased", "as_of"}
            late = validated(erased)
            await publish(bus, late, occurred_at=datetime.now(UTC) - timedelta(minutes=5))
            await publish(bus, facts.TeacherErased(teacher_id=erased.id))  # a duplicate fact
            await eventually(
                lambda: _inbox_holds(projects_db, 9), seconds=10, what="all facts handled"
            )
            assert await status_of(erased) == "ERASED"

            # --- R-REG-4 applied from that read model --------------------------------------
            steps = ProjectSteps(http["projects"])
            project_id = await steps.activate(es, pt)
            invitations = f"/projects/{project_id}/invitations"
            for refused in (erased, moved):
                response = await http["projects"].post(
                    invitations, json={"teacher_id": refused.id}, headers=es.headers
                )
                assert error_of(response) == (422, "partner_not_validated", "R-REG-4")
            await steps.add_partner(project_id, es, tr, pupils=24)

            # --- completion reaches awards and notifications ------------------------------
            await steps.call("POST", f"/projects/{project_id}/completion", es.headers)
            completed = await projects_db[OUTBOX].find_one(
                {"event_type": "projects.project.completed", "envelope.aggregate_id": project_id}
            )
            assert completed is not None
            event_id = completed["_id"]
            for service in ("awards", "notifications"):
                database = apps[service].state.runtime.database
                await eventually(
                    lambda db=database, s=service: db[INBOX].find_one({"_id": f"{s}:{event_id}"}),
                    seconds=15, what=f"{service} handled projects.project.completed",
                )  # fmt: skip
            applications = await eventually(
                lambda: _applications(http["awards"], project_id, 3),
                seconds=15, what="awards opened an NQL application per member",
            )  # fmt: skip
            assert sorted(a["teacher_id"] for a in applications) == sorted([es.id, pt.id, tr.id])


async def _is(value: Any, expected: str) -> bool:
    return bool(await value == expected)


async def _inbox_holds(database: Any, count: int) -> bool:
    return bool(await database[INBOX].count_documents({"consumer": "projects"}) >= count)


async def _applications(client: Any, project_id: str, count: int) -> list[dict[str, Any]]:
    response = await client.get(
        "/nql/applications", params={"project_id": project_id}, headers=as_operator()
    )
    if response.status_code != 200:
        return []
    found: list[dict[str, Any]] = response.json()
    if isinstance(found, dict):  # a paginated answer
        found = found.get("items", [])
    return found if len(found) >= count else []
