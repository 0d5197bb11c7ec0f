"""A teacher is a provider subject linked to a teacher record: registration links it when the
person applies, its events carry it, and every service maps the subject to the teacher from
its own read model; erasure removes the link everywhere. The four services in OIDC mode, on
the real RabbitMQ, SecantusDB and local OpenID Connect provider."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pymongo.errors import DuplicateKeyError

from services.awards.bootstrap import build_app as awards_app
from services.awards.config import AwardsSettings
from services.notifications.bootstrap import build_app as notifications_app
from services.notifications.config import NotificationsSettings
from services.projects.bootstrap import build_app as projects_app
from services.projects.config import ProjectsSettings
from services.registration.adapters.repository import subject_taken
from services.registration.bootstrap import build_app as registration_app
from services.registration.config import RegistrationSettings
from services.registration.domain.model import Teacher
from services.registration.service_layer.commands import RegisterTeacher
from services.registration.service_layer.handlers import register_teacher_in
from shared.clock import SystemClock
from shared.storage.unit_of_work import Transaction
from tests.support.oidc import RunningProvider, new_subject
from tests.support.probes import eventually
from tests.support.problems import problem_code
from tests.support.registration_helpers import APPLICANT, TOKENS, new_school
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


async def test_racing_applications_of_one_subject_make_one_profile(
    vhost: Vhost, mongodb_url: str, database_prefix: str
) -> None:
    """The lookup before the insert cannot see a sign-up still in flight: the unique index on
    the subject is what keeps one profile per subject when the requests race."""
    app = dev_registration_app(vhost, mongodb_url, database_prefix)
    subject = new_subject("racer")
    applicant = TOKENS.header(subject=subject, role="applicant")
    async with all_running({"registration": app}) as clients:
        http = clients["registration"]
        school = await new_school(http)
        body = {"name": "Ana García", "role": "teacher", "language": "es",
                "school_id": school["id"]}  # fmt: skip

        racing = await asyncio.gather(
            *(
                http.post(
                    "/teachers", json={**body, "email": f"race{n}@example.org"}, headers=applicant
                )
                for n in range(4)
            )
        )

        outcomes = sorted((r.status_code, problem_code(r) if r.status_code != 201 else "")
                          for r in racing)  # fmt: skip
        assert outcomes == [(201, "")] + [(409, "subject_already_registered")] * 3
        teachers = app.state.runtime.database["teachers"]
        assert await teachers.count_documents({"identity_subject": subject}) == 1


async def test_two_sign_ups_that_both_saw_no_profile_still_make_one(
    vhost: Vhost, mongodb_url: str, database_prefix: str
) -> None:
    """The race made certain: both transactions look the subject up (and find nobody) before
    either inserts. (SecantusDB aborts the second with a write conflict, whose retry then
    finds the first; MongoDB commits both unless the unique index refuses: the next test.)"""
    app = dev_registration_app(vhost, mongodb_url, database_prefix)
    subject = new_subject("racer")
    async with all_running({"registration": app}) as clients:
        school = await new_school(clients["registration"])
        uow = app.state.runtime.unit_of_work
        both_looked = asyncio.Barrier(2)

        def sign_up(n: int) -> Callable[[Transaction], Awaitable[Teacher]]:
            first_attempt = True

            async def work(tx: Transaction) -> Teacher:
                nonlocal first_attempt
                found = await tx.collection("teachers").find_one(
                    {"identity_subject": subject}, session=tx.session
                )
                assert found is None or not first_attempt
                if first_attempt:  # a retried attempt runs alone: the other one has committed
                    first_attempt = False
                    await both_looked.wait()
                command = RegisterTeacher(
                    name="Ana García", email=f"racer{n}@example.org", role="teacher",
                    language="es", school_id=school["id"], identity_subject=subject,
                )  # fmt: skip
                return await register_teacher_in(tx, command, SystemClock())

            return work

        outcomes = await asyncio.gather(
            uow.run(sign_up(1)), uow.run(sign_up(2)), return_exceptions=True
        )

        refusals = [o for o in outcomes if not isinstance(o, Teacher)]
        assert len(refusals) == 1, outcomes
        assert getattr(refusals[0], "reason", None) == "subject_already_registered", refusals
        teachers = app.state.runtime.database["teachers"]
        assert await teachers.count_documents({"identity_subject": subject}) == 1


async def test_the_database_keeps_one_profile_per_subject(
    vhost: Vhost, mongodb_url: str, database_prefix: str
) -> None:
    """What the lookup cannot promise: a second record of a subject is refused by the
    database itself, read as `subject_already_registered`; records without one never clash."""
    app = dev_registration_app(vhost, mongodb_url, database_prefix)
    async with all_running({"registration": app}):
        teachers = app.state.runtime.database["teachers"]
        subject = new_subject("racer")
        await teachers.insert_one(
            {"_id": "t1", "email": "t1@example.org", "identity_subject": subject}
        )
        await teachers.insert_many(
            [
                {"_id": "t2", "email": "t2@example.org", "identity_subject": None},
                {"_id": "t3", "email": "t3@example.org", "identity_subject": None},
                {"_id": "t4", "email": "t4@example.org"},
            ]
        )

        with pytest.raises(DuplicateKeyError) as by_subject:
            await teachers.insert_one(
                {"_id": "t5", "email": "t5@example.org", "identity_subject": subject}
            )
        with pytest.raises(DuplicateKeyError) as by_email:
            await teachers.insert_one({"_id": "t6", "email": "t1@example.org"})

        assert subject_taken(by_subject.value) and not subject_taken(by_email.value)
