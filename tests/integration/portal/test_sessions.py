"""Portal sessions in the portal's own MongoDB database: a session made by one portal process
is served by another (a second replica, or the same after a restart), the cookie carries only
its signed id, and an expired or ended session is gone."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from services.portal.adapters.sessions import SESSIONS, MongoSessionStore, new_session
from services.portal.bootstrap import build_app
from services.portal.config import PortalSettings

pytestmark = [pytest.mark.integration]


def _portal(mongodb_url: str, database: str) -> httpx.AsyncClient:
    settings = PortalSettings(mongodb_url=mongodb_url, mongodb_database=database)
    transport = httpx.ASGITransport(app=build_app(settings))
    return httpx.AsyncClient(transport=transport, base_url="http://portal")


async def test_a_session_made_by_one_replica_is_served_by_another(
    mongodb_url: str, database_prefix: str, mongo_client: AsyncMongoClient[Any]
) -> None:
    database = f"{database_prefix}_portal"
    async with _portal(mongodb_url, database) as first, _portal(mongodb_url, database) as second:
        page = await first.get("/signed-out")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf is not None
        switched = await first.post(
            "/language", data={"csrf_token": csrf[1], "language": "fr", "next": "/signed-out"}
        )
        assert switched.status_code == 303
        cookie = first.cookies["portal_session"]
        assert csrf[1] not in cookie  # the cookie has the signed id, not the session

        second.cookies.set("portal_session", cookie)
        answer = await second.get("/signed-out")
        assert 'lang="fr"' in answer.text  # the language chosen on the other replica
        assert csrf[1] in answer.text  # and the same session's CSRF token

    stored = await mongo_client[database][SESSIONS].find_one({"csrf_token": csrf[1]})
    assert stored is not None and stored["language"] == "fr"
    assert stored["expires_at"].timestamp() > time.time() + 3600


async def test_an_expired_or_ended_session_is_gone(
    database_prefix: str, mongo_client: AsyncMongoClient[Any]
) -> None:
    store = MongoSessionStore(mongo_client[f"{database_prefix}_portal"][SESSIONS], 60)
    await store.ensure_indexes()
    live, expired = new_session(60), new_session(60)
    expired.expires_at = time.time() - 1
    for session in (live, expired):
        await store.save(session)
    assert await store.load(expired.id) is None
    loaded = await store.load(live.id)
    assert loaded is not None and loaded.csrf_token == live.csrf_token
    await store.end(live.id)
    assert await store.load(live.id) is None
