"""A SecantusDB server of one test's own, which the test can stop and start again on the
same port and data directory: the database really goes away."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.support.processes import free_port
from tests.support.servers import with_retry_writes_off

# Configured like the fault suite's shared server (a 3 s transaction lifetime, see
# tests/faults/conftest.py::mongodb_url; secantusd-py has no option for it), in a process of
# its own so that the test can stop it.
_SERVE = """
import signal, sys, threading
from secantus import SecantusDBServer
stopping = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stopping.set())
with SecantusDBServer(
    host="127.0.0.1", port=int(sys.argv[1]), storage_path=sys.argv[2],
    transaction_lifetime_seconds=3,
):
    stopping.wait()
"""


class RestartableSecantus:
    def __init__(self, data_dir: Path, log_path: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self._log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None

    def url(self, **options: str) -> str:
        query = "".join(f"&{key}={value}" for key, value in options.items())
        return with_retry_writes_off(f"mongodb://127.0.0.1:{self.port}/") + query

    def start(self) -> None:
        with self._log_path.open("ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-c", _SERVE, str(self.port), str(self.data_dir)],
                stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + 30
        while not _accepts(self.port):
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"SecantusDB did not start: {self._log_path.read_text()}")
            time.sleep(0.05)

    def stop(self) -> None:
        """A clean shutdown (SIGTERM): the server is gone, committed data stays on disk."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None


def _accepts(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0
