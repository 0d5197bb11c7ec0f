"""Private by default: every GET route of every service, walked with no token, an applicant's,
another teacher's, a foreign NSO's, the right teacher's and NSO's, the CSS's and an operator's
token, after a seeded flow; each answer is checked against the access policy's table
(tests/support/access_walk.py says how)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from services.awards.nql.adapters.repository import CERTIFICATES
from services.notifications.bootstrap import build_app as notifications_app
from services.notifications.config import NotificationsSettings
from services.projects.bootstrap import build_app as projects_app
from services.projects.config import ProjectsSettings
from tests.integration.awards.test_school_label_api import known_world
from tests.integration.notifications.conftest import OPERATOR, Notifications
from tests.support import notifications_helpers as sample
from tests.support.access_walk import Probe, Row, WalkReport, shared_probes, walk
from tests.support.awards_bus import AwardsOnBus, awards_on_bus, nso, operator, teacher
from tests.support.awards_helpers import ALL_YES, EVIDENCE, project_completed
from tests.support.eql_helpers import YEAR as EQL_YEAR
from tests.support.eql_helpers import grant_nqls
from tests.support.jobs import job_result
from tests.support.probes import eventually
from tests.support.projects_helpers import ProjectSteps, know_validated, new_teacher
from tests.support.registration_helpers import new_school, registration_app, validated_teacher
from tests.support.registration_helpers import new_teacher as register_teacher
from tests.support.school_label_helpers import (
    CURRENT_YEAR,
    css_headers,
    project_completed_by,
    write_rounds_opening_tomorrow,
)
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
        waiting = await register_teacher(http, school["id"], "luis.walk@example.org")
        queue = Row.of(countries=["ES"])  # the NSO's validation queue (R-REG-3)
        probes = {
            **shared_probes("registration.teacher.validated"),
            "/schools/{school_id}": [
                Probe(f"/schools/{school['id']}", "Rosa Vidal", Row.of(countries=["ES"]))
            ],
            "/teachers/{teacher_id}": [Probe(f"/teachers/{teacher['id']}", teacher["email"], own)],
            "/partners": [Probe("/partners", teacher["id"], own, {"country": "ES"})],
            "/schools": [
                Probe(
                    "/schools",
                    school["id"],
                    Row.of(countries=["ES"]),
                    {"country": "ES", "name": "IES"},
                )
            ],
            "/teachers": [
                Probe("/teachers", waiting["email"], queue),
                Probe("/teachers", waiting["email"], queue, {"country": "ES"}),
                Probe("/teachers", teacher["email"], queue, {"status": "VALIDATED"}),
            ],
            "/validations": [Probe("/validations", waiting["email"], queue)],
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


async def test_awards_routes_answer_as_the_policy_says(
    vhost: Vhost, mongodb_url: str, database_prefix: str, tmp_path: Path
) -> None:
    policy = write_rounds_opening_tomorrow(tmp_path)
    async with awards_on_bus(
        vhost, mongodb_url, database_prefix, school_label_policy_path=policy
    ) as awards:
        probes = {
            **shared_probes("awards.nql.granted"),
            **await _seed_nql_and_school_label(awards),
            **await _seed_eql_and_prizes(awards),
        }
        _passed(await walk(awards.app, awards.http, probes))


async def _seed_nql_and_school_label(awards: AwardsOnBus) -> dict[str, list[Probe]]:
    """s-es's teachers t-1, t-2, t-3: t-1 holds an NQL on p-1 (with t-pt of PT), t-3's
    application on p-2 waits in the Spanish queue, the round finds s-es eligible, t-2 applies
    for the School Label and the NSO of Spain grants it; p-nat leaves n-1 not eligible."""
    await known_world(awards)
    await awards.publish(
        project_completed_by("p-2", [("t-3", "s-es", "ES"), ("t-pt", "s-pt", "PT")])
    )
    [waiting] = await eventually(
        lambda: awards.applications(project_id="p-2", teacher_id="t-3"), what="t-3's NQL"
    )
    applied = await awards.http.post(
        "/nql/projects/p-2/applications",
        json={"answers": ALL_YES, "evidence": EVIDENCE},
        headers=teacher("t-3"),
    )
    assert applied.status_code == 201, applied.text
    await awards.publish(project_completed("p-nat", "NATIONAL", (("n-1", "ES"), ("n-2", "ES"))))
    ran = await awards.http.post(
        f"/school-label/rounds/{CURRENT_YEAR}/eligibility-run", headers=css_headers()
    )
    assert (await job_result(awards.http, ran, css_headers()))["newly_eligible"] == 1
    label = await awards.http.post(
        "/school-label/applications",
        json={"school_id": "s-es", "year": CURRENT_YEAR, "head_declaration": True,
              "head_name": "María Pérez", "statement": "Our plan."},
        headers=teacher("t-2"),
    )  # fmt: skip
    assert label.status_code == 201, label.text
    label_id = label.json()["id"]
    # R-SCH-2: the head confirms through the link sent to the school head's e-mail
    [asked] = await awards.eventually_emitted("awards.school_label.head_confirmation_requested")
    link = asked["payload"]["confirm_url"]
    head_link = link[link.index("/school-label/") :]
    head_view = Probe(head_link, label_id)  # public: the link's token is the secret
    assert (await awards.http.post(head_link)).status_code == 200
    decided = await awards.http.post(
        f"/school-label/applications/{label_id}/decision",
        json={"outcome": "GRANTED", "reason": "A school-wide plan."},
        headers=nso("ES"),
    )
    assert decided.status_code == 200, decided.text
    [granted] = await awards.applications(project_id="p-1", teacher_id="t-1")
    [code] = [c["_id"] async for c in awards.app.state.runtime.database[CERTIFICATES].find(
        {"application_id": granted["id"]})]  # fmt: skip
    await _not_eligible_recorded(awards)
    t1 = Row.of(teachers=["t-1"], countries=["ES"])
    school = Row.of(teachers=["t-1", "t-2", "t-3"], countries=["ES"])
    applicant = Row.of(teachers=["t-2"], countries=["ES"])
    application = f"/nql/applications/{granted['id']}"
    return {
        "/nql/applications": [
            Probe("/nql/applications", granted["id"], t1),
            Probe("/nql/applications", granted["id"], t1, {"teacher_id": "t-1"}),
            Probe("/nql/applications", granted["id"], t1, {"country": "ES"}),
        ],
        "/nql/applications/{application_id}": [Probe(application, granted["id"], t1)],
        "/nql/applications/{application_id}/evaluation-view": [
            Probe(f"{application}/evaluation-view", granted["id"], Row.of(countries=["ES"]))
        ],
        "/school-label/head-confirmations/{token}": [head_view],
        "/nql/rubrics/{country}": [Probe("/nql/rubrics/ES", "online_collaboration")],
        "/nql/applications/{application_id}/certificate.pdf": [
            Probe(f"{application}/certificate.pdf", None, t1)
        ],
        "/nql/queue": [Probe("/nql/queue", waiting["id"], Row.of(countries=["ES"]))],
        "/nql/labels": [Probe("/nql/labels", granted["id"], t1, {"project_id": "p-1"})],
        "/nql/not-eligible": [
            Probe("/nql/not-eligible", '"teacher_id":"n-1"', Row.of(teachers=["n-1"]),
                  {"project_id": "p-nat"})
        ],
        "/certificates/{code}": [Probe(f"/certificates/{code}", code)],
        "/school-label/rounds/{year}/eligible-schools": [
            Probe(f"/school-label/rounds/{CURRENT_YEAR}/eligible-schools", "s-es", school)
        ],
        "/school-label/applications": [Probe("/school-label/applications", label_id, applicant)],
        "/school-label/applications/{application_id}": [
            Probe(f"/school-label/applications/{label_id}", label_id, applicant)
        ],
        "/school-label/labels": [Probe("/school-label/labels", label_id, applicant)],
    }  # fmt: skip


async def _not_eligible_recorded(awards: AwardsOnBus) -> None:
    async def recorded() -> list[Any]:
        answer = await awards.http.get(
            "/nql/not-eligible", params={"project_id": "p-nat"}, headers=operator()
        )
        found: list[Any] = answer.json()
        return found if len(found) == 2 else []

    await eventually(recorded, seconds=15, what="R-NQL-2 recorded")


async def _seed_eql_and_prizes(awards: AwardsOnBus) -> dict[str, list[Probe]]:
    """Spain granted NQLs on four projects (quota 1) and nominates p-good (with Portugal);
    the round closes, g-es enters p-good for a prize and it wins."""
    database = awards.app.state.runtime.database
    await grant_nqls(database, "p-good", [("g-es", "ES", 25), ("g-pt", "PT", 25)])
    for filler in ("p-f1", "p-f2", "p-f3"):
        await grant_nqls(
            database, filler, [(f"{filler}-es", "ES", 18), (f"{filler}-de", "DE", None)]
        )
    css = css_headers()
    opening = await awards.http.post("/eql/rounds", json={"year": EQL_YEAR}, headers=css)
    opened = await job_result(awards.http, opening, css)
    nominated = await awards.http.post(
        f"/eql/rounds/{EQL_YEAR}/nominations", json={"project_id": "p-good"}, headers=nso("ES")
    )
    assert nominated.status_code == 201, nominated.text
    confirmed = await awards.http.post(
        f"/eql/rounds/{EQL_YEAR}/nominations/reviews",
        json={"reviews": [{"project_id": "p-good", "outcome": "CONFIRMED"}]},
        headers=css,
    )
    assert confirmed.status_code == 200, confirmed.text
    closing = await awards.http.post(f"/eql/rounds/{EQL_YEAR}/closure", headers=css)
    await job_result(awards.http, closing, css)
    job_id = closing.json()["job_id"]
    entered = await awards.http.post(
        f"/prizes/{EQL_YEAR}/entries",
        json={"project_id": "p-good", "category": "12-15"},
        headers=teacher("g-es"),
    )
    assert entered.status_code == 201, entered.text
    won = await awards.http.post(
        f"/prizes/{EQL_YEAR}/winners", json={"project_id": "p-good"}, headers=css
    )
    assert won.status_code == 201, won.text
    labels = await awards.http.get("/eql/labels", params={"project_id": "p-good"}, headers=css)
    [label] = [found for found in labels.json() if found["teacher_id"] == "g-es"]
    g_es = Row.of(teachers=["g-es"], countries=["ES"])
    year = f"/eql/rounds/{EQL_YEAR}"
    return {
        "/eql/rounds/{year}": [Probe(year, opened["round_id"])],
        "/jobs": [Probe("/jobs", job_id)],
        "/jobs/{job_id}": [Probe(f"/jobs/{job_id}", job_id)],
        "/eql/rounds/{year}/candidates": [
            Probe(f"{year}/candidates", "p-good", Row.of(countries=["ES", "PT"]))
        ],
        "/eql/rounds/{year}/nominations": [
            Probe(f"{year}/nominations", "p-good", Row.of(countries=["ES"]))
        ],
        "/eql/labels": [Probe("/eql/labels", label["label_id"], g_es, {"project_id": "p-good"})],
        "/eql/labels/{label_id}/certificate.pdf": [
            Probe(f"/eql/labels/{label['label_id']}/certificate.pdf", None, g_es)
        ],
        "/eql/certificates/{code}": [
            Probe(f"/eql/certificates/{label['certificate_code']}", label["certificate_code"])
        ],
        "/prizes/categories": [Probe("/prizes/categories", "12-15")],
        "/prizes/{year}/entries": [
            Probe(f"/prizes/{EQL_YEAR}/entries", "p-good", Row.of(teachers=["g-es"]))
        ],
        "/prizes/{year}/winners": [Probe(f"/prizes/{EQL_YEAR}/winners", "p-good")],
    }
