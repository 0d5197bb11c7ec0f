"""The NETWORK story with every person logged in at the real local OpenID Connect provider
(authorization code + PKCE), the four services in OIDC mode only: staff roles come from the
provider's groups, teachers from the subjects registration linked when they applied."""

from __future__ import annotations

from typing import Any

import pytest

from services.awards.bootstrap import build_app as awards_app
from services.awards.config import AwardsSettings
from services.notifications.bootstrap import build_app as notifications_app
from services.notifications.config import NotificationsSettings
from services.projects.bootstrap import build_app as projects_app
from services.projects.config import ProjectsSettings
from services.registration.bootstrap import build_app as registration_app
from services.registration.config import RegistrationSettings
from tests.support.oidc import RunningProvider
from tests.support.servers import Vhost
from tests.support.services import all_running, service_settings
from tools.demo_story import TEACHERS, ProviderTokens, Story, demo_people
from tools.smtp_sink import SmtpSink

pytestmark = [pytest.mark.integration]


async def test_the_story_plays_with_provider_tokens_only(
    oidc_provider: RunningProvider, vhost: Vhost, mongodb_url: str, database_prefix: str
) -> None:
    run_tag = database_prefix  # subjects of their own in the session's provider
    for subject, claims in demo_people(run_tag).items():
        oidc_provider.put_user(subject, claims)

    def settings(service: str) -> dict[str, Any]:
        fields = service_settings(
            service, amqp_url=vhost.url, mongodb_url=mongodb_url, prefix=database_prefix
        )
        return {**fields, "oidc_issuer": oidc_provider.issuer, "auth_dev_mode": False}

    with SmtpSink() as sink:
        apps = {
            "registration": registration_app(RegistrationSettings(**settings("registration"))),
            "projects": projects_app(ProjectsSettings(**settings("projects"))),
            "awards": awards_app(AwardsSettings(**settings("awards"))),
            "notifications": notifications_app(
                NotificationsSettings(
                    **settings("notifications"), smtp_url=sink.url, mail_poll_seconds=0.2
                )
            ),
        }
        logins: list[str] = []

        def login(subject: str) -> str:
            logins.append(subject)
            return oidc_provider.token(subject)

        async with all_running(apps) as clients:
            story = Story(clients, ProviderTokens(login), run_tag=run_tag)
            log = await story.play()

    assert log.ok, log.steps
    assert sorted(logins) == sorted(demo_people(run_tag))  # each person logged in once
    recipients = sorted(address for mail in sink.mails for address in mail.to)
    # A run tag makes the story's addresses its own: name+tag@school.
    assert len(recipients) == len(TEACHERS) == 3
