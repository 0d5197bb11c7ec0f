"""The National Quality Label rules over the real broker, SecantusDB and SMTP: an application
goes to the NSO of the applicant's country, a grant or a refusal to the teacher with the
decision explained, the certificate to the teacher with its download link; each in the
recipient's language, numbers formatted for it."""

from __future__ import annotations

import pytest

from services.notifications.adapters.repository import DELIVERIES
from tests.integration.notifications.conftest import Notifications
from tests.support import notifications_helpers as sample
from tests.support.probes import eventually
from tools.smtp_sink import CaughtMail, SmtpSink

pytestmark = pytest.mark.integration

NBSP = "\u00a0"


async def _no_pending_mail(service: Notifications) -> bool:
    return await service.database[DELIVERIES].count_documents({"status": "pending"}) == 0


def html_of(mail: CaughtMail) -> str:
    body = mail.message.get_body(preferencelist=("html",))
    assert body is not None
    return str(body.get_content())


async def test_nql_events_notify_the_nso_and_the_teacher_in_their_language(
    service: Notifications, sink: SmtpSink
) -> None:
    for teacher_id in ("t-es", "t-pt", "t-tr", "t-de"):
        await service.publish(sample.teacher_registered(teacher_id))
    # the directory is filled after the registrations: their notices would be mails too
    await service.add_staff(
        name="Marta", email="nso-es@nso.example", language="ca", role="nso", country="ES"
    )
    await service.add_staff(
        name="Rui", email="nso-pt@nso.example", language="pt", role="nso", country="PT"
    )

    await service.publish(sample.nql_applied("t-es", reapplication=True))
    await service.publish(sample.nql_granted("t-tr"))
    await service.publish(sample.nql_refused("t-de"))
    await service.publish(sample.certificate_issued("t-pt"))

    await eventually(lambda: len(sink.mails) >= 5, seconds=10, what="five mails")
    await eventually(lambda: _no_pending_mail(service), what="every queued mail sent")
    mails = {mail.to[0]: mail for mail in sink.mails}
    assert {address: mail.subject for address, mail in mails.items()} == {
        # the application -> the NSO of the applicant's country only, in its staff's Catalan
        "nso-es@nso.example": 'Nova sol·licitud del Segell de Qualitat Nacional per a "NETWORK"',
        # ... and "under review" -> the applicant (issue 15, item 14)
        "lucia@es.example": "Tu solicitud del Sello de Calidad Nacional está en evaluación",
        "ayse@tr.example": '"NETWORK" için Ulusal Kalite Etiketi size verildi',
        "jonas@de.example": "Das Nationale Qualitätssiegel für „NETWORK“ wurde nicht verliehen",
        "joao@pt.example": (
            'O seu certificado do Selo de Qualidade Nacional pelo projeto "NETWORK"'
        ),
    }

    application = mails["nso-es@nso.example"].text
    assert "Presentada el 14 de març del 2026" in application
    assert "Nova sol·licitud després d\u2019una denegació (R-NQL-6)." in application

    assert "Puan: 30 üzerinden 23 puan (%77); tüm koşullar karşılandı." in (
        mails["ayse@tr.example"].text
    )

    refusal = mails["jonas@de.example"]
    assert f"Bewertung: 12 von 30 Punkten (40{NBSP}%); 2 von 3 Anforderungen" in refusal.text
    assert (
        "- DSGVO, Urheberrecht und Online-Sicherheit: 0 (mindestens 1) — 1 unter dem Minimum"
        in refusal.text
    )
    assert "- Gesamt: 12 von 30 Punkten (mindestens 15) — 3 unter dem Minimum" in refusal.text
    assert "Sie können sich erneut bewerben (R-NQL-6)." in refusal.text
    assert html_of(refusal).count("<li>") == 3

    certificate = mails["joao@pt.example"]
    download = "http://127.0.0.1:8003/nql/applications/nql-t-pt/certificate.pdf"
    assert f"Descarregue-o (inicie sessão primeiro): {download}" in certificate.text
    assert "NQL-ABCD-EFGH-IJKL-MNOP" in certificate.text
    assert f'<a href="{download}">' in html_of(certificate)
