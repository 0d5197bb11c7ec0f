"""The 46 participating countries (etwinning-rules.md §1.4, as of Feb 2024) and who validates
their teachers (R-REG-3, R-REG-6). Data, not logic: a country joining is a line here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SupportKind = Literal["NSO", "PSA"]


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    support: SupportKind


_NSO = {
    "AT": "Austria", "BE": "Belgium", "BG": "Bulgaria", "HR": "Croatia", "CY": "Cyprus",
    "CZ": "Czechia", "DK": "Denmark", "EE": "Estonia", "FI": "Finland", "FR": "France",
    "DE": "Germany", "GR": "Greece", "HU": "Hungary", "IE": "Ireland", "IT": "Italy",
    "LV": "Latvia", "LT": "Lithuania", "LU": "Luxembourg", "MT": "Malta", "NL": "Netherlands",
    "PL": "Poland", "PT": "Portugal", "RO": "Romania", "SK": "Slovakia", "SI": "Slovenia",
    "ES": "Spain", "SE": "Sweden",
    "IS": "Iceland", "LI": "Liechtenstein", "NO": "Norway", "MK": "North Macedonia",
    "RS": "Serbia", "TR": "Türkiye",
    "AL": "Albania", "BA": "Bosnia and Herzegovina", "ME": "Montenegro", "XK": "Kosovo",
}  # fmt: skip
_PSA = {
    "AM": "Armenia", "AZ": "Azerbaijan", "GE": "Georgia", "MD": "Moldova", "UA": "Ukraine",
    "TN": "Tunisia", "JO": "Jordan", "LB": "Lebanon", "PS": "Palestine",
}  # fmt: skip

PARTICIPATING_COUNTRIES: dict[str, Country] = {
    **{code: Country(code, name, "NSO") for code, name in _NSO.items()},
    **{code: Country(code, name, "PSA") for code, name in _PSA.items()},
}


def is_participating(code: str) -> bool:
    return code in PARTICIPATING_COUNTRIES
