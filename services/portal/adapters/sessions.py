"""Server-side sessions: the browser's cookie holds only a signed session id; the tokens,
the person and the CSRF token stay here. In memory: one portal process per session store
(sticky sessions or one replica); a shared store is a drop-in for `SessionStore`."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Person:
    """Who is signed in, from the provider's ID-token claims (and registration, for teachers)."""

    subject: str
    name: str
    email: str | None
    role: str
    teacher_id: str | None = None
    country: str | None = None
    language: str | None = None


@dataclass
class PortalSession:
    id: str
    csrf_token: str
    expires_at: float
    person: Person | None = None
    access_token: str | None = None
    id_token: str | None = None
    language: str | None = None
    """Chosen with the language switch; wins over the profile's and the browser's."""
    notices: list[str] = field(default_factory=list)
    unread_cache: tuple[float, int | None] | None = None
    """The inbox's unread count and until when (monotonic) it may be shown as it is."""


class SessionStore:
    def __init__(self, lifetime_seconds: float) -> None:
        self._lifetime = lifetime_seconds
        self._sessions: dict[str, PortalSession] = {}

    def create(self) -> PortalSession:
        self._forget_expired()
        session = PortalSession(
            id=secrets.token_urlsafe(32),
            csrf_token=secrets.token_urlsafe(32),
            expires_at=time.time() + self._lifetime,
        )
        self._sessions[session.id] = session
        return session

    def get(self, session_id: str | None) -> PortalSession | None:
        if not session_id:
            return None
        session = self._sessions.get(session_id)
        if session is None or session.expires_at < time.time():
            self._sessions.pop(session_id, None)
            return None
        return session

    def end(self, session_id: str) -> None:
        self._sessions.pop(session_id, None)

    def _forget_expired(self) -> None:
        now = time.time()
        for key in [k for k, s in self._sessions.items() if s.expires_at < now]:
            del self._sessions[key]


class StateCache:
    """Authlib's cache for the sign-in state (state, nonce, PKCE code verifier): kept on the
    server, so the cookie carries only a marker of it."""

    def __init__(self) -> None:
        self._values: dict[str, tuple[float, Any]] = {}

    async def get(self, key: str) -> Any:
        found = self._values.get(key)
        if found is None or found[0] < time.time():
            return None
        return found[1]

    async def set(self, key: str, value: Any, expires: int | None = None) -> None:
        self._values[key] = (time.time() + (expires or 600), value)

    async def delete(self, key: str) -> None:
        self._values.pop(key, None)
