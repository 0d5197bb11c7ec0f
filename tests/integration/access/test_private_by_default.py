"""Private by default: every GET route of every service, walked with no token, an applicant's,
another teacher's, a foreign NSO's, the right teacher's and NSO's, the CSS's and an operator's
token, after a seeded flow; each answer is checked against the access policy's table
(tests/support/access_walk.py says how)."""

from __future__ import annotations

import uuid

import pytest

from services.notifications.bootstrap import build_app as notifications_app
from services.notifications.config import NotificationsSettings
from services.projects.bootstrap import build_app as projects_app
from services.projects.config import ProjectsSettings
from tests.integration.notifications.conftest import OPERATOR, Notifications
from tests.support import notifications_helpers as sample
from tests.support.access_walk import Probe, Row, WalkReport, shared_probes, walk
from tests.support.probes import eventually
from tests.support.projects_helpers import ProjectSteps, know_validated, new_teacher
from tests.support.registration_helpers import new_school, registration_app, validated_teacher
from tests.support.servers import Vhost, connected_broker
from tests.support.services import running, service_settings
from tools.smtp_sink import SmtpSink

pytestmark = pytest.mark.integration


def _passed(report: WalkReport) -> None:
    print(f"access walk: {report.requests} requests, {len(report.failures)} mismatches")
    assert not report.failures, "\n".join(report.failures)


async def test_registration_routes_answer_as_the_policy_says(
    vhost: Vhost, mongodb_url: str, database_prefix: str
) -> None:
    app = registration_app(vhost, mongodb_url, database_prefix)
    async with running(app) as http:
        school = await new_school(http, head_name="Rosa Vidal")
        teacher = await validated_teacher(http, school, "ana.walk@example.org")
        own = Row.of(teachers=[teacher["id"]], countries=["ES"])
        probes = {
            **shared_probes("registration.teacher.validated"),
            "/schools/{school_id}": [
                Probe(f"/schools/{school['id']}", "Rosa Vidal", Row.of(countries=["ES"]))
            ],
            "/teachers/{teacher_id}": [Probe(f"/teachers/{teacher['id']}", teacher["email"], own)],
            "/partners": [Probe("/partners", teacher["id"], own, {"country": "ES"})],
        }
        _passed(await walk(app, http, probes))


async def test_projects_routes_answer_as_the_policy_says(
    vhost: Vhost, mongodb_url: str, database_prefix: str
) -> None:
    settings = service_settings(
        "projects", amqp_url=vhost.url, mongodb_url=mongodb_url, prefix=database_prefix
    )
    app = projects_app(ProjectsSettings(**settings))
    async with running(app) as http:
        es, pt = new_teacher("ES"), new_teacher("PT")
        await know_validated(app.state.runtime, es, pt)
        project_id = await ProjectSteps(http).activate(es, pt)
        members = Row.of(teachers=[es.id, pt.id], countries=["ES", "PT"])
        founder = Row.of(teachers=[es.id], countries=["ES", "PT"])
        probes = {
            **shared_probes("projects.project.activated"),
            "/projects/{project_id}": [Probe(f"/projects/{project_id}", project_id, members)],
            "/projects": [
                Probe("/projects", project_id, members),
                Probe("/projects", project_id, founder, {"teacher_id": es.id}),
                Probe(
                    "/projects",
                    project_id,
                    Row.of(teachers=[es.id, pt.id], countries=["PT"]),
                    {"country": "PT"},
                ),
            ],
            "/teachers/{teacher_id}/projects": [
                Probe(f"/teachers/{es.id}/projects", project_id, founder)
            ],
        }
        _passed(await walk(app, http, probes))


async def test_notifications_routes_answer_as_the_policy_says(
    vhost: Vhost, mongodb_url: str, database_prefix: str
) -> None:
    fields = service_settings(
        "notifications", amqp_url=vhost.url, mongodb_url=mongodb_url, prefix=database_prefix
    )
    with SmtpSink() as sink:
        app = notifications_app(
            NotificationsSettings(**fields, smtp_url=sink.url, digest_poll_seconds=3600)
        )
        bus = await connected_broker(vhost)
        try:
            async with running(app) as http:
                service = Notifications(app, http, bus)
                probes = await _seed_notifications(service)
                _passed(await walk(app, http, probes))
        finally:
            await bus.stop()


async def _seed_notifications(service: Notifications) -> dict[str, list[Probe]]:
    subject = f"nso:es:{uuid.uuid4().hex[:6]}"
    staff = await service.add_staff(
        name="Marta Puig", email="marta.walk@nso-es.example", language="ca", role="nso",
        country="ES", subject=subject,
    )  # fmt: skip
    webhook = await service.http.post(
        "/webhooks",
        json={"url": "http://127.0.0.1:9/hook", "secret": "s" * 32, "kinds": []},
        headers=OPERATOR,
    )
    assert webhook.status_code == 201, webhook.text
    await service.publish(sample.teacher_registered("t-es"))  # tells the NSO of Spain
    await service.publish(sample.teacher_validated("t-es"))  # tells the teacher
    [mail, *_] = await eventually(service.deliveries, what="a mail")
    teacher_items = await service.http.get(
        "/inbox", params={"recipient_id": "t-es"}, headers=OPERATOR
    )
    staff_items = await service.http.get(
        "/inbox", params={"recipient_id": staff["id"]}, headers=OPERATOR
    )
    teacher_item, staff_item = teacher_items.json()[0], staff_items.json()[0]
    teacher = Row.of(teachers=["t-es"], countries=["ES"])
    marta = Row.of(countries=["ES"], staff=subject)
    hook = webhook.json()["id"]
    return {
        **shared_probes("registration.teacher.validated"),
        "/deliveries": [Probe("/deliveries", mail["id"])],
        "/staff": [Probe("/staff", staff["id"])],
        "/staff/{staff_id}": [Probe(f"/staff/{staff['id']}", staff["email"])],
        "/inbox": [
            Probe("/inbox", teacher_item["id"], teacher, {"recipient_id": "t-es"}),
            Probe("/inbox", staff_item["id"], marta, {"recipient_id": staff["id"]}),
        ],
        "/inbox/unread-count": [
            Probe(
                "/inbox/unread-count", '"recipient_id":"t-es"', teacher, {"recipient_id": "t-es"}
            ),
            Probe(
                "/inbox/unread-count",
                f'"recipient_id":"{staff["id"]}"',
                marta,
                {"recipient_id": staff["id"]},
            ),
        ],
        "/webhooks": [Probe("/webhooks", hook)],
        "/webhooks/{webhook_id}/deliveries": [Probe(f"/webhooks/{hook}/deliveries")],
    }
