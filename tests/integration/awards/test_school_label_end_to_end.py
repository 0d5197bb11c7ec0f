"""R-SCH-1 → R-SCH-2 across services over the real RabbitMQ and SecantusDB: registration
events and a granted NQL reach awards and notifications; the CSS runs the round (twice); every
registered teacher of the eligible school, and nobody else, gets one e-mail (in their
language, English when theirs is not shipped) and one in-app notification."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from services.awards.bootstrap import build_app as awards_app
from services.awards.config import AwardsSettings
from services.notifications.bootstrap import build_app as notifications_app
from services.notifications.config import NotificationsSettings
from tests.support.awards_bus import nso, operator, teacher
from tests.support.awards_helpers import ALL_YES, EVIDENCE, PERFECT
from tests.support.jobs import job_result
from tests.support.probes import envelope_of, eventually, publish_envelope, wait_queue_drained
from tests.support.school_label_helpers import (
    CURRENT_YEAR,
    css_headers,
    project_completed_by,
    school_registered,
    teacher_registered,
    teacher_validated,
    write_rounds_opening_tomorrow,
)
from tests.support.servers import Vhost, connected_broker
from tests.support.services import all_running, service_settings
from tools.smtp_sink import SmtpSink

pytestmark = pytest.mark.integration

SCHOOL_TEACHERS = {"t-1": "en", "t-2": "nl", "t-3": "es"}
ELIGIBLE_SUBJECTS = ("eligible for the eTwinning School Label", "Sello de Centro eTwinning")


def _apps(vhost: Vhost, mongodb_url: str, prefix: str, smtp_url: str, policy: Path) -> Any:
    def common(service: str) -> dict[str, Any]:
        return service_settings(service, amqp_url=vhost.url, mongodb_url=mongodb_url, prefix=prefix)

    return {
        "awards": awards_app(AwardsSettings(**common("awards"), school_label_policy_path=policy)),
        "notifications": notifications_app(
            NotificationsSettings(
                **common("notifications"), smtp_url=smtp_url, mail_poll_seconds=0.1,
                digest_poll_seconds=3600,
            )
        ),
    }  # fmt: skip


async def _grant_nql(awards: httpx.AsyncClient, teacher_id: str) -> None:
    async def opened() -> list[dict[str, Any]]:
        query = {"project_id": "p-1", "teacher_id": teacher_id}
        answer = await awards.get("/nql/applications", params=query, headers=operator())
        found: list[dict[str, Any]] = answer.json()
        return found

    [application] = await eventually(opened, seconds=15, what="NQL application opened")
    applied = await awards.post(
        "/nql/projects/p-1/applications",
        json={"answers": ALL_YES, "evidence": EVIDENCE},
        headers=teacher(teacher_id),
    )
    assert applied.status_code == 201, applied.text
    evaluated = await awards.post(
        f"/nql/applications/{application['id']}/evaluation",
        json={"scores": PERFECT},
        headers=nso("ES"),
    )
    assert evaluated.json()["status"] == "GRANTED", evaluated.text


async def test_every_registered_teacher_of_the_eligible_school_is_told_once_by_mail_and_inbox(
    vhost: Vhost, mongodb_url: str, database_prefix: str, tmp_path: Path
) -> None:
    policy = write_rounds_opening_tomorrow(tmp_path)
    bus = await connected_broker(vhost)
    try:
        with SmtpSink() as sink:
            apps = _apps(vhost, mongodb_url, database_prefix, sink.url, policy)
            async with all_running(apps) as clients:
                awards = clients["awards"]
                events = [school_registered("s-es"), school_registered("s-pt", "PT")]
                events += [
                    teacher_validated(t, "s-es", language=language)
                    for t, language in SCHOOL_TEACHERS.items()
                ]
                events += [
                    teacher_registered("t-waiting", "s-es"),
                    teacher_validated("t-pt", "s-pt", "PT"),
                    project_completed_by("p-1", [("t-1", "s-es", "ES"), ("t-pt", "s-pt", "PT")]),
                ]
                for event in events:
                    await publish_envelope(bus, envelope_of(event))
                await _grant_nql(awards, "t-1")

                for _ in range(2):  # the second run tells nobody again
                    response = await awards.post(
                        f"/school-label/rounds/{CURRENT_YEAR}/eligibility-run",
                        headers=css_headers(),
                    )
                    result = await job_result(awards, response, css_headers())
                assert result["already_eligible"] == 1

                def eligible_mails() -> list[Any]:
                    return [m for m in sink.mails if any(s in m.subject for s in ELIGIBLE_SUBJECTS)]

                await eventually(
                    lambda: len(eligible_mails()) >= 3, seconds=20, what="3 eligibility mails"
                )
                await wait_queue_drained(vhost, "notifications.events", seconds=15)
                inboxes = {
                    t: (await clients["notifications"].get("/inbox", headers=teacher(t))).json()
                    for t in [*SCHOOL_TEACHERS, "t-waiting", "t-pt"]
                }
    finally:
        await bus.stop()

    mails = eligible_mails()
    assert sorted(address for mail in mails for address in mail.to) == sorted(
        f"{t}@school.example" for t in SCHOOL_TEACHERS
    )
    by_teacher = {mail.to[0].split("@")[0]: mail for mail in mails}
    assert "Sello de Centro eTwinning" in by_teacher["t-3"].subject
    assert "eligible for the eTwinning School Label" in by_teacher["t-2"].subject  # nl → en
    assert "School s-es" in by_teacher["t-1"].text
    for teacher_id, items in inboxes.items():
        kinds = [item["kind"] for item in items]
        expected = 1 if teacher_id in SCHOOL_TEACHERS else 0
        assert kinds.count("school_label_eligible") == expected, (teacher_id, kinds)
