"""Templates are files: every template of the rule book exists in every shipped language,
renders with the values its rule gives it, and a missing language falls back to English."""

from __future__ import annotations

import pytest

from services.notifications.adapters.nql_values import VALUES_BY_EVENT_TYPE
from services.notifications.adapters.rules_file import load_rules
from services.notifications.adapters.templates import TEMPLATES, available_languages, render
from services.notifications.domain.locale import BuiltinDateFormatter
from services.notifications.service_layer.handlers import _flatten
from tests.support import notifications_helpers as sample

LANGUAGES = {"en", "es", "ca", "pt", "tr", "fr", "de", "it"}
RULES = load_rules()
TEMPLATE_NAMES = sorted(RULES.templates() | {"daily_digest"})


def test_the_eight_languages_of_the_issue_are_shipped() -> None:
    assert available_languages() >= LANGUAGES


@pytest.mark.parametrize("language", sorted(available_languages()))
@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_every_template_exists_in_every_language(name: str, language: str) -> None:
    for suffix in ("subject", "txt", "html"):
        assert (TEMPLATES / language / f"{name}.{suffix}").is_file(), f"{language}/{name}.{suffix}"


@pytest.mark.parametrize("language", sorted(available_languages()))
@pytest.mark.parametrize("rule", RULES.rules, ids=lambda rule: rule.id)
def test_every_template_renders_with_the_values_of_its_event(rule: object, language: str) -> None:
    event = sample.sample_of(rule.event_type)  # type: ignore[attr-defined]
    values = _flatten(event.model_dump(), language, BuiltinDateFormatter())
    values |= {"recipient_name": "Ana", "project_title": sample.TITLE, "school_name": "S",
               "occurred_on": "today", "name": values.get("name", "Ana"),
               "action_url": "https://portal.example/act"}  # fmt: skip
    html_values: dict[str, str] = {}
    if (localised := VALUES_BY_EVENT_TYPE.get(event.event_type)) is not None:  # as the handler
        more, html_values = localised(
            event.model_dump(mode="json"), language, BuiltinDateFormatter()
        )
        values |= more
    mail = render(rule.template, language, values, html_values)  # type: ignore[attr-defined]
    assert mail.subject and "\n" not in mail.subject
    assert "Ana" in mail.text and "$" not in mail.text
    assert "<p>" in mail.html


def test_an_unknown_language_falls_back_to_english() -> None:
    values = {"recipient_name": "Ana", "project_title": "NETWORK", "completed_at": "x"}
    assert render("project_completed", "nl", values) == render("project_completed", "en", values)


def test_a_regional_tag_uses_its_language() -> None:
    values = {"recipient_name": "Ana", "project_title": "NETWORK", "completed_at": "x"}
    assert render("project_completed", "es-ES", values).subject == '"NETWORK" ha finalizado'


def test_values_are_escaped_in_html_only() -> None:
    values = {"recipient_name": "<Ana>", "project_title": "A & B", "completed_at": "x"}
    mail = render("project_completed", "en", values)
    assert "A &amp; B" in mail.html and "&lt;Ana&gt;" in mail.html
    assert "A & B" in mail.text


@pytest.mark.parametrize("language", sorted(available_languages()))
def test_the_daily_digest_lists_its_items_in_every_language(language: str) -> None:
    values = {"recipient_name": "Ana", "date": "today", "count": "2", "items": "- a\n- b"}
    mail = render("daily_digest", language, values, {"items_html": "<li>a</li><li>b</li>"})
    assert "2" in mail.subject and "- a\n- b" in mail.text
    assert "<li>a</li><li>b</li>" in mail.html
