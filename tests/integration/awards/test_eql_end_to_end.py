"""From NQLs granted in two countries through the EQL round to the recipients' e-mails, over
the real RabbitMQ and SecantusDB: awards and notifications run in-process on one vhost, the
NQLs go through the NQL flow (completion, applications, NSO scores), the round through HTTP,
and the mails are caught by an SMTP sink."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.awards.config import DEFAULT_EQL_POLICY
from services.awards.eql.adapters.policy_file import load_eql_policy
from services.notifications.bootstrap import build_app as notifications_app
from services.notifications.config import NotificationsSettings
from shared.events.registration import TeacherValidated
from tests.support.awards_bus import awards_on_bus, bearer, nso, teacher
from tests.support.awards_helpers import ALL_YES, EVIDENCE, PERFECT, project_completed
from tests.support.eql_helpers import grant_nqls
from tests.support.jobs import job_result
from tests.support.probes import eventually
from tests.support.servers import Vhost
from tests.support.services import running, service_settings
from tools.smtp_sink import CaughtMail, SmtpSink

pytestmark = pytest.mark.integration

CSS = bearer(role="css", subject="css:tests")
# teacher: (name, language, country)
TEACHERS = {
    "t-es": ("Lucía Martínez", "es", "ES"),
    "t-pt": ("João Ferreira", "pt", "PT"),
    "t-tr": ("Ayşe Yılmaz", "tr", "TR"),
}


def validated(teacher_id: str) -> TeacherValidated:
    name, language, country = TEACHERS[teacher_id]
    return TeacherValidated(
        teacher_id=teacher_id,
        name=name,
        email=f"{teacher_id}@example.org",
        language=language,
        role="teacher",
        school_id=f"s-{teacher_id}",
        school_name=f"School of {teacher_id}",
        country=country,
        validated_at=datetime.now(UTC),
    )


async def test_nqls_in_two_countries_lead_to_eql_mails_for_every_member(
    vhost: Vhost, mongodb_url: str, database_prefix: str
) -> None:
    year = load_eql_policy(DEFAULT_EQL_POLICY).period.year_of(datetime.now(UTC))
    with SmtpSink() as sink:
        notifications_settings = NotificationsSettings(
            **service_settings(
                "notifications",
                amqp_url=vhost.url,
                mongodb_url=mongodb_url,
                prefix=database_prefix,
            ),
            smtp_url=sink.url,
            mail_poll_seconds=0.2,
        )
        async with (
            awards_on_bus(vhost, mongodb_url, database_prefix) as awards,
            running(notifications_app(notifications_settings)),
        ):
            for teacher_id in TEACHERS:
                await awards.publish(validated(teacher_id))
            await awards.publish(project_completed("p-net"))
            opened = await awards.eventually_emitted(
                "awards.nql.application_opened", 3, project_id="p-net"
            )
            # the ES and PT members get their NQL; the TR member does not apply
            for event in opened:
                teacher_id = event["payload"]["teacher_id"]
                if teacher_id == "t-tr":
                    continue
                applied = await awards.http.post(
                    "/nql/projects/p-net/applications",
                    json={"answers": ALL_YES, "evidence": EVIDENCE},
                    headers=teacher(teacher_id),
                )
                assert applied.status_code == 201, applied.text
                evaluated = await awards.http.post(
                    f"/nql/applications/{event['payload']['application_id']}/evaluation",
                    json={"scores": PERFECT},
                    headers=nso(TEACHERS[teacher_id][2]),
                )
                assert evaluated.json()["status"] == "GRANTED", evaluated.text
            # three more ES projects with an NQL this year: ES may nominate floor(4/4) = 1
            for i in range(3):
                await grant_nqls(
                    awards.app.state.runtime.database,
                    f"p-es-{i}",
                    [(f"x{i}", "ES", 18), (f"y{i}", "FR", None)],
                    decided_at=datetime.now(UTC),
                )

            opening = await awards.http.post("/eql/rounds", json={"year": year}, headers=CSS)
            round_opened = await job_result(awards.http, opening, CSS)
            assert round_opened["candidate_count"] == 1
            view = await awards.http.get(f"/eql/rounds/{year}/candidates", headers=nso("PT"))
            [candidate] = view.json()["candidates"]
            assert (candidate["project_id"], candidate["average"]) == ("p-net", 30.0)
            assert candidate["countries"] == ["ES", "PT"]

            nominated = await awards.http.post(
                f"/eql/rounds/{year}/nominations", json={"project_id": "p-net"}, headers=nso("ES")
            )
            assert nominated.status_code == 201, nominated.text
            confirmed = await awards.http.post(
                f"/eql/rounds/{year}/nominations/reviews",
                json={"reviews": [{"project_id": "p-net", "outcome": "CONFIRMED"}]},
                headers=CSS,
            )
            assert confirmed.status_code == 200, confirmed.text
            # the round's year is this school year's: its deadline is ahead, so the CSS forces
            closing = await awards.http.post(
                f"/eql/rounds/{year}/closure", json={"force": True}, headers=CSS
            )
            closed = await job_result(awards.http, closing, CSS)
            assert (closed["awarded_projects"], closed["recipients"]) == (1, 3)

            awarded = await awards.eventually_emitted("awards.eql.awarded", 3, project_id="p-net")
            assert {e["payload"]["teacher_id"] for e in awarded} == set(TEACHERS)
            assert {e["payload"]["year"] for e in awarded} == {year}
            issued = await awards.eventually_emitted("awards.certificate.issued", 5)
            eql_codes = {e["payload"]["verification_code"] for e in awarded}
            assert eql_codes <= {e["payload"]["verification_code"] for e in issued}
            await awards.eventually_emitted("awards.eql.round_closed")

            def eql_mails() -> dict[str, CaughtMail]:
                # by recipient: delivery is at least once, a mail may be caught twice
                found = {m.to[0]: m for m in sink.mails if "EQL-" in m.text}
                return found if len(found) == len(TEACHERS) else {}

            by_recipient = await eventually(eql_mails, seconds=30, what="an EQL mail each")

        assert set(by_recipient) == {f"{t}@example.org" for t in TEACHERS}
        assert "Sello de Calidad Europeo" in by_recipient["t-es@example.org"].subject
        assert "Selo de Qualidade Europeu" in by_recipient["t-pt@example.org"].subject
        assert "Avrupa Kalite Etiketi" in by_recipient["t-tr@example.org"].subject
        assert "Project p-net" in by_recipient["t-tr@example.org"].text
        for mail in by_recipient.values():
            assert "/eql/labels/" in mail.text
