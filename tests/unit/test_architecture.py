"""The layout's rules, checked over the source so that a shortcut fails a test, not a review:
routes reach the database only through their service's adapters (queries/views modules,
repositories), and no domain, service-layer or route code reads the wall clock (each service
takes its clock from its composition root, so tests can set the time). Adapters are not
checked: their lease and retry bookkeeping (shared/storage/leases.py `utcnow`) must be the
wall clock every replica shares, whatever time a test sets for the rules."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ROOT / "services"

# What a MongoDB collection (or a transaction handing one out) answers to.
COLLECTION_METHODS = frozenset(
    {
        "aggregate", "bulk_write", "count_documents", "delete_many", "delete_one", "distinct",
        "estimated_document_count", "find", "find_one", "find_one_and_delete",
        "find_one_and_replace", "find_one_and_update", "insert_many", "insert_one",
        "replace_one", "update_many", "update_one", "collection", "get_collection",
    }
)  # fmt: skip


def _modules(*layers: str) -> list[Path]:
    """Every module of these layers, in each service and in each awards label's package."""
    found: set[Path] = set()
    for layer in layers:
        found.update(SERVICES.glob(f"*/{layer}/**/*.py"))
        found.update(SERVICES.glob(f"awards/*/{layer}/**/*.py"))
    return sorted(found)


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _method_called(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def collection_use(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, what) for each `….database[…]` and each collection method called."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and _name(node.value) == "database":
            yield node.lineno, "database[...]"
        method = _method_called(node)
        if method in COLLECTION_METHODS:
            yield getattr(node, "lineno", 0), f".{method}(...)"


def wall_clock_reads(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, what) for each `datetime.now(…)`, `….utcnow()`, `date.today()` or `time.time()`."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "utcnow":
            yield node.lineno, "utcnow()"
        if isinstance(func, ast.Attribute):
            owner = _name(func.value)
            if func.attr == "utcnow" or (func.attr, owner) in {
                ("now", "datetime"),
                ("today", "date"),
                ("today", "datetime"),
                ("time", "time"),
            }:
                yield node.lineno, f"{owner}.{func.attr}()"


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


ENTRYPOINTS = _modules("entrypoints")
CLOCKED_LAYERS = _modules("domain", "service_layer", "entrypoints")


def test_the_rules_see_every_service() -> None:
    services = {path.relative_to(SERVICES).parts[0] for path in ENTRYPOINTS}
    assert {"awards", "notifications", "projects", "registration"} <= services
    assert any("/awards/nql/entrypoints/" in str(path) for path in ENTRYPOINTS)


@pytest.mark.parametrize("module", ENTRYPOINTS, ids=_relative)
def test_routes_reach_collections_only_through_adapters(module: Path) -> None:
    found = list(collection_use(ast.parse(module.read_text(), str(module))))
    assert found == [], f"{_relative(module)} touches a collection: move it to adapters/queries"


@pytest.mark.parametrize("module", CLOCKED_LAYERS, ids=_relative)
def test_no_wall_clock_outside_adapters(module: Path) -> None:
    found = list(wall_clock_reads(ast.parse(module.read_text(), str(module))))
    assert found == [], f"{_relative(module)} reads the wall clock: use the service's Clock"


def test_the_checks_catch_what_they_look_for() -> None:
    route = ast.parse(
        "async def f(request):\n"
        "    await runtime_of(request).database[STAFF].find_one({})\n"
        "    await tx.collection(STAFF).insert_one({})\n"
        "    at = datetime.now(UTC)\n"
        "    also = utcnow()\n"
    )
    assert sorted(what for _, what in collection_use(route)) == [
        ".collection(...)", ".find_one(...)", ".insert_one(...)", "database[...]",
    ]  # fmt: skip
    assert sorted(what for _, what in wall_clock_reads(route)) == ["datetime.now()", "utcnow()"]
