"""Dates in the recipient's language (CLDR long format)."""

from __future__ import annotations

from datetime import date

import pytest

from services.notifications.domain.locale import BuiltinDateFormatter

DAY = date(2026, 4, 3)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "April 3, 2026"),
        ("es", "3 de abril de 2026"),
        ("ca", "3 d\u2019abril del 2026"),
        ("pt", "3 de abril de 2026"),
        ("tr", "3 Nisan 2026"),
        ("fr", "3 avril 2026"),
        ("de", "3. April 2026"),
        ("it", "3 aprile 2026"),
        ("pt-BR", "3 de abril de 2026"),
        ("nl", "April 3, 2026"),
    ],
)
def test_long_dates_follow_the_locale(language: str, expected: str) -> None:
    assert BuiltinDateFormatter().format_date(DAY, language) == expected


def test_catalan_keeps_de_before_a_consonant() -> None:
    assert BuiltinDateFormatter().format_date(date(2026, 3, 14), "ca") == "14 de març del 2026"
