"""`GET /me`: the caller as this service sees them (role, country, linked teacher). The portal
shows it; operators use it to check a provider's groups map as intended."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from shared.http.auth import Principal, authenticated

me_router = APIRouter(tags=["identity"])


@me_router.get("/me")
async def who_am_i(principal: Annotated[Principal, Depends(authenticated)]) -> Principal:
    return principal
