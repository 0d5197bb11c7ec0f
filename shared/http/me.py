"""`GET /me`: the caller as this service sees them (role, country, linked teacher). The portal
shows it; operators use it to check that a provider's groups map as intended."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from shared.http.access import SHARED, Grant
from shared.http.auth import Principal

me_router = APIRouter(tags=["identity"])


@me_router.get("/me")
async def who_am_i(grant: Annotated[Grant, SHARED.grant("identity.me")]) -> Principal:
    assert grant.principal is not None  # not a public entry: the guard authenticated
    return grant.principal
