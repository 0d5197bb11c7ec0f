"""The participating countries and who validates their teachers (R-REG-3, R-REG-6). The list
is data (`shared/countries.toml`); this module only answers questions about it."""

from __future__ import annotations

from shared.countries import Country, SupportKind, participating_countries

__all__ = ["PARTICIPATING_COUNTRIES", "Country", "SupportKind", "is_participating"]

PARTICIPATING_COUNTRIES: dict[str, Country] = participating_countries()


def is_participating(code: str) -> bool:
    return code in PARTICIPATING_COUNTRIES
