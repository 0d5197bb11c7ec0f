"""The official AsyncAPI parser (npm @asyncapi/parser, tools/contract-check/) accepts every
AsyncAPI document under docs/asyncapi/ with no error and no warning.

Needs node and `npm ci --ignore-scripts` in tools/contract-check (`.ci/run` does both). Without
them the test is skipped, unless CONTRACT_CHECK_REQUIRED=1 (set by `.ci/run`) makes it fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tools import asyncapi

CHECKER = asyncapi.DOCS.parent / "tools" / "contract-check"
DOCUMENTS = sorted((asyncapi.DOCS / "asyncapi").glob("*.json"))


def _checker_missing() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not (CHECKER / "node_modules" / "@asyncapi" / "parser").is_dir():
        return f"run `npm ci --ignore-scripts` in {CHECKER}"
    return None


def run_parser(*paths: str) -> tuple[int, list[dict[str, Any]]]:
    missing = _checker_missing()
    if missing:
        if os.environ.get("CONTRACT_CHECK_REQUIRED") == "1":
            pytest.fail(f"the AsyncAPI parser is required here: {missing}")
        pytest.skip(missing)
    result = subprocess.run(
        ["node", str(CHECKER / "check.mjs"), *paths],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    reports = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(reports) == len(paths), result.stderr
    return result.returncode, reports


@pytest.fixture(scope="module")
def parsed(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, dict[str, Any]]]:
    """One run of the parser (node starts in seconds) over every document and a broken one."""
    document = json.loads((asyncapi.DOCS / "asyncapi" / "registration.json").read_text())
    document["channels"]["broken"] = {"address": 42}
    broken = tmp_path_factory.mktemp("contract") / "broken.json"
    broken.write_text(json.dumps(document))
    code, reports = run_parser(*(str(path) for path in DOCUMENTS), str(broken))
    return code, {Path(report["file"]).name: report for report in reports}


def test_the_parser_accepts_every_document(
    parsed: tuple[int, dict[str, dict[str, Any]]],
) -> None:
    _, reports = parsed
    published = {name: report for name, report in reports.items() if name != "broken.json"}
    assert set(published) == {path.name for path in DOCUMENTS}
    serious = [
        (name, diagnostic)
        for name, report in published.items()
        for diagnostic in report["diagnostics"]
        if diagnostic["severity"] in ("error", "warning")
    ]
    assert serious == []
    assert {report["asyncapi"] for report in published.values()} == {"3.1.0"}


def test_the_parser_refuses_a_broken_document(
    parsed: tuple[int, dict[str, dict[str, Any]]],
) -> None:
    code, reports = parsed
    assert code == 1  # the broken document fails the run, and only it has errors
    assert any(d["severity"] == "error" for d in reports["broken.json"]["diagnostics"])
