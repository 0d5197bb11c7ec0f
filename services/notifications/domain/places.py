"""Countries named in the reader's language ("España", "Espagne"), never by their code: CLDR
territory names through Babel, or the English names of shared/countries.toml without it."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from shared.countries import participating_countries

# Payload fields that hold a country code, or a list of them (nested ones flattened with `_`).
COUNTRY_LISTS = ("awaiting_nso_of", "countries")


def is_country_field(key: str) -> bool:
    return key == "country" or key.endswith("_country") or key in COUNTRY_LISTS


@cache
def _territories(language: str) -> dict[str, str]:
    try:
        from babel import Locale, UnknownLocaleError
    except ImportError:  # pragma: no cover - babel is installed with the service
        return {}
    try:
        return dict(Locale.parse(language.replace("-", "_")).territories)
    except (ValueError, UnknownLocaleError):
        return dict(Locale.parse("en").territories)


def country_name(code: str, language: str) -> str:
    """The country's name in `language`; its English name, then its code, as fallbacks."""
    name = _territories(language).get(code)
    if name:
        return name
    known = participating_countries().get(code)
    return known.name if known else code


def country_names(codes: Iterable[str], language: str) -> str:
    return ", ".join(country_name(code, language) for code in codes)


def language_of_country(code: str) -> str:
    """The first official language of a country (CLDR), for a reader whose own language is
    not known (a school head); the templates fall back to English where none is shipped."""
    try:
        from babel.languages import get_official_languages
    except ImportError:  # pragma: no cover - babel is installed with the service
        return "en"
    languages = get_official_languages(code, de_facto=True)
    return str(languages[0]).split("_")[0] if languages else "en"
