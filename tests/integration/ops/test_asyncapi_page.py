"""Each service serves its AsyncAPI document as a self-contained page at GET /asyncapi, with
every channel, operation and message of the document, and working links to the schemas."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import httpx
import pytest

from services.awards.bootstrap import definition as awards
from services.notifications.bootstrap import definition as notifications
from services.projects.bootstrap import definition as projects
from services.registration.bootstrap import build_app as registration_app
from services.registration.bootstrap import definition as registration
from services.registration.config import RegistrationSettings
from shared.runtime import ServiceDefinition, create_app
from tests.support.servers import Vhost
from tests.support.services import running, service_settings

pytestmark = [pytest.mark.integration]


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[str] = []
        self.sources: list[str] = []
        self.ids: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(str(attributes["id"]))
        if tag == "a" and attributes.get("href"):
            self.links.append(str(attributes["href"]))
        if attributes.get("src"):
            self.sources.append(str(attributes["src"]))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parsed(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


async def test_registration_serves_its_page(
    vhost: Vhost, mongodb_url: str, database_prefix: str
) -> None:
    settings = service_settings(
        "registration", amqp_url=vhost.url, mongodb_url=mongodb_url, prefix=database_prefix
    )
    async with running(registration_app(RegistrationSettings(**settings))) as client:
        response = await client.get("/asyncapi")
        document = (await client.get("/asyncapi.json")).json()
        page = _parsed(response.text)
        schema_links = [link for link in page.links if link.startswith("events/")]
        schemas = {link: (await client.get(f"/{link}")) for link in schema_links}

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    # Self-contained: nothing loaded from elsewhere, no script at all.
    assert "script" not in page.tags and page.sources == []
    assert not [link for link in page.links if "//" in link]
    text = " ".join(page.text)
    assert document["info"]["title"] in text
    # Every channel and operation of the same document, with send and receive told apart.
    for key, channel in document["channels"].items():
        assert key in page.ids and channel["address"] in text
    assert len([t for t in page.text if t == "send"]) == 2 * sum(
        1 for op in document["operations"].values() if op["action"] == "send"
    )  # once in the operations table, once in the channel's section
    assert any(op["action"] == "receive" for op in document["operations"].values())
    assert "receive" in page.text
    # Each message links to its JSON Schema, and each link answers with that schema.
    names = {message["name"] for message in document["components"]["messages"].values()}
    assert {link.split("/")[1] for link in schema_links} == names
    for link, answer in schemas.items():
        assert answer.status_code == 200, link
        assert answer.json()["properties"]["event_type"]["const"] == link.split("/")[1]
    # Headers and bindings are shown: the version header and the AMQP message type.
    assert "x-event-version" in text and "messageType" in text
    assert "teacher_id" in text  # a payload field of registration.teacher.registered


@pytest.mark.parametrize("definition", [registration, projects, awards, notifications])
async def test_every_service_page_lists_its_events(definition: Any) -> None:
    service: ServiceDefinition = definition()
    app = create_app(service)  # the routes only: no lifespan, no servers
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        page = _parsed((await client.get("/asyncapi")).text)
        listed = (await client.get("/events")).json()
    text = " ".join(page.text)
    for event in (*listed["publishes"], *listed["consumes"]):
        assert event["event_type"] in text
        assert event["schema"].lstrip("/") in page.links
