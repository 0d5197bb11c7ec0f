"""Write the event contract under docs/: `python -m tools.asyncapi [--check]`.

docs/asyncapi/platform.json and docs/asyncapi/<service>.json (AsyncAPI 3), and
docs/schemas/<event_type>.v<version>.json (JSON Schema of each message). `--check` exits 1
when a committed file differs from what the code generates.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from services.awards.bootstrap import definition as awards
from services.notifications.bootstrap import definition as notifications
from services.projects.bootstrap import definition as projects
from services.registration.bootstrap import definition as registration
from shared.contract import event_json_schema, platform_document, service_document
from shared.events import CATALOG
from shared.runtime import ServiceDefinition, service_contract

DOCS = Path(__file__).resolve().parent.parent / "docs"


def definitions() -> list[ServiceDefinition]:
    return [registration(), projects(), awards(), notifications()]


def expected_files() -> dict[Path, dict[str, Any]]:
    contracts = [service_contract(definition) for definition in definitions()]
    files: dict[Path, dict[str, Any]] = {
        DOCS / "asyncapi" / "platform.json": platform_document(contracts)
    }
    for contract in contracts:
        files[DOCS / "asyncapi" / f"{contract.name}.json"] = service_document(contract)
    for model in CATALOG:
        name = f"{model.event_type}.v{model.event_version}.json"
        files[DOCS / "schemas" / name] = event_json_schema(model)
    return files


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def stale_files() -> list[Path]:
    expected = expected_files()
    stale = [p for p, doc in expected.items() if not p.exists() or p.read_text() != render(doc)]
    schema_dir = DOCS / "schemas"
    if schema_dir.exists():
        stale += [p for p in schema_dir.glob("*.json") if p not in expected]
    return stale


def write() -> None:
    expected = expected_files()
    for path in (DOCS / "schemas").glob("*.json") if (DOCS / "schemas").exists() else []:
        if path not in expected:
            path.unlink()
    for path, document in expected.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(document))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if docs/ is stale")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files()
        for path in stale:
            print(f"stale: {path.relative_to(DOCS.parent)}", file=sys.stderr)
        if stale:
            print("run `make contract` to regenerate", file=sys.stderr)
        return 1 if stale else 0
    write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
