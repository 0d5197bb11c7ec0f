"""Server-side sessions: the browser's cookie holds only a signed session id; the tokens,
the person and the CSRF token stay on the server, in the portal's own MongoDB database
(`etw_portal`, no service's), so a session survives a restart and any replica serves it.

A request loads its session once (`load`) and saves it once at its end if it changed
(`save`); expiry is checked on every read, and a TTL index removes expired documents.
`MemorySessionStore` keeps them in the process (unit tests, one replica without MongoDB)."""

from __future__ import annotations

import secrets
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from pymongo.asynchronous.collection import AsyncCollection

SESSIONS = "sessions"
SIGN_IN_STATES = "sign_in_states"


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
    """The inbox's unread count and until when (epoch seconds) it may be shown as it is."""

    def document(self) -> dict[str, Any]:
        fields = asdict(self)
        fields["_id"] = fields.pop("id")
        fields["expires_at"] = datetime.fromtimestamp(self.expires_at, UTC)
        fields["unread_cache"] = list(self.unread_cache) if self.unread_cache else None
        return fields

    @classmethod
    def of(cls, document: dict[str, Any]) -> PortalSession:
        person = document.get("person")
        cache = document.get("unread_cache")
        expires = document["expires_at"]
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=UTC)
        return cls(
            id=document["_id"],
            csrf_token=document["csrf_token"],
            expires_at=expires.timestamp(),
            person=Person(**person) if person else None,
            access_token=document.get("access_token"),
            id_token=document.get("id_token"),
            language=document.get("language"),
            notices=list(document.get("notices") or []),
            unread_cache=(float(cache[0]), cache[1]) if cache else None,
        )


def new_session(lifetime_seconds: float) -> PortalSession:
    return PortalSession(
        id=secrets.token_urlsafe(32),
        csrf_token=secrets.token_urlsafe(32),
        expires_at=time.time() + lifetime_seconds,
    )


class SessionStore(Protocol):
    lifetime_seconds: float

    async def load(self, session_id: str | None) -> PortalSession | None: ...
    async def save(self, session: PortalSession) -> None: ...
    async def end(self, session_id: str) -> None: ...


class MemorySessionStore:
    def __init__(self, lifetime_seconds: float) -> None:
        self.lifetime_seconds = lifetime_seconds
        self._sessions: dict[str, dict[str, Any]] = {}

    async def load(self, session_id: str | None) -> PortalSession | None:
        found = self._sessions.get(session_id or "")
        if found is None or found["expires_at"].timestamp() < time.time():
            return None
        return PortalSession.of(found)

    async def save(self, session: PortalSession) -> None:
        now = time.time()
        for key in [k for k, s in self._sessions.items() if s["expires_at"].timestamp() < now]:
            del self._sessions[key]
        self._sessions[session.id] = session.document()

    async def end(self, session_id: str) -> None:
        self._sessions.pop(session_id, None)


class MongoSessionStore:
    def __init__(self, collection: AsyncCollection[Any], lifetime_seconds: float) -> None:
        self.lifetime_seconds = lifetime_seconds
        self._sessions = collection

    async def ensure_indexes(self) -> None:
        await self._sessions.create_index("expires_at", expireAfterSeconds=0)

    async def load(self, session_id: str | None) -> PortalSession | None:
        if not session_id:
            return None
        found = await self._sessions.find_one(
            {"_id": session_id, "expires_at": {"$gt": datetime.now(UTC)}}
        )
        return PortalSession.of(found) if found else None

    async def save(self, session: PortalSession) -> None:
        document = session.document()
        await self._sessions.replace_one({"_id": document["_id"]}, document, upsert=True)

    async def end(self, session_id: str) -> None:
        await self._sessions.delete_one({"_id": session_id})


class StateCache:
    """Authlib's cache for the sign-in state (state, nonce, PKCE code verifier): kept on the
    server, so the cookie carries only a marker of it. In memory, or in the portal's database
    when given a collection (the provider's callback may reach another replica)."""

    def __init__(self, collection: AsyncCollection[Any] | None = None) -> None:
        self._values: dict[str, tuple[float, Any]] = {}
        self._collection = collection

    async def get(self, key: str) -> Any:
        if self._collection is not None:
            found = await self._collection.find_one({"_id": key})
            if found is None or found["until"] < time.time():
                return None
            return found["value"]
        value = self._values.get(key)
        if value is None or value[0] < time.time():
            return None
        return value[1]

    async def set(self, key: str, value: Any, expires: int | None = None) -> None:
        until = time.time() + (expires or 600)
        if self._collection is not None:
            document = {"_id": key, "until": until, "value": value}
            await self._collection.replace_one({"_id": key}, document, upsert=True)
            return
        self._values[key] = (until, value)

    async def delete(self, key: str) -> None:
        if self._collection is not None:
            await self._collection.delete_one({"_id": key})
            return
        self._values.pop(key, None)
