"""The participating countries (R-REG-6), read once from `shared/countries.toml`: which
country codes may register, whether an NSO or a PSA supports them, and since when."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

COUNTRIES_FILE = Path(__file__).resolve().parent / "countries.toml"
SupportKind = Literal["NSO", "PSA"]


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    support: SupportKind
    group: str
    joined: str | None = None  # "YYYY-MM" where a source gives it
    note: str | None = None


def load_countries(path: Path = COUNTRIES_FILE) -> dict[str, Country]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    countries: dict[str, Country] = {}
    for code, entry in data.items():
        if entry["support"] not in ("NSO", "PSA"):
            raise ValueError(f"{path}: {code} has support {entry['support']!r}, not NSO or PSA")
        countries[code] = Country(
            code, entry["name"], entry["support"], entry["group"], entry.get("joined"),
            entry.get("note"),
        )  # fmt: skip
    return countries


@cache
def participating_countries() -> dict[str, Country]:
    return load_countries()
