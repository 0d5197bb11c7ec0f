"""The portal in the eight languages the notifications speak: gettext catalogs (.po files
under services/portal/locales, compiled in memory at start) and Babel's dates and numbers.

The language of a page: the one chosen with the switch, else the person's profile language,
else the browser's Accept-Language, else English."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from babel import Locale, negotiate_locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

LANGUAGES = ("en", "es", "pt", "tr", "fr", "de", "it", "ca")
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"


def load_translations() -> dict[str, Translations]:
    found: dict[str, Translations] = {}
    for language in LANGUAGES:
        po_path = LOCALES_DIR / language / "LC_MESSAGES" / "messages.po"
        if not po_path.exists():
            found[language] = Translations()
            continue
        with po_path.open("rb") as po:
            catalog = read_po(po, locale=language)
        mo = io.BytesIO()
        write_mo(mo, catalog)
        mo.seek(0)
        found[language] = Translations(fp=mo)
    return found


def browser_language(accept_language: str | None) -> str | None:
    if not accept_language:
        return None
    preferred = []
    for part in accept_language.split(","):
        tag, _, quality = part.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            weight = 0.0
        if tag:
            preferred.append((weight, tag.strip().replace("-", "_")))
    ordered = [tag for _, tag in sorted(preferred, key=lambda item: -item[0])]
    return negotiate_locale(ordered, list(LANGUAGES), sep="_") or next(
        (lang for tag in ordered for lang in LANGUAGES if tag.lower().startswith(lang)), None
    )


def page_language(chosen: str | None, profile: str | None, accept_language: str | None) -> str:
    for candidate in (chosen, profile, browser_language(accept_language)):
        if candidate in LANGUAGES:
            return candidate
    return "en"


@dataclass(frozen=True)
class Localizer:
    """What a template gets: `_` and the locale's formats."""

    language: str
    translations: Translations

    def gettext(self, message: str, **values: Any) -> str:
        text = self.translations.gettext(message)
        return text % values if values else text

    def date(self, value: datetime | str | None) -> str:
        moment = _moment(value)
        return format_date(moment, format="medium", locale=self.language) if moment else ""

    def datetime(self, value: datetime | str | None) -> str:
        moment = _moment(value)
        return format_datetime(moment, format="short", locale=self.language) if moment else ""

    def number(self, value: float | int | None) -> str:
        return "" if value is None else format_decimal(value, locale=self.language)

    @staticmethod
    def language_name(language: str) -> str:
        name: str = Locale.parse(language).get_display_name(language) or language
        return name[:1].upper() + name[1:]


def _moment(value: datetime | str | None) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
