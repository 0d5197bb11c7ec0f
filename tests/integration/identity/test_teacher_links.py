"""A teacher is a provider subject linked to a teacher record: registration links it when the
person applies, its events carry it, and every service maps the subject to the teacher from
its own read model; erasure removes the link everywhere. The four services in OIDC mode, on
the real RabbitMQ, SecantusDB and local OpenID Connect provider."""

from __future__ import annotations

from typing import Any

import httpx
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
from tests.support.oidc import RunningProvider, new_subject
from tests.support.probes import eventually
from tests.support.problems import problem_code
from tests.support.registration_helpers import APPLICANT, new_school
from tests.support.registration_helpers import registration_app as dev_registration_app
from tests.support.servers import Vhost
from tests.support.services import all_running, service_settings

pytestmark = pytest.mark.integration

SERVICES = ("registration", "projects", "awards", "notifications")


def oidc_apps(
    provider: RunningProvider, vhost: Vhost, mongodb_url: str, prefix: str
) -> dict[str, FastAPI]:
    def settings(service: str) -> dict[str, Any]:
        fields = service_settings(
            service, amqp_url=vhost.url, mongodb_url=mongodb_url, prefix=prefix
        )
        return {**fields, "oidc_issuer": provider.issuer, "auth_dev_mode": False}

    return {
        "registration": registration_app(RegistrationSettings(**settings("registration"))),
        "projects": projects_app(ProjectsSettings(**settings("projects"))),
        "awards": awards_app(AwardsSettings(**settings("awards"))),
        "notifications": notifications_app(
            NotificationsSettings(**settings("notifications"), smtp_url="smtp://127.0.0.1:9")
        ),
    }


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def seen_as(clients: dict[str, httpx.AsyncClient], token: str) -> dict[str, Any]:
    """Service -> (role, teacher_id) of the caller, as each service sees them."""
    seen = {}
    for service in SERVICES:
        response = await clients[service].get("/me", headers=bearer(token))
        assert response.status_code == 200, response.text
        seen[service] = (response.json()["role"], response.json()["teacher_id"])
    return seen


async def test_the_applicants_subject_is_their_teacher_in_every_service_until_erasure(
    oidc_provider: RunningProvider, vhost: Vhost, mongodb_url: str, database_prefix: str
) -> None:
    ana = new_subject("ana")
    nso_es = new_subject("nso-es")
    oidc_provider.put_user(ana, {"email": f"{ana}@example.org", "groups": []})
    oidc_provider.put_user(nso_es, {"groups": ["nso-ES"]})
    ana_token, nso_token = oidc_provider.token(ana), oidc_provider.token(nso_es)

    async with all_running(
        oidc_apps(oidc_provider, vhost, mongodb_url, database_prefix)
    ) as clients:
        assert await seen_as(clients, ana_token) == dict.fromkeys(SERVICES, ("applicant", None))
        registration = clients["registration"]
        school = await registration.post(
            "/schools",
            json={"name": "IES Severo Ochoa", "town": "Elx", "country": "ES"},
            headers=bearer(ana_token),
        )
        assert school.status_code == 201, school.text
        body = {"name": "Ana García", "email": f"{ana}@example.org", "role": "teacher",
                "language": "es", "school_id": school.json()["id"]}  # fmt: skip
        applied = await registration.post("/teachers", json=body, headers=bearer(ana_token))
        assert applied.status_code == 201, applied.text
        teacher_id = applied.json()["id"]

        # One subject, one profile (R-REG-7): registration already sees a teacher, who does
        # not apply (the repository refuses a second link too: the test below).
        other = {**body, "email": f"other-{ana}@example.org"}
        again = await registration.post("/teachers", json=other, headers=bearer(ana_token))
        assert (again.status_code, problem_code(again)) == (403, "forbidden_role")

        validated = await registration.post(
            f"/teachers/{teacher_id}/validation", headers=bearer(nso_token)
        )
        assert validated.status_code == 200, validated.text  # the NSO's role came from nso-ES

        async def a_teacher_everywhere() -> bool:
            return await seen_as(clients, ana_token) == dict.fromkeys(
                SERVICES, ("teacher", teacher_id)
            )

        await eventually(a_teacher_everywhere, seconds=15, what="the subject linked everywhere")
        # The teacher acts as themselves: reads their own profile, not another's.
        own = await registration.get(f"/teachers/{teacher_id}", headers=bearer(ana_token))
        assert own.status_code == 200, own.text

        erased = await registration.post(
            f"/teachers/{teacher_id}/erasure", headers=bearer(ana_token)
        )
        assert erased.status_code == 200, erased.text

        async def unlinked_everywhere() -> bool:
            return await seen_as(clients, ana_token) == dict.fromkeys(SERVICES, ("applicant", None))

        await eventually(unlinked_everywhere, seconds=15, what="the link removed everywhere")


async def test_a_subject_applies_once(vhost: Vhost, mongodb_url: str, database_prefix: str) -> None:
    """Development tokens may say `applicant` for a subject already linked: still one profile."""
    app = dev_registration_app(vhost, mongodb_url, database_prefix)
    async with all_running({"registration": app}) as clients:
        http = clients["registration"]
        school = await new_school(http)
        body = {"name": "Ana García", "role": "teacher", "language": "es",
                "school_id": school["id"]}  # fmt: skip
        first = await http.post(
            "/teachers", json={**body, "email": "a1@example.org"}, headers=APPLICANT
        )
        assert first.status_code == 201, first.text

        second = await http.post(
            "/teachers", json={**body, "email": "a2@example.org"}, headers=APPLICANT
        )

        assert (second.status_code, problem_code(second)) == (409, "subject_already_registered")
        assert "R-REG-7" in second.text
