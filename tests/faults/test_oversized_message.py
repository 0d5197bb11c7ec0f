"""Scenario 7, the case tests/integration/test_core_reliability.py does not cover: an
oversized message is dead-lettered on its first attempt while good messages keep flowing."""

from __future__ import annotations

import json

import pytest
from faststream.rabbit import RabbitBroker

from shared.messaging.consumer import MAX_MESSAGE_BYTES
from shared.messaging.failures import ATTEMPTS_HEADER, REASON_HEADER
from shared.runtime import create_app
from shared.settings import ServiceSettings
from tests.support.invariants import (
    Database,
    assert_invariants,
    wait_for_effects,
    wait_until_quiet,
)
from tests.support.probes import (
    envelope_of,
    publish_envelope,
    publish_raw,
    record_effect,
    service_definition,
    teacher_registered,
)
from tests.support.servers import Vhost
from tests.support.services import running, service_settings

pytestmark = pytest.mark.integration


async def test_an_oversized_message_is_dead_lettered_at_once_and_others_flow(
    vhost: Vhost,
    mongodb_url: str,
    database_prefix: str,
    bus: RabbitBroker,
    databases: dict[str, Database],
) -> None:
    settings = ServiceSettings(
        **service_settings(
            "notifications", amqp_url=vhost.url, mongodb_url=mongodb_url, prefix=database_prefix
        )
    )
    app = create_app(service_definition(settings, {teacher_registered().event_type: record_effect}))
    oversized = envelope_of(teacher_registered("t-big"))
    document = json.loads(oversized.model_dump_json())
    document["payload"]["padding"] = "x" * MAX_MESSAGE_BYTES  # a valid event, just too big
    before, after = (envelope_of(teacher_registered(f"t-{n}")) for n in (1, 2))
    effects = {"notifications": (databases["notifications"], [before.event_id, after.event_id])}

    async with running(app):
        await publish_envelope(bus, before)
        await publish_raw(
            bus,
            json.dumps(document).encode(),
            routing_key=oversized.event_type,
            message_id=str(oversized.event_id),
        )
        await publish_envelope(bus, after)
        await wait_for_effects(effects)
        await wait_until_quiet(vhost)

    dead = await assert_invariants(
        vhost, effects=effects, dead_lettered={"notifications": [str(oversized.event_id)]}
    )
    headers = dead["notifications.dlq"][0].headers
    assert headers[REASON_HEADER] == "oversized"
    assert headers[ATTEMPTS_HEADER] == 1
