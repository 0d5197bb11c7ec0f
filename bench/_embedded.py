"""What several benchmarks share: the embedded SecantusDB and percentiles."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


@asynccontextmanager
async def database_url(given: str | None) -> AsyncIterator[str]:
    """`given`, or an embedded SecantusDB for the run, connected with retryWrites=false (its
    retryable-write table makes writes O(n) otherwise)."""
    if given:
        yield given
        return
    from secantus import SecantusDBServer

    with (
        tempfile.TemporaryDirectory() as storage,
        SecantusDBServer(storage_path=storage, port=0) as server,
    ):
        yield server.uri + ("&" if "?" in server.uri else "?") + "retryWrites=false"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]
