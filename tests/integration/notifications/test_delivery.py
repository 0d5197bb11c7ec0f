"""Delivery guarantees over the real broker, SecantusDB and SMTP server: one e-mail per
(event, recipient) whatever the broker redelivers, recovery from an SMTP outage, a visible
failure once the retry budget is spent, and erasure of a teacher's address."""

from __future__ import annotations

from typing import Any

import pytest

from services.notifications.adapters.repository import CONTACTS, DELIVERIES, INBOX_ITEMS
from services.notifications.bootstrap import build_app
from tests.integration.notifications.conftest import Notifications
from tests.support import notifications_helpers as sample
from tests.support.probes import captured_logs, envelope_of, eventually, wait_queue_drained
from tests.support.servers import Vhost
from tests.support.services import running
from tools.smtp_sink import SmtpSink

pytestmark = pytest.mark.integration

DISPATCHER_LOGS = "services.notifications.adapters.dispatcher"


async def _no_pending_mail(service: Notifications) -> bool:
    return await service.database[DELIVERIES].count_documents({"status": "pending"}) == 0


async def test_a_duplicated_event_sends_one_email(
    service: Notifications, sink: SmtpSink, vhost: Vhost
) -> None:
    await service.publish(sample.teacher_registered("t-pt"))
    envelope = envelope_of(sample.nql_application_opened("t-pt"))

    await service.publish(envelope)
    await service.publish(envelope)  # the broker may deliver an event twice
    await service.publish(
        envelope_of(sample.nql_application_opened("t-pt"), event_id=envelope.event_id)
    )

    await wait_queue_drained(vhost, "notifications.events")  # every copy was consumed
    await eventually(lambda: _no_pending_mail(service), what="mail queue worked")
    await eventually(lambda: sink.mails, what="the mail arrived")
    assert [mail.to for mail in sink.mails] == [["joao@pt.example"]]
    deliveries = await service.deliveries(teacher_id="t-pt")
    assert [(d["status"], d["attempts"]) for d in deliveries] == [("sent", 1)]
    assert sink.mails[0].message_id == deliveries[0]["message_id"]


async def test_an_smtp_outage_ends_in_exactly_one_email_after_recovery(
    settings_for: Any, bus: Any
) -> None:
    first = SmtpSink().start()
    port = int(first.url.rsplit(":", 1)[1])
    first.stop()  # the SMTP server is down before the mail is due
    app = build_app(settings_for(first.url))
    with captured_logs(DISPATCHER_LOGS) as logs:
        async with running(app) as http:
            service = Notifications(app, http, bus)
            await service.publish(sample.teacher_registered("t-tr"))
            await service.publish(sample.nql_application_opened("t-tr"))
            await eventually(lambda: logs.named("mail.send_failed"), what="a failed attempt")
            pending = await service.deliveries(teacher_id="t-tr")
            assert pending[0]["status"] == "pending" and pending[0]["last_error"]

            with SmtpSink(port=port) as recovered:  # a new server on the same port
                await eventually(lambda: recovered.mails, seconds=10, what="mail after recovery")
                await eventually(lambda: _no_pending_mail(service), what="queue worked")
                assert [mail.to for mail in recovered.mails] == [["ayse@tr.example"]]
            delivered = await service.deliveries(teacher_id="t-tr")
    assert [d["status"] for d in delivered] == ["sent"]
    assert delivered[0]["attempts"] >= 2
    assert first.mails == []


async def test_a_mail_that_cannot_be_sent_surfaces_as_failed(settings_for: Any, bus: Any) -> None:
    down = SmtpSink()  # never started: nothing listens on its port
    app = build_app(settings_for(down.url, mail_max_attempts=2))
    with captured_logs(DISPATCHER_LOGS) as logs:
        async with running(app) as http:
            service = Notifications(app, http, bus)
            await service.publish(sample.teacher_registered("t-es"))
            await service.publish(sample.nql_application_opened("t-es"))
            failed = await eventually(
                lambda: service.deliveries(status="failed"), seconds=10, what="failed delivery"
            )
    assert [(d["teacher_id"], d["attempts"]) for d in failed] == [("t-es", 2)]
    assert failed[0]["last_error"]
    assert [entry["delivery_id"] for entry in logs.named("mail.delivery_failed")] == [
        failed[0]["id"]
    ]


async def test_erasure_removes_the_address_and_no_further_mail_goes_to_it(
    service: Notifications, sink: SmtpSink
) -> None:
    staff = await service.add_staff(
        name="Marta", email="marta@nso-es.example", role="nso", country="ES"
    )
    await service.publish(sample.teacher_registered("t-es"))
    await service.publish(sample.nql_application_opened("t-es", "nql-1"))
    await eventually(lambda: len(sink.mails) == 2, what="the NSO's and the teacher's mails")

    await service.publish(sample.registration.TeacherErased(teacher_id="t-es"))
    await service.publish(sample.nql_application_opened("t-es", "nql-2"))
    await service.publish(sample.teacher_validated("t-es"))  # a late event brings nothing back
    await service.publish(sample.nql_application_opened("t-es", "nql-3"))

    contact = await service.database[CONTACTS].find_one({"_id": "t-es"})
    assert contact is not None and "email" not in contact and contact["erased"]
    deliveries = await service.database[DELIVERIES].find({"teacher_id": "t-es"}).to_list()
    assert [(d["status"], d["to"], d["mail"]) for d in deliveries] == [("sent", None, None)]
    assert await service.database[INBOX_ITEMS].count_documents({"recipient_id": "t-es"}) == 0
    # the NSO's notice of the registration named her: its text goes too
    assert await service.database[INBOX_ITEMS].count_documents({"about": "t-es"}) == 0
    to_staff = await service.deliveries(recipient_id=staff["id"])
    assert [(d["status"], d["subject"]) for d in to_staff] == [("sent", None)]
    await eventually(lambda: _no_pending_mail(service), what="queue worked")
    assert sorted(mail.to[0] for mail in sink.mails) == ["lucia@es.example", "marta@nso-es.example"]


async def test_erasure_cancels_a_mail_still_waiting_for_the_smtp_server(
    settings_for: Any, bus: Any
) -> None:
    down = SmtpSink()
    app = build_app(settings_for(down.url))
    async with running(app) as http:
        service = Notifications(app, http, bus)
        await service.publish(sample.teacher_registered("t-pt"))
        await service.publish(sample.nql_application_opened("t-pt"))
        await service.publish(sample.registration.TeacherErased(teacher_id="t-pt"))
        with down:  # the server comes back after the erasure
            deliveries = await service.deliveries(teacher_id="t-pt")
            assert [(d["status"], d["to"]) for d in deliveries] == [("cancelled", None)]
            await eventually(lambda: _no_pending_mail(service), what="queue worked")
        assert down.mails == []


async def test_a_queued_mail_goes_out_without_waiting_for_the_next_poll(
    settings_for: Any, bus: Any
) -> None:
    with SmtpSink() as sink:
        # The dispatcher's poll is an hour: only the commit that queued the mail can wake it.
        app = build_app(settings_for(sink.url, mail_poll_seconds=3600.0))
        async with running(app) as http:
            service = Notifications(app, http, bus)
            await service.publish(sample.teacher_registered("t-pt"))
            await service.publish(sample.nql_application_opened("t-pt"))
            await eventually(lambda: sink.mails, seconds=20, what="the mail, sent on commit")
    assert [mail.to for mail in sink.mails] == [["joao@pt.example"]]
