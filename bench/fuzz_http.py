"""Schemathesis against the four services with many examples: the test suite's run
(tests/integration/fuzz/test_schemathesis.py, 6 examples per operation) made larger. Prints
ONE line of JSON: requests sent, answers 5xx, per service and per status, wall time.

    .venv/bin/python -m bench.fuzz_http --examples 100      # ~6 min on a build machine

Each operation gets positive (valid by the document) and negative (invalid somewhere) cases,
sent as a caller the route lets in (now and then another role). Needs the local RabbitMQ
(the test makes its vhost); SecantusDB is started by the test session.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=100, help="per operation (default 100)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "fuzz.json"
        env = {**os.environ, "FUZZ_EXAMPLES": str(args.examples), "FUZZ_REPORT": str(report)}
        started = time.monotonic()
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "tests/integration/fuzz", "-q", "-p", "no:randomly"],
            cwd=ROOT,
            env=env,
            stdout=sys.stderr,
        )
        elapsed = time.monotonic() - started
        figures = json.loads(report.read_text()) if report.exists() else {}
    print(
        json.dumps(
            {
                "benchmark": "fuzz_http",
                "examples_per_operation": args.examples,
                **figures,
                "findings": "none" if run.returncode == 0 else "see stderr",
                "seconds": round(elapsed, 1),
            }
        )
    )
    return run.returncode


if __name__ == "__main__":
    raise SystemExit(main())
