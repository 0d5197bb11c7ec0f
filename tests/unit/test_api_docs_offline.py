"""/docs (Swagger UI) and /redoc (ReDoc) open without internet: every script, stylesheet and
icon the pages load is a path on the service itself, and the service serves it.

FastAPI's defaults load them from cdn.jsdelivr.net, and the pages render blank on a machine
without internet (build machines, many school-authority networks).
"""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser

import httpx
import pytest

from services.awards.bootstrap import definition as awards
from services.notifications.bootstrap import definition as notifications
from services.projects.bootstrap import definition as projects
from services.registration.bootstrap import definition as registration
from shared.runtime import ServiceDefinition, create_app


class Assets(HTMLParser):
    """The URLs a page makes the browser load: script src, link href (stylesheet, icon)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script" and attributes.get("src"):
            self.urls.append(str(attributes["src"]))
        if tag == "link" and attributes.get("href"):
            self.urls.append(str(attributes["href"]))


def assets_of(html: str) -> list[str]:
    parser = Assets()
    parser.feed(html)
    return parser.urls


EXPECTED_TYPES = {".js": "javascript", ".css": "text/css", ".png": "image/png"}


@pytest.mark.parametrize("definition", [registration, projects, awards, notifications])
@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_the_docs_pages_load_only_what_the_service_serves(
    definition: Callable[[], ServiceDefinition], page: str
) -> None:
    app = create_app(definition())  # the routes only: no lifespan, no servers
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        response = await client.get(page)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        urls = assets_of(response.text)
        assert urls, "the page loads its script from somewhere"
        assert "cdn." not in response.text and "fonts.googleapis" not in response.text
        for url in urls:
            assert url.startswith("/") and not url.startswith("//"), url
            asset = await client.get(url)
            assert asset.status_code == 200, url
            assert len(asset.content) > 1000, url
            suffix = url[url.rfind(".") :]
            assert EXPECTED_TYPES[suffix] in asset.headers["content-type"], url
        # The page's script reads the service's own OpenAPI document.
        assert "/openapi.json" in response.text
        assert (await client.get("/openapi.json")).status_code == 200


async def test_swagger_ui_loads_its_bundle_and_stylesheet_locally() -> None:
    app = create_app(registration())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        docs = assets_of((await client.get("/docs")).text)
        redoc = assets_of((await client.get("/redoc")).text)
    assert any(url.endswith("/swagger-ui-bundle.js") for url in docs)
    assert any(url.endswith("/swagger-ui.css") for url in docs)
    assert any(url.endswith("/redoc.standalone.js") for url in redoc)
