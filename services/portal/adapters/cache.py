"""A small in-process cache with a time to live, for reads that may be a few seconds old:
the services' metrics (aggregate, the same for every operator) and a validated teacher's own
profile (a final status; served only to that teacher). Per process: a replica that misses
reads the service again, nothing is shared or stale for longer than the TTL."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

MAX_ENTRIES = 10_000


class TtlCache:
    def __init__(self, ttl_seconds: float) -> None:
        self._ttl = ttl_seconds
        self._values: dict[str, tuple[float, Any]] = {}

    def get(self, key: str) -> Any | None:
        found = self._values.get(key)
        if found is None or found[0] < time.monotonic():
            return None
        return found[1]

    def put(self, key: str, value: Any) -> None:
        if len(self._values) >= MAX_ENTRIES:
            now = time.monotonic()
            self._values = {k: v for k, v in self._values.items() if v[0] >= now}
            if len(self._values) >= MAX_ENTRIES:
                self._values.clear()
        self._values[key] = (time.monotonic() + self._ttl, value)

    async def get_or_read(
        self, key: str, read: Callable[[], Awaitable[Any]], *, keep: Callable[[Any], bool]
    ) -> Any:
        """The cached value, or `read()`'s, cached when `keep(value)` says it may be."""
        cached = self.get(key)
        if cached is not None:
            return cached
        value = await read()
        if value is not None and keep(value):
            self.put(key, value)
        return value
