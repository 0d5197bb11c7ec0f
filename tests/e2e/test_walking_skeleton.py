"""The NETWORK story through all four services, over the real RabbitMQ and SecantusDB."""

from __future__ import annotations

import asyncio
import time

import pytest
from fastapi import FastAPI

from services.awards.bootstrap import build_app as awards_app
from services.awards.config import AwardsSettings
from services.notifications.bootstrap import build_app as notifications_app
from services.notifications.config import NotificationsSettings
from services.projects.bootstrap import build_app as projects_app
from services.projects.config import ProjectsSettings
from services.registration.bootstrap import build_app as registration_app
from services.registration.config import RegistrationSettings
from shared.settings import DEV_JWT_SECRET
from tests.support.servers import Vhost, queue_depths
from tests.support.services import all_running, service_settings
from tools.demo_story import TEACHERS, Story, Tokens
from tools.smtp_sink import SmtpSink
from tools.trace import trace

pytestmark = [pytest.mark.integration]


def _apps(vhost: Vhost, mongodb_url: str, prefix: str, smtp_url: str) -> dict:  # type: ignore[type-arg]
    def common(service: str) -> dict:  # type: ignore[type-arg]
        return service_settings(service, amqp_url=vhost.url, mongodb_url=mongodb_url, prefix=prefix)

    return {
        "registration": registration_app(RegistrationSettings(**common("registration"))),
        "projects": projects_app(ProjectsSettings(**common("projects"))),
        "awards": awards_app(AwardsSettings(**common("awards"))),
        "notifications": notifications_app(
            NotificationsSettings(
                **common("notifications"), smtp_url=smtp_url, mail_poll_seconds=0.2
            )
        ),
    }


async def _settled(vhost: Vhost, seconds: float = 10.0) -> dict[str, tuple[int, int]]:
    deadline = time.monotonic() + seconds
    while True:
        depths = await asyncio.to_thread(queue_depths, vhost)
        if all(depth == (0, 0) for depth in depths.values()) or time.monotonic() > deadline:
            return depths
        await asyncio.sleep(0.2)


async def _outboxes_settled(apps: list[FastAPI], seconds: float = 10.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while True:
        pending = [
            await app.state.runtime.database["outbox"].count_documents({"status": "pending"})
            for app in apps
        ]
        if not any(pending) or time.monotonic() > deadline:
            return pending
        await asyncio.sleep(0.1)


async def test_network_story_ends_with_one_email_per_member(
    vhost: Vhost, mongodb_url: str, database_prefix: str
) -> None:
    with SmtpSink() as sink:
        apps = _apps(vhost, mongodb_url, database_prefix, sink.url)
        async with all_running(apps) as clients:
            story = Story(clients, Tokens(DEV_JWT_SECRET, "etwinning-platform"))
            log = await story.play()
            assert log.ok, log.steps
            depths = await _settled(vhost)
            # published entries are marked up to OUTBOX_MARK_DELAY_SECONDS later
            outbox_pending = await _outboxes_settled(list(apps.values()))
            awards_metrics = (await clients["awards"].get("/metrics")).text
            registration_metrics = (await clients["registration"].get("/metrics")).text

        recipients = sorted(address for mail in sink.mails for address in mail.to)
        assert recipients == sorted(email for _, email, _ in TEACHERS.values())
        assert len({mail.message_id for mail in sink.mails}) == 3
        spanish = next(m for m in sink.mails if m.to == [TEACHERS["ES"][1]])
        assert "Sello de Calidad Nacional" in spanish.subject
        assert "NETWORK" in spanish.text
        turkish = next(m for m in sink.mails if m.to == [TEACHERS["TR"][1]])
        assert "başvurunuz açıldı" in turkish.subject  # folding once ate this space
        assert all(depth == (0, 0) for depth in depths.values()), depths
        assert outbox_pending == [0, 0, 0, 0]
        assert depths.get("notifications.dlq", (0, 0)) == (0, 0)
        # Declared by notifications, the producer of alerts: a failed delivery is routable.
        assert depths["operators.alerts"] == (0, 0)
        completed = 'event_type="projects.project.completed",outcome="handled"'
        assert f"etwinning_messages_consumed_total{{{completed}}} 1.0" in awards_metrics
        validated = 'etwinning_events_published_total{event_type="registration.teacher.validated"}'
        assert f"{validated} 3.0" in registration_metrics
        assert "etwinning_outbox_pending 0.0" in registration_metrics

        # The whole flow can be traced across services, and the completion's correlation id
        # travelled from the HTTP request through awards to the events it caused.
        template = f"{database_prefix}_{{service}}"
        timeline = await trace(mongodb_url, story.project_id, template)
        types = [event.event_type for event in timeline]
        assert types[0] == "projects.project.proposed"
        assert types.count("projects.project.nso_decided") == 2
        assert types.count("awards.nql.application_opened") == 3
        completed = next(e for e in timeline if e.event_type == "projects.project.completed")
        assert sorted(completed.consumed_by) == ["awards", "notifications"]
        flow = await trace(mongodb_url, completed.correlation_id, template)
        caused = [e for e in flow if e.event_type == "awards.nql.application_opened"]
        assert len(caused) == 3
        assert {e.causation_id for e in caused} == {completed.event_id}
