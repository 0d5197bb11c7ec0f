"""docs/errors.md is generated from the code registry, and is up to date; the registry names
the refusals a client must tell apart."""

from __future__ import annotations

from shared.errors import ERROR_CODES
from tools import error_catalog


def test_the_catalog_is_up_to_date() -> None:
    assert error_catalog.main(["--check"]) == 0, "run python -m tools.error_catalog"


def test_every_refusal_has_its_own_code() -> None:
    error_catalog.codes_by_part()
    assert "domain_rule_violation" not in ERROR_CODES
    for kind in ERROR_CODES.values():
        assert 400 <= kind.status <= 599 and kind.title and kind.meaning, kind
        assert kind.code.isidentifier() and kind.code.islower(), kind
        assert kind.rule is None or kind.rule.startswith("R-"), kind
