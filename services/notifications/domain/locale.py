"""Dates and numbers formatted for the recipient's language, behind one small interface.

Babel (CLDR data for every locale) is used when it is installed. Without it, the builtin
formatter covers the languages the templates ship in with the same CLDR patterns (long date,
decimal and percent formats), so a mail reads the same either way, and falls back to English
for the others.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Protocol


class DateFormatter(Protocol):
    def format_date(self, value: date, language: str) -> str: ...


class NumberFormatter(Protocol):
    def format_number(self, value: int | float, language: str) -> str: ...

    def format_percent(self, value: float, language: str) -> str:
        """`value` is a ratio: 0.78 is 78 %."""
        ...


class LocaleFormatter(DateFormatter, NumberFormatter, Protocol):
    pass


_APOSTROPHE = "\u2019"  # Catalan elides "de" before a vowel
_NBSP = "\u00a0"
_NARROW_NBSP = "\u202f"

# CLDR month names, in the form the long date format uses (genitive in Catalan).
_MONTHS: dict[str, tuple[str, ...]] = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre"),
    "ca": ("de gener", "de febrer", "de març", f"d{_APOSTROPHE}abril", "de maig", "de juny",
           "de juliol", f"d{_APOSTROPHE}agost", "de setembre", f"d{_APOSTROPHE}octubre",
           "de novembre", "de desembre"),
    "pt": ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto",
           "setembro", "outubro", "novembro", "dezembro"),
    "tr": ("Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos",
           "Eylül", "Ekim", "Kasım", "Aralık"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"),
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
           "September", "Oktober", "November", "Dezember"),
    "it": ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
           "settembre", "ottobre", "novembre", "dicembre"),
}  # fmt: skip

# CLDR long date patterns, with {d} day, {month} month name, {y} year.
_PATTERNS: dict[str, str] = {
    "en": "{month} {d}, {y}",
    "es": "{d} de {month} de {y}",
    "ca": "{d} {month} del {y}",
    "pt": "{d} de {month} de {y}",
    "tr": "{d} {month} {y}",
    "fr": "{d} {month} {y}",
    "de": "{d}. {month} {y}",
    "it": "{d} {month} {y}",
}

# CLDR number symbols (group, decimal) and percent patterns ({n} the rounded number).
_SYMBOLS: dict[str, tuple[str, str]] = {
    "en": (",", "."),
    "es": (".", ","),
    "ca": (".", ","),
    "pt": (".", ","),
    "tr": (".", ","),
    "fr": (_NARROW_NBSP, ","),
    "de": (".", ","),
    "it": (".", ","),
}
_PERCENT: dict[str, str] = {
    "en": "{n}%",
    "es": f"{{n}}{_NBSP}%",
    "ca": f"{{n}}{_NBSP}%",
    "pt": "{n}%",
    "tr": "%{n}",
    "fr": f"{{n}}{_NBSP}%",
    "de": f"{{n}}{_NBSP}%",
    "it": "{n}%",
}


def _base(language: str) -> str:
    base = language.replace("_", "-").split("-")[0].lower()
    return base if base in _PATTERNS else "en"


def _decimal(value: int | float, places: int) -> tuple[str, str, str]:
    """Sign, integer digits and fraction digits (trailing zeros dropped), rounded half-even
    to `places` as CLDR's `#,##0.###` pattern does."""
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_EVEN)
    sign = "-" if rounded < 0 else ""
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    return sign, whole, fraction.rstrip("0")


def _grouped(digits: str, separator: str) -> str:
    groups: list[str] = []
    while len(digits) > 3:
        digits, group = digits[:-3], digits[-3:]
        groups.insert(0, group)
    return separator.join([digits, *groups])


class BuiltinLocaleFormatter:
    def format_date(self, value: date, language: str) -> str:
        base = _base(language)
        month = _MONTHS[base][value.month - 1]
        return _PATTERNS[base].format(d=value.day, month=month, y=value.year)

    def format_number(self, value: int | float, language: str) -> str:
        group, decimal = _SYMBOLS[_base(language)]
        sign, whole, fraction = _decimal(value, 3)
        return sign + _grouped(whole, group) + (decimal + fraction if fraction else "")

    def format_percent(self, value: float, language: str) -> str:
        base = _base(language)
        sign, whole, _ = _decimal(value * 100, 0)
        return sign + _PERCENT[base].format(n=_grouped(whole, _SYMBOLS[base][0]))


class BabelLocaleFormatter:
    """CLDR's formats for any locale; needs the `babel` package."""

    def format_date(self, value: date, language: str) -> str:
        from babel.dates import format_date

        return str(format_date(value, format="long", locale=self._locale(language)))

    def format_number(self, value: int | float, language: str) -> str:
        from babel.numbers import format_decimal

        return str(format_decimal(value, locale=self._locale(language)))

    def format_percent(self, value: float, language: str) -> str:
        from babel.numbers import format_percent

        return str(format_percent(value, locale=self._locale(language)))

    @staticmethod
    def _locale(language: str) -> str:
        from babel import Locale, UnknownLocaleError

        tag = language.replace("-", "_")
        try:
            Locale.parse(tag)
        except (ValueError, UnknownLocaleError):
            return "en"
        return tag


# The names the service first knew them by: dates were all they formatted.
BuiltinDateFormatter = BuiltinLocaleFormatter
BabelDateFormatter = BabelLocaleFormatter


def default_locale_formatter() -> LocaleFormatter:
    try:
        import babel.numbers  # noqa: F401
    except ImportError:
        return BuiltinLocaleFormatter()
    return BabelLocaleFormatter()


default_date_formatter = default_locale_formatter


def as_date(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value
