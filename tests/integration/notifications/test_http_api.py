"""The HTTP API: the staff directory (operators only) and the in-app inbox (each recipient
their own), with every error's status and code. One service serves the whole module (the
tests use distinct people), which keeps it fast."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from services.notifications.bootstrap import build_app
from services.notifications.config import NotificationsSettings
from shared.clock import SettableClock
from tests.integration.notifications.conftest import OPERATOR, Notifications, token
from tests.support import notifications_helpers as sample
from tests.support.problems import problem_code
from tests.support.servers import Vhost, connected_broker
from tests.support.services import running, service_settings
from tools.smtp_sink import SmtpSink

pytestmark = pytest.mark.integration

READING_TIME = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)  # the service's clock, not the wall's


@pytest.fixture(scope="module")
async def service(mongodb_url: str) -> AsyncIterator[Notifications]:
    vhost = Vhost.create()
    prefix = f"t{uuid.uuid4().hex[:10]}"
    fields = service_settings(
        "notifications", amqp_url=vhost.url, mongodb_url=mongodb_url, prefix=prefix
    )
    try:
        with SmtpSink() as sink:
            app = build_app(
                NotificationsSettings(**fields, smtp_url=sink.url, digest_poll_seconds=3600),
                clock=SettableClock(READING_TIME),
            )
            bus = await connected_broker(vhost)
            async with running(app) as http:
                yield Notifications(app, http, bus)
            await bus.stop()
    finally:
        vhost.delete()


TEACHER_ES = token(subject="teacher:t-es", role="teacher", teacher_id="t-es")
NSO_ES = token(subject="nso:es:marta", role="nso", country="ES")
MARTA = {"name": "Marta Puig", "email": "marta@nso-es.example", "language": "ca",
         "role": "nso", "country": "ES", "subject": "nso:es:marta"}  # fmt: skip


def _code(response: Any) -> str:
    return problem_code(response)


async def test_operators_manage_the_staff_directory(service: Notifications) -> None:
    giulia = {**MARTA, "country": "IT", "subject": "nso:it:giulia", "email": "g@nso-it.example"}
    created = await service.add_staff(**giulia, kinds=["teacher_registered"], digest="daily")
    assert created["id"].startswith("staff-") and created["digest"] == "daily"

    listed = await service.http.get("/staff", params={"country": "IT"}, headers=OPERATOR)
    assert [member["email"] for member in listed.json()] == ["g@nso-it.example"]

    changed = await service.http.put(
        f"/staff/{created['id']}", json={**giulia, "language": "it"}, headers=OPERATOR
    )
    assert changed.status_code == 200 and changed.json()["language"] == "it"
    assert changed.json()["kinds"] == [] and changed.json()["digest"] == "immediate"

    removed = await service.http.delete(f"/staff/{created['id']}", headers=OPERATOR)
    assert removed.status_code == 204
    gone = await service.http.get(f"/staff/{created['id']}", headers=OPERATOR)
    assert (gone.status_code, _code(gone)) == (404, "staff_not_found")


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 401, "missing_token"),
        (TEACHER_ES, 403, "forbidden_role"),
        (NSO_ES, 403, "forbidden_role"),
    ],
)
async def test_only_operators_touch_the_directory(
    service: Notifications, headers: dict[str, str], status: int, code: str
) -> None:
    response = await service.http.post("/staff", json=MARTA, headers=headers)
    assert (response.status_code, _code(response)) == (status, code)
    listing = await service.http.get("/staff", headers=headers)
    assert listing.status_code == status


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"country": None}, "invalid_request"),  # NSO staff serve one country (R-REG-3)
        ({"role": "css"}, "invalid_request"),  # CSS staff serve no single country
        ({"email": "not-an-address"}, "invalid_request"),
        ({"digest_hour": 24}, "invalid_request"),
        ({"kinds": ["gossip"]}, "unknown_notification_kind"),
    ],
)
async def test_an_invalid_staff_member_is_refused(
    service: Notifications, change: dict[str, Any], code: str
) -> None:
    response = await service.http.post("/staff", json={**MARTA, **change}, headers=OPERATOR)
    assert (response.status_code, _code(response)) == (422, code)


async def test_a_login_belongs_to_one_staff_member(service: Notifications) -> None:
    pere = {**MARTA, "subject": "nso:es:pere", "email": "pere@nso-es.example"}
    await service.add_staff(**pere)
    again = await service.http.post("/staff", json=pere, headers=OPERATOR)
    assert (again.status_code, _code(again)) == (409, "staff_subject_taken")
    missing = await service.http.put("/staff/staff-nobody", json=MARTA, headers=OPERATOR)
    assert (missing.status_code, _code(missing)) == (404, "staff_not_found")


async def test_a_recipient_reads_counts_and_marks_their_own_inbox(service: Notifications) -> None:
    await service.add_staff(**MARTA)
    await service.publish(sample.teacher_registered("t-es"))
    await service.publish(sample.teacher_registered("t-pt"))
    await service.publish(sample.teacher_validated("t-es"))
    await service.publish(sample.project_proposed())  # notifies t-pt, not t-es

    items = await service.inbox(TEACHER_ES)
    assert [item["kind"] for item in items] == ["teacher_validated"]
    count = await service.http.get("/inbox/unread-count", headers=TEACHER_ES)
    assert count.json() == {"recipient_id": "t-es", "unread": 1}

    read = await service.http.post(f"/inbox/{items[0]['id']}/read", headers=TEACHER_ES)
    assert read.status_code == 200, read.text
    assert datetime.fromisoformat(read.json()["read_at"]) == READING_TIME
    count = await service.http.get("/inbox/unread-count", headers=TEACHER_ES)
    assert count.json()["unread"] == 0
    unread = await service.http.get("/inbox", params={"unread_only": True}, headers=TEACHER_ES)
    assert unread.json() == []

    staff_items = await service.inbox(NSO_ES)
    assert [item["kind"] for item in staff_items] == ["teacher_registered"]
    someone_elses = await service.http.post(
        f"/inbox/{staff_items[0]['id']}/read", headers=TEACHER_ES
    )
    assert (someone_elses.status_code, _code(someone_elses)) == (404, "inbox_item_not_found")


async def test_nobody_reads_another_recipients_inbox(service: Notifications) -> None:
    other = await service.http.get("/inbox", params={"recipient_id": "t-pt"}, headers=TEACHER_ES)
    assert (other.status_code, _code(other)) == (403, "not_your_inbox")
    stranger = token(subject="nso:es:unknown", role="nso", country="ES")
    unknown = await service.http.get("/inbox", headers=stranger)
    assert (unknown.status_code, _code(unknown)) == (403, "not_in_staff_directory")
    applicant = token(subject="esep:1", role="applicant")
    assert (await service.http.get("/inbox", headers=applicant)).status_code == 403
    assert (await service.http.get("/inbox")).status_code == 401
    operator = await service.http.get("/inbox", headers=OPERATOR)
    assert (operator.status_code, _code(operator)) == (422, "recipient_required")
    looked_up = await service.http.get("/inbox", params={"recipient_id": "t-pt"}, headers=OPERATOR)
    assert looked_up.status_code == 200


async def test_a_staff_inbox_opens_only_with_the_logins_role_and_country(
    service: Notifications,
) -> None:
    """The directory binds a login to a role and a country: a token that carries the subject of
    an NSO of Spain with another country, or as CSS, opens nothing."""
    jordi = {**MARTA, "subject": "nso:es:jordi", "email": "jordi@nso-es.example"}
    await service.add_staff(**jordi)
    own = await service.http.get("/inbox", headers=token(**_login(jordi, "nso", "ES")))
    assert own.status_code == 200, own.text
    for role, country in (("nso", "FR"), ("css", None)):
        other = await service.http.get("/inbox", headers=token(**_login(jordi, role, country)))
        assert (other.status_code, _code(other)) == (403, "not_in_staff_directory"), (role, country)
        count = await service.http.get(
            "/inbox/unread-count", headers=token(**_login(jordi, role, country))
        )
        assert count.status_code == 403


def _login(member: dict[str, Any], role: str, country: str | None) -> dict[str, Any]:
    return {"subject": member["subject"], "role": role, "country": country}


SECRET = "a-staff-system-secret-of-32-chars-or-more"


async def test_webhook_subscriptions_are_for_operators(service: Notifications) -> None:
    body = {"url": "http://127.0.0.1:9/x", "secret": SECRET}
    teacher = await service.http.post("/webhooks", json=body)
    assert teacher.status_code == 401
    short = await service.http.post("/webhooks", json={**body, "secret": "short"}, headers=OPERATOR)
    assert short.status_code == 422
    for change in ({"secret": "s" * 257}, {"secret": "s" * 900_000}, {"kinds": ["k" * 101]}):
        stored = await service.http.post("/webhooks", json={**body, **change}, headers=OPERATOR)
        assert (stored.status_code, _code(stored)) == (422, "invalid_request"), change
    too_big = await service.http.post(
        "/webhooks", json={**body, "secret": "s" * (2 * 1024 * 1024)}, headers=OPERATOR
    )
    assert (too_big.status_code, _code(too_big)) == (413, "payload_too_large")
    assert (await service.http.get("/webhooks", headers=OPERATOR)).json() == []
    unknown = await service.http.post(
        "/webhooks", json={**body, "kinds": ["gossip"]}, headers=OPERATOR
    )
    assert _code(unknown) == "unknown_notification_kind"
    missing = await service.http.delete("/webhooks/wh-none", headers=OPERATOR)
    assert (missing.status_code, _code(missing)) == (404, "webhook_not_found")
