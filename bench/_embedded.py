"""What several benchmarks share: the embedded SecantusDB and percentiles."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager


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


@contextmanager
def server_process(storage: str) -> Iterator[tuple[str, int]]:
    """SecantusDB in its own process (as in production the database is not in the service's
    process): the client's work runs on another core and its RSS is the client's alone.
    Yields the URL and the server's pid."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "secantus", "--port", str(port), "--storage-path", storage,
         "--log-level", "WARNING", "--cache-size", "2G"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("SecantusDB did not start") from None
                time.sleep(0.2)
        yield f"mongodb://127.0.0.1:{port}/?directConnection=true&retryWrites=false", process.pid
    finally:
        process.terminate()
        process.wait(timeout=60)


def peak_rss_mb(pid: int | str = "self") -> float:
    """VmHWM of a process (Linux), in MB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0
