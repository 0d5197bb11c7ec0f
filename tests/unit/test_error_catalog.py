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


def test_every_code_raised_by_name_is_registered() -> None:
    """`HttpProblem(403, "code", ...)` and `reason="code"` name codes as strings; each must be
    in the registry (so in docs/errors.md), with the status it is raised with."""
    import re
    from pathlib import Path

    error_catalog.codes_by_part()
    root = Path(error_catalog.__file__).resolve().parent.parent
    by_name = re.compile(r'HttpProblem\(\s*(\d{3}),\s*"([a-z_]+)"')
    by_reason = re.compile(r'NotFound\([^)]*reason="([a-z_]+)"')
    found = 0
    for path in [*root.glob("shared/**/*.py"), *root.glob("services/**/*.py")]:
        text = path.read_text()
        for status, code in by_name.findall(text):
            found += 1
            assert code in ERROR_CODES, f"{path}: {code} is not registered"
            assert ERROR_CODES[code].status == int(status), f"{path}: {code} status"
        for code in by_reason.findall(text):
            found += 1
            assert code in ERROR_CODES, f"{path}: {code} is not registered"
    assert found > 5
