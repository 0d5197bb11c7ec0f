"""Every rule of the rule book, over the real broker, SecantusDB and SMTP: the NETWORK world
(ES and PT founders, a TR partner, a DE teacher who is rejected) and the NSO staff of each
country. Each rule produces the expected e-mails and inbox items, in the recipient's language,
with countries named in it and a link to where the reader acts (issue 15, item 14).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.notifications.conftest import Notifications, token
from tests.support import notifications_helpers as sample
from tests.support.probes import eventually
from tools.smtp_sink import SmtpSink

pytestmark = pytest.mark.integration


def teacher(teacher_id: str) -> dict[str, str]:
    return token(subject=f"teacher:{teacher_id}", role="teacher", teacher_id=teacher_id)


async def _staff(service: Notifications) -> dict[str, dict[str, Any]]:
    def nso(country: str, language: str, **extra: Any) -> dict[str, Any]:
        return {"name": f"NSO {country}", "email": f"nso-{country.lower()}@nso.example",
                "language": language, "role": "nso", "country": country, **extra}  # fmt: skip

    return {
        "es": await service.add_staff(**nso("ES", "ca", subject="nso:es:marta")),
        "es-approvals": await service.add_staff(
            **{
                **nso("ES", "it", kinds=["project_pending_approval"]),
                "email": "approvals@nso-es.example",
            }
        ),
        "pt": await service.add_staff(**nso("PT", "pt")),
        "tr": await service.add_staff(**nso("TR", "tr")),
        "de": await service.add_staff(**nso("DE", "de", digest="daily")),
        "css": await service.add_staff(name="CSS", email="css@css.example", role="css"),
    }


async def _play_the_world(service: Notifications) -> None:
    for school_id in sample.SCHOOLS:
        await service.publish(sample.school_registered(school_id))
    for teacher_id in sample.TEACHERS:
        await service.publish(sample.teacher_registered(teacher_id))
    for event in (
        sample.teacher_validated("t-es"),
        sample.teacher_rejected("t-de"),
        sample.project_proposed(),
        sample.cofounder_responded(accepted=True),
        sample.project_activated(),
        sample.partner_invited(),
        sample.partner_joined(),
        sample.project_completed(),
        sample.nql_application_opened("t-tr"),
        sample.cofounder_responded(accepted=False),
        sample.project_rejected(),
        sample.head_confirmation_requested("t-es"),
        sample.school_changed("t-es", to_school="s-de"),
        sample.project_withdrawn(by="t-es"),
        sample.nql_applied("t-tr"),
        sample.nql_not_evaluated("t-pt"),
    ):
        await service.publish(event)


async def test_each_rule_notifies_the_right_people_in_their_language(
    service: Notifications, sink: SmtpSink
) -> None:
    staff = await _staff(service)
    await _play_the_world(service)

    expected_mails = 12
    await eventually(lambda: len(sink.mails) >= expected_mails, seconds=10, what="mails sent")
    mails = {(mail.to[0], mail.subject) for mail in sink.mails}
    assert mails == {
        # teacher registered -> NSO of that country (ES in Catalan, PT, TR)
        ("nso-es@nso.example", "Nou registre eTwinning per validar: Lucía Martínez"),
        ("nso-pt@nso.example", "Novo registo eTwinning para validar: João Ferreira"),
        ("nso-tr@nso.example", "Onaylanacak yeni eTwinning kaydı: Ayşe Yılmaz"),
        # teacher rejected -> the teacher (German)
        ("jonas@de.example", "Ihre eTwinning-Registrierung wurde nicht bestätigt"),
        # project pending approval -> NSO staff of each founder's country
        ("nso-es@nso.example", 'Projecte per aprovar: "NETWORK"'),
        ("approvals@nso-es.example", 'Progetto da approvare: "NETWORK"'),
        ("nso-pt@nso.example", 'Projeto para aprovar: "NETWORK"'),
        # NQL application opened -> the teacher (Turkish)
        ("ayse@tr.example", '"NETWORK" için Ulusal Kalite Etiketi başvurunuz açıldı'),
        # R-REG-3: the ES school head is asked to confirm (the teacher's language)
        ("direccion@school.example", "Confirme que Lucía Martínez trabaja en IES Severo Ochoa"),
        # NQL applied -> the TR NSO, and "under review" -> the applicant
        ("nso-tr@nso.example", '"NETWORK" için yeni Ulusal Kalite Etiketi başvurusu'),
        ("ayse@tr.example", "Ulusal Kalite Etiketi başvurunuz değerlendiriliyor"),
        # R-NQL-3: beyond the cap -> the teacher, with when to submit again
        ("joao@pt.example", 'A sua candidatura com "NETWORK" não será avaliada este ano letivo'),
    }
    assert len(sink.mails) == expected_mails
    registration = next(m for m in sink.mails if m.to == ["nso-es@nso.example"]
                        and "registre" in m.subject)  # fmt: skip
    # the school's name from the read model, the country in the reader's language (Catalan)
    assert "IES Severo Ochoa (Espanya)" in registration.text
    assert "http://portal.test/nso/validations" in registration.text  # where the NSO acts
    head = next(m for m in sink.mails if m.to == ["direccion@school.example"])
    assert "http://portal.test/head-confirmations/a-secret-confirmation-token" in head.text
    assert "Servicio Nacional de Apoyo de España" in head.text
    capped = next(m for m in sink.mails if m.to == ["joao@pt.example"])
    assert "a partir de 1 de setembro de 2026" in capped.text
    html = registration.message.get_body(preferencelist=("html",))
    assert html is not None and "<p>Hola, NSO ES:</p>" in html.get_content()

    kinds = {
        teacher_id: [item["kind"] for item in await service.inbox(teacher(teacher_id))]
        for teacher_id in sample.TEACHERS
    }
    assert sorted(kinds["t-es"]) == sorted([
        "teacher_validated", "cofounder_accepted", "project_activated", "partner_joined",
        "project_completed", "cofounder_declined", "project_rejected",
    ])  # fmt: skip
    assert sorted(kinds["t-pt"]) == sorted([
        "project_proposed", "project_activated", "partner_joined", "project_completed",
        "project_rejected", "project_withdrawn",  # the other founder withdrew it (R-PRJ-3)
        "nql_not_evaluated",
    ])  # fmt: skip
    assert sorted(kinds["t-tr"]) == sorted([
        "partner_invited", "partner_joined", "project_completed", "nql_application_opened",
        "project_rejected", "nql_under_review",
    ])  # fmt: skip
    assert kinds["t-de"] == ["teacher_rejected"]

    inbox_es = {item["kind"]: item for item in await service.inbox(teacher("t-es"))}
    validated = inbox_es["teacher_validated"]
    assert validated["subject"] == "Bienvenido/a a eTwinning: tu registro está validado"
    assert "14 de marzo de 2026" in validated["text"]  # the date, in Spanish
    proposed = (await service.inbox(teacher("t-pt")))[-1]
    assert proposed["subject"] == 'Foi convidado/a a cofundar "NETWORK"'
    assert "IES Severo Ochoa (Espanha)" in proposed["text"]
    assert "http://portal.test/projects/p-network" in proposed["text"]

    marta = token(subject="nso:es:marta", role="nso", country="ES")
    assert sorted(i["kind"] for i in await service.inbox(marta)) == [
        "project_pending_approval", "teacher_registered",
    ]  # fmt: skip
    approvals = await service.inbox(token(subject=staff["es-approvals"]["subject"], role="nso",
                                          country="ES"))  # fmt: skip
    assert [item["kind"] for item in approvals] == ["project_pending_approval"]
    digest = await service.inbox(token(subject=staff["de"]["subject"], role="nso", country="DE"))
    # in-app; no mail yet: the registration, and the teacher who moved to a DE school (R-REG-5)
    assert sorted(item["kind"] for item in digest) == [
        "teacher_registered",
        "teacher_school_changed",
    ]
    css = await service.inbox(token(subject=staff["css"]["subject"], role="css"))
    assert css == []
