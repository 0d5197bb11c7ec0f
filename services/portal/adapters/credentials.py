"""Which bearer token the portal sends to the services for the signed-in person.

`ProviderBearer` forwards the provider's access token (services verify it against the
provider's keys). `DevBearer` mints the services' development HS256 token from the person's
ID-token claims: it serves while the services only verify those tokens, and in tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol

from services.portal.adapters.sessions import PortalSession
from shared.http.auth import ROLES, Principal, mint_token


class BearerSource(Protocol):
    def bearer_for(self, session: PortalSession) -> str | None: ...


class ProviderBearer:
    def bearer_for(self, session: PortalSession) -> str | None:
        return session.access_token


class DevBearer:
    def __init__(self, secret: str, issuer: str) -> None:
        self._secret = secret
        self._issuer = issuer

    def bearer_for(self, session: PortalSession) -> str | None:
        person = session.person
        if person is None or person.role not in ROLES:
            return None
        principal = Principal(
            subject=person.subject,
            role=person.role,
            teacher_id=person.teacher_id,
            country=person.country,
        )
        return mint_token(
            principal, secret=self._secret, issuer=self._issuer, ttl=timedelta(hours=1)
        )
