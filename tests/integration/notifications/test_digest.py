"""Daily digests: a staff member who chose one gets their notifications in one e-mail at
their hour, not one e-mail each; other staff keep getting them at once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.notifications.adapters.digest_worker import DigestWorker
from services.notifications.adapters.repository import DELIVERIES
from services.notifications.domain.locale import BuiltinDateFormatter
from tests.integration.notifications.conftest import Notifications, token
from tests.support import notifications_helpers as sample
from tests.support.probes import eventually
from tools.smtp_sink import SmtpSink

pytestmark = pytest.mark.integration


async def test_a_daily_digest_gathers_the_days_notifications_in_one_email(
    service: Notifications, sink: SmtpSink
) -> None:
    marta = await service.add_staff(
        name="Marta", email="marta@nso-es.example", language="ca", role="nso", country="ES",
        digest="daily", digest_hour=7,
    )  # fmt: skip
    await service.add_staff(
        name="Nuno", email="nuno@nso-pt.example", language="pt", role="nso", country="PT"
    )
    for teacher_id in ("t-es", "t-pt"):
        await service.publish(sample.teacher_registered(teacher_id))
    await service.publish(sample.project_proposed())
    await service.publish(sample.cofounder_responded(accepted=True))

    await eventually(lambda: len(sink.mails) == 2, what="Nuno's two immediate mails")
    assert {tuple(mail.to) for mail in sink.mails} == {("nuno@nso-pt.example",)}

    runtime = service.app.state.runtime
    at = datetime(2026, 3, 14, 6, 0, tzinfo=UTC)
    worker = DigestWorker(runtime.unit_of_work, BuiltinDateFormatter(), 1, now=lambda: at)
    assert await worker.send_due() == 0  # before Marta's hour
    at = datetime(2026, 3, 14, 8, 0, tzinfo=UTC)
    assert await worker.send_due() == 1
    assert await worker.send_due() == 0  # once a day

    digest = await eventually(
        lambda: [m for m in sink.mails if m.to == ["marta@nso-es.example"]], what="the digest"
    )
    assert len(digest) == 1
    assert digest[0].subject == "El teu resum eTwinning del 14 de març del 2026: 2 notificacions"
    assert "- Nou registre eTwinning per validar: Lucía Martínez" in digest[0].text
    assert '- Projecte per aprovar: "NETWORK"' in digest[0].text

    async def queue_worked() -> bool:
        return await service.database[DELIVERIES].count_documents({"status": "pending"}) == 0

    await eventually(queue_worked, what="queue worked")
    assert len([m for m in sink.mails if m.to == ["marta@nso-es.example"]]) == 1
    inbox = await service.inbox(token(subject=marta["subject"], role="nso", country="ES"))
    assert len(inbox) == 2  # the items stay in the inbox
