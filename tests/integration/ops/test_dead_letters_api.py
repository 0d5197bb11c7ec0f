"""`GET /dead-letters` and `POST /dead-letters/redrive` on the real broker: a malformed message
and one whose handler failed are listed with reason, headers and body (peeking keeps them);
only an operator may call; redriving one leaves the other, and the redriven one is handled."""

from __future__ import annotations

from typing import Any

import pytest

from shared.envelope import EventEnvelope
from shared.errors import TransientError
from shared.runtime import create_app
from shared.settings import ServiceSettings
from shared.storage.unit_of_work import Transaction
from tests.support.probes import (
    effect_count,
    envelope_of,
    eventually,
    publish_envelope,
    publish_raw,
    record_effect,
    service_definition,
    teacher_registered,
)
from tests.support.problems import problem_code
from tests.support.registration_helpers import OPERATOR, TOKENS
from tests.support.servers import Vhost, connected_broker
from tests.support.services import running, service_settings

pytestmark = [pytest.mark.integration]
TEACHER_REGISTERED = "registration.teacher.registered"


class Outage:
    def __init__(self) -> None:
        self.down = True

    async def handler(self, payload: Any, envelope: EventEnvelope, tx: Transaction) -> None:
        if self.down:
            raise TransientError("the address book is unreachable")
        await record_effect(payload, envelope, tx)


async def test_dead_letters_are_listed_and_one_is_redriven(
    vhost: Vhost, mongodb_url: str, database_prefix: str
) -> None:
    outage = Outage()
    settings = ServiceSettings(
        **service_settings(
            "notifications", amqp_url=vhost.url, mongodb_url=mongodb_url,
            prefix=database_prefix, consumer_max_attempts=1,
        )
    )  # fmt: skip
    app = create_app(service_definition(settings, {TEACHER_REGISTERED: outage.handler}))
    failed = envelope_of(teacher_registered("tch_dead_api"))
    async with running(app) as http:
        broker = await connected_broker(vhost)
        await publish_raw(broker, b'{"event_id": "oops', routing_key=TEACHER_REGISTERED,
                          message_id="m-malformed")  # fmt: skip
        await publish_envelope(broker, failed)
        await broker.stop()

        async def listed() -> list[dict[str, Any]]:
            response = await http.get("/dead-letters", headers=OPERATOR)
            assert response.status_code == 200, response.text
            items: list[dict[str, Any]] = response.json()["items"]
            return items if len(items) == 2 else []

        items = {x["message_id"]: x for x in await eventually(listed, what="2 dead letters")}
        malformed = items["m-malformed"]
        assert malformed["reason"] == "invalid_json"
        assert malformed["body"] == '{"event_id": "oops'
        assert malformed["original_routing_key"] == TEACHER_REGISTERED
        assert malformed["headers"]["x-failed-service"] == "notifications"
        assert items[str(failed.event_id)]["reason"] == "retries_exhausted"
        assert "unreachable" in items[str(failed.event_id)]["detail"]
        assert len(await listed()) == 2  # listing peeks: nothing was taken

        teacher = TOKENS.header(subject="user-t", role="teacher", teacher_id="tch_1")
        refused = await http.get("/dead-letters", headers=teacher)
        assert (refused.status_code, problem_code(refused)) == (403, "forbidden_role")
        refused = await http.post(
            "/dead-letters/redrive", json={"message_ids": ["m-malformed"]}, headers=teacher
        )
        assert refused.status_code == 403
        empty = await http.post("/dead-letters/redrive", json={"message_ids": []},
                                headers=OPERATOR)  # fmt: skip
        assert empty.status_code == 422

        outage.down = False
        redriven = await http.post(
            "/dead-letters/redrive",
            json={"message_ids": [str(failed.event_id), "m-not-there"]},
            headers=OPERATOR,
        )
        assert redriven.status_code == 200, redriven.text
        assert redriven.json() == {"service": "notifications", "asked": 2, "redriven": 1}
        database = app.state.runtime.database
        await eventually(lambda: effect_count(database, failed.event_id), what="the effect")
        remaining = (await http.get("/dead-letters", headers=OPERATOR)).json()["items"]
        assert [x["message_id"] for x in remaining] == ["m-malformed"]


async def test_the_openapi_names_the_dead_letter_routes_with_their_problems(
    vhost: Vhost, mongodb_url: str, database_prefix: str
) -> None:
    settings = ServiceSettings(
        **service_settings("notifications", amqp_url=vhost.url, mongodb_url=mongodb_url,
                           prefix=database_prefix)
    )  # fmt: skip
    document = create_app(service_definition(settings)).openapi()
    redrive = document["paths"]["/dead-letters/redrive"]["post"]["responses"]
    assert {"401", "403", "422", "503"} <= set(redrive)
    assert {"401", "403", "503"} <= set(document["paths"]["/dead-letters"]["get"]["responses"])
