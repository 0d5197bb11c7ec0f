"""Registration and notifications together over the real broker, SecantusDB and SMTP: the
head of an ES school gets the confirmation link in the teacher's language and confirms
through it, and the NSO's queue shows it (R-REG-3); a teacher moving to a PT school puts a
notice, with the queue's link, in the PT NSO's mailbox (R-REG-5)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from services.notifications.bootstrap import build_app as notifications_app
from services.notifications.config import NotificationsSettings
from services.registration.bootstrap import build_app as registration_app
from services.registration.config import RegistrationSettings
from tests.integration.notifications.conftest import OPERATOR
from tests.support.probes import eventually
from tests.support.registration_helpers import new_school, new_teacher, nso, teacher_token
from tests.support.servers import Vhost
from tests.support.services import all_running, service_settings
from tools.smtp_sink import SmtpSink

pytestmark = pytest.mark.integration


async def test_r_reg_3_and_r_reg_5_notices_reach_the_head_and_the_new_nso(
    vhost: Vhost, mongodb_url: str, database_prefix: str
) -> None:
    def settings(service: str) -> dict[str, Any]:
        return service_settings(
            service, amqp_url=vhost.url, mongodb_url=mongodb_url, prefix=database_prefix
        )

    with SmtpSink() as sink:
        apps = {
            "registration": registration_app(RegistrationSettings(**settings("registration"))),
            "notifications": notifications_app(
                NotificationsSettings(
                    **settings("notifications"), smtp_url=sink.url, mail_poll_seconds=0.1,
                    portal_base_url="https://portal.example",
                )
            ),
        }  # fmt: skip
        async with all_running(apps) as http:
            reg, notifications = http["registration"], http["notifications"]
            staff = {"name": "NSO PT", "email": "nso-pt@nso.example", "language": "pt",
                     "role": "nso", "country": "PT"}  # fmt: skip
            added = await notifications.post("/staff", json=staff, headers=OPERATOR)
            assert added.status_code == 201, added.text

            elx = await new_school(reg, head_name="Marta Ruiz", head_email="direccion@ies.example")
            batalha = await new_school(reg, "Escola Básica da Batalha", "PT", town="Batalha")
            ana = await new_teacher(reg, elx["id"], "ana@example.org", language="es")

            def mail_to(address: str) -> Any:
                return next((m for m in sink.mails if m.to == [address]), None)

            head = await eventually(
                lambda: mail_to("direccion@ies.example"), seconds=20, what="the head's mail"
            )
            assert head.subject == "Confirme que Ana García trabaja en IES Severo Ochoa"
            assert "Hola, Marta Ruiz:" in head.text
            assert "Servicio Nacional de Apoyo de España" in head.text
            found = re.search(r"https://portal\.example/head-confirmations/([\w-]+)", head.text)
            assert found is not None, head.text
            confirmed = await reg.post(f"/head-confirmations/{found.group(1)}")
            assert confirmed.status_code == 200, confirmed.text
            [waiting] = (await reg.get("/validations", headers=nso("ES"))).json()
            assert (waiting["id"], waiting["verification"]["head_confirmed"]) == (ana["id"], True)

            moved = await reg.post(
                f"/teachers/{ana['id']}/school-change", json={"school_id": batalha["id"]},
                headers=teacher_token(ana["id"]),
            )  # fmt: skip
            assert moved.status_code == 200, moved.text
            notice = await eventually(
                lambda: next((m for m in sink.mails if m.to == ["nso-pt@nso.example"]
                              and "Ana García" in m.subject and "mudou" in m.subject), None),
                seconds=20, what="the PT NSO's notice",
            )  # fmt: skip
            assert "Escola Básica da Batalha (Portugal)" in notice.text
            assert "https://portal.example/nso/validations" in notice.text
