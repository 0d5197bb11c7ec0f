"""From project completion to awards.nql.granted over the real RabbitMQ and SecantusDB:
facts arrive as events, the teacher applies and the NSO evaluates over HTTP, the decision,
the certificate and every event come out of the outbox onto the broker."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime, timedelta

import pytest

from shared.events.registration import TeacherErased
from tests.support.awards_bus import awards_on_bus, nso, operator, teacher
from tests.support.awards_helpers import (
    ALL_YES,
    EVIDENCE,
    PERFECT,
    project_completed,
    teacher_validated,
)
from tests.support.probes import (
    envelope_of,
    eventually,
    publish_envelope,
    teacher_registered,
    wait_queue_drained,
)
from tests.support.servers import Vhost

pytestmark = pytest.mark.integration

HAS_PDF_LIBRARY = importlib.util.find_spec("fpdf") is not None


async def test_project_completion_leads_to_a_granted_label_with_a_verifiable_certificate(
    vhost: Vhost, mongodb_url: str, database_prefix: str
) -> None:
    async with awards_on_bus(vhost, mongodb_url, database_prefix) as awards:
        await awards.publish(teacher_validated("t-es", "Ana García", "ES"))
        await awards.publish(project_completed("p-net"))
        # an older registration arriving late must not overwrite the validated name
        stale = teacher_registered("t-es")
        await publish_envelope(
            awards.bus, envelope_of(stale, occurred_at=datetime.now(UTC) - timedelta(days=3))
        )

        opened = await awards.eventually_emitted(
            "awards.nql.application_opened", 3, project_id="p-net"
        )
        assert {e["payload"]["teacher_id"] for e in opened} == {"t-es", "t-pt", "t-tr"}
        [mine] = await awards.applications(project_id="p-net", teacher_id="t-es")

        applied = await awards.http.post(
            "/nql/projects/p-net/applications",
            json={"answers": ALL_YES, "evidence": EVIDENCE},
            headers=teacher("t-es"),
        )
        assert applied.status_code == 201, applied.text
        assert applied.json()["status"] == "SUBMITTED"
        queue = (await awards.http.get("/nql/queue", headers=nso("ES"))).json()
        assert [a["id"] for a in queue] == [mine["id"]]

        evaluated = await awards.http.post(
            f"/nql/applications/{mine['id']}/evaluation",
            json={"scores": PERFECT},
            headers=nso("ES"),
        )
        assert evaluated.status_code == 200, evaluated.text
        assert evaluated.json()["status"] == "GRANTED"

        [granted] = await awards.eventually_emitted("awards.nql.granted", application_id=mine["id"])
        assert granted["payload"]["total"] == 30
        assert granted["payload"]["scores"] == PERFECT
        assert all(check["passed"] for check in granted["payload"]["explanation"])
        assert granted["correlation_id"]
        [issued] = await awards.eventually_emitted(
            "awards.certificate.issued", application_id=mine["id"]
        )
        assert len(await awards.emitted("awards.nql.applied", application_id=mine["id"])) == 1
        code = issued["payload"]["verification_code"]

        [label] = (
            await awards.http.get("/nql/labels", params={"project_id": "p-net"}, headers=operator())
        ).json()
        assert (label["teacher_id"], label["certificate_code"]) == ("t-es", code)
        assert label["decision"]["explanation"][0]["rule"] == "R-NQL-5"
        assert (await awards.http.get("/nql/queue", headers=nso("ES"))).json() == []

        verified = await awards.http.get(f"/certificates/{code.lower()}")
        assert verified.status_code == 200
        assert verified.json()["teacher_name"] == "Ana García"
        assert verified.json()["project_title"] == "Project p-net"
        assert (await awards.http.get("/certificates/NQL-NOPE-NOPE-NOPE-NOPE")).status_code == 404

        download = await awards.http.get(
            f"/nql/applications/{mine['id']}/certificate.pdf", headers=teacher("t-es")
        )
        if HAS_PDF_LIBRARY:
            assert download.status_code == 200
            assert download.headers["content-type"] == "application/pdf"
            assert download.content.startswith(b"%PDF-")
        else:
            assert download.status_code == 503
        someone_else = await awards.http.get(
            f"/nql/applications/{mine['id']}/certificate.pdf", headers=teacher("t-pt")
        )
        assert someone_else.status_code == 403

        await awards.publish(TeacherErased(teacher_id="t-es"))

        async def name_erased() -> bool:
            body = (await awards.http.get(f"/certificates/{code}")).json()
            return "erased" in str(body["teacher_name"])

        await eventually(name_erased, seconds=15, what="erasure reaches the certificate")
        await wait_queue_drained(vhost, "awards.events", seconds=15)
        outbox = awards.app.state.runtime.database["outbox"]

        async def outbox_drained() -> bool:
            pending: int = await outbox.count_documents({"status": "pending"})
            return pending == 0

        await eventually(outbox_drained, seconds=15, what="outbox drained")
