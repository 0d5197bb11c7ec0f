"""`etwinning seed demo` loads the NETWORK story into running services, and a second run
reports what is there and creates nothing."""

from __future__ import annotations

from typing import Any

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
from tests.support.servers import Vhost
from tests.support.services import all_running, service_settings
from tools import seed
from tools.demo_story import TEACHERS, Tokens
from tools.smtp_sink import SmtpSink

pytestmark = [pytest.mark.integration]


def _apps(vhost: Vhost, mongodb_url: str, prefix: str, smtp_url: str) -> dict[str, FastAPI]:
    def common(service: str) -> dict[str, Any]:
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


async def test_seed_demo_loads_the_story_once(
    vhost: Vhost, mongodb_url: str, database_prefix: str
) -> None:
    tokens = Tokens(DEV_JWT_SECRET, "etwinning-platform")
    reported: list[tuple[int, int]] = []
    with SmtpSink() as sink:
        apps = _apps(vhost, mongodb_url, database_prefix, sink.url)
        async with all_running(apps) as clients:
            first = await seed.seed_demo(
                clients, tokens, progress=lambda done, total: reported.append((done, total))
            )
            assert first.status == "created", first.lines
            assert first.exit_code == 0
            story = first.story
            assert story is not None and story.project_id
            operator = tokens.header(subject="operator:tests", role="operator")
            applications = await clients["awards"].get(
                "/nql/applications", params={"project_id": story.project_id}, headers=operator
            )
            project = (
                await clients["projects"].get(f"/projects/{story.project_id}", headers=operator)
            ).json()

            second = await seed.seed_demo(clients, tokens)
            foreign = Tokens("a-secret-that-is-not-the-platforms-0123456789", "etwinning-platform")
            refused = await seed.seed_demo(clients, foreign)
            registration = apps["registration"].state.runtime.database
            teachers = await registration["teachers"].count_documents({})
            schools = await registration["schools"].count_documents({})
            projects = await apps["projects"].state.runtime.database["projects"].count_documents({})

    # The story's outcome: an active-then-completed project with three members, one label
    # application and one e-mail per member.
    assert project["status"] == "COMPLETED"
    assert len(project["members"]) == 3
    assert len(applications.json()) == 3
    assert sorted(a for mail in sink.mails for a in mail.to) == sorted(
        email for _, email, _ in TEACHERS.values()
    )
    # What it created is printed, with the ids.
    assert f"  project {story.project_id}  NETWORK" in first.lines
    for country, teacher_id in story.teacher_ids.items():
        assert f"  teacher {teacher_id}  {TEACHERS[country][0]}" in first.lines
    assert len(story.school_ids) == 3
    # Progress went from the first step to the whole story.
    assert reported[-1] == (seed.STORY_STEPS, seed.STORY_STEPS)
    assert reported[0][0] < seed.STORY_STEPS

    # The second run found the story and created nothing.
    assert second.status == "already_loaded"
    assert second.exit_code == 0
    assert f"  project NETWORK exists as {story.project_id} (COMPLETED)" in second.lines
    assert (teachers, schools, projects) == (3, 3, 1)
    # Tokens the platform does not accept: said plainly, and the exit code says it failed.
    assert refused.status == "failed" and refused.exit_code == 1
    assert "answered 401" in refused.lines[0] and "JWT_SECRET" in refused.lines[0]
    assert len(sink.mails) == 3


def test_base_urls_from_a_host_or_one_url_each() -> None:
    urls = seed.base_urls("10.0.0.5", {"awards": "http://awards.internal:9000/"})
    assert urls == {
        "registration": "http://10.0.0.5:8001",
        "projects": "http://10.0.0.5:8002",
        "awards": "http://awards.internal:9000",
        "notifications": "http://10.0.0.5:8004",
    }
