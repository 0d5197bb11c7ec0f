"""Numbers and percentages in the recipient's language, the same with Babel or without it."""

from __future__ import annotations

import sys
from datetime import date

import pytest

from services.notifications.domain.locale import (
    BabelLocaleFormatter,
    BuiltinLocaleFormatter,
    default_locale_formatter,
)

NNBSP, NBSP = "\u202f", "\u00a0"
LANGUAGES = ("en", "es", "ca", "pt", "tr", "fr", "de", "it")


@pytest.mark.parametrize(
    ("language", "number", "percent"),
    [
        ("en", "1,234.5", "78%"),
        ("es", "1.234,5", f"78{NBSP}%"),
        ("ca", "1.234,5", f"78{NBSP}%"),
        ("pt", "1.234,5", "78%"),
        ("tr", "1.234,5", "%78"),
        ("fr", f"1{NNBSP}234,5", f"78{NBSP}%"),
        ("de", "1.234,5", f"78{NBSP}%"),
        ("it", "1.234,5", "78%"),
        ("de-AT", "1.234,5", f"78{NBSP}%"),
        ("nl-XX", "1,234.5", "78%"),
    ],
)
def test_builtin_numbers_follow_cldr(language: str, number: str, percent: str) -> None:
    formatter = BuiltinLocaleFormatter()
    assert formatter.format_number(1234.5, language) == number
    assert formatter.format_percent(23 / 30 + 0.0134, language) == percent


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, "0"), (7, "7"), (-3, "-3"), (1000, "1,000"), (1234567, "1,234,567"), (2.0005, "2")],
)
def test_builtin_numbers_round_like_cldrs_pattern(value: float, expected: str) -> None:
    assert BuiltinLocaleFormatter().format_number(value, "en") == expected


@pytest.mark.parametrize("language", LANGUAGES)
def test_babel_and_the_builtin_formatter_agree_on_the_shipped_languages(language: str) -> None:
    pytest.importorskip("babel")
    babel, builtin = BabelLocaleFormatter(), BuiltinLocaleFormatter()
    for number in (0, 3, -3, 30, 1234.5, 1234567, 0.125):
        assert builtin.format_number(number, language) == babel.format_number(number, language)
    for ratio in (0, 0.4, 23 / 30, 1, 0.005):
        assert builtin.format_percent(ratio, language) == babel.format_percent(ratio, language)
    for day in (date(2026, 4, 3), date(2026, 3, 14), date(2025, 8, 1)):
        assert builtin.format_date(day, language) == babel.format_date(day, language)


def test_babel_falls_back_to_english_for_an_unknown_locale() -> None:
    pytest.importorskip("babel")
    assert BabelLocaleFormatter().format_number(1234.5, "xx") == "1,234.5"


def test_without_babel_the_builtin_formatter_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "babel.numbers", None)  # `import babel.numbers` fails
    assert isinstance(default_locale_formatter(), BuiltinLocaleFormatter)


def test_with_babel_babel_is_used() -> None:
    pytest.importorskip("babel.numbers")
    assert isinstance(default_locale_formatter(), BabelLocaleFormatter)
