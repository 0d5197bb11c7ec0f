"""Mail templates as files: templates/<language>/<name>.{subject,txt,html}. Adding a language
is adding a folder; a missing language falls back to English."""

from __future__ import annotations

from html import escape
from pathlib import Path
from string import Template

from services.notifications.domain.messages import RenderedMail

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
FALLBACK_LANGUAGE = "en"


def available_languages() -> set[str]:
    return {path.name for path in TEMPLATES.iterdir() if path.is_dir()}


def render(
    name: str, language: str, values: dict[str, str], html_values: dict[str, str] | None = None
) -> RenderedMail:
    """`values` are escaped in HTML; `html_values` are HTML the caller built and escaped."""
    folder = _folder_for(name, language)
    escaped = {k: escape(v) for k, v in values.items()} | (html_values or {})
    return RenderedMail(
        subject=_fill(folder / f"{name}.subject", values).strip(),
        text=_fill(folder / f"{name}.txt", values),
        html=_fill(folder / f"{name}.html", escaped),
    )


def _folder_for(name: str, language: str) -> Path:
    for candidate in (language, language.split("-")[0], FALLBACK_LANGUAGE):
        folder = TEMPLATES / candidate
        if (folder / f"{name}.subject").exists():
            return folder
    raise LookupError(f"no template {name!r} in {language!r} or {FALLBACK_LANGUAGE!r}")


def _fill(path: Path, values: dict[str, str]) -> str:
    return Template(path.read_text(encoding="utf-8")).substitute(values)
