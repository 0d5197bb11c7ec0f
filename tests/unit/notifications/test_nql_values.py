"""NQL decisions explained in the recipient's language: one line per check with its numbers,
the failed ones saying by how much; phrases are files, one per language, like templates."""

from __future__ import annotations

import json
from typing import Any

import pytest

from services.notifications.adapters.nql_values import (
    PHRASES_FILE,
    applied_values,
    decision_values,
    phrases,
)
from services.notifications.adapters.templates import TEMPLATES, available_languages
from services.notifications.domain.locale import BuiltinLocaleFormatter
from shared.events.base import EventPayload
from tests.support import notifications_helpers as sample

NUMBERS = BuiltinLocaleFormatter()
NBSP = "\u00a0"


def payload_of(event: EventPayload) -> dict[str, Any]:
    return event.model_dump(mode="json")


def test_a_refusal_lists_every_check_and_by_how_much_the_failed_ones_missed() -> None:
    values, html = decision_values(payload_of(sample.nql_refused("t-de")), "de", NUMBERS)

    assert values["explanation"].splitlines() == [
        "- Auswahl und Einsatz der IKT (aller digitalen Werkzeuge): 2 (mindestens 1) — erfüllt",
        "- DSGVO, Urheberrecht und Online-Sicherheit: 0 (mindestens 1) — 1 unter dem Minimum",
        "- Gesamt: 12 von 30 Punkten (mindestens 15) — 3 unter dem Minimum",
    ]
    assert values["summary"] == (
        f"12 von 30 Punkten (40{NBSP}%); 2 von 3 Anforderungen nicht erfüllt."
    )
    assert values["reapplication_allowed"] == "Sie können sich erneut bewerben (R-NQL-6)."
    assert (
        html["explanation"].startswith("<ul><li>Auswahl") and html["explanation"].count("<li>") == 3
    )


def test_a_grant_says_every_requirement_was_met_with_the_locales_percent() -> None:
    values, _ = decision_values(payload_of(sample.nql_granted("t-tr")), "tr", NUMBERS)

    assert values["summary"] == "30 üzerinden 23 puan (%77); tüm koşullar karşılandı."
    assert "reapplication_allowed" not in values


def test_a_refusal_without_a_second_chance_says_so() -> None:
    event = sample.nql_refused("t-es", reapplication_allowed=False)
    values, _ = decision_values(payload_of(event), "es", NUMBERS)

    assert values["reapplication_allowed"].startswith("Las normas de tu país no permiten")


def test_an_unknown_sub_criterion_keeps_the_rubrics_own_title() -> None:
    payload = payload_of(sample.nql_refused("t-es"))
    payload["explanation"] = [
        payload_of(sample.decision_check("key_minimum:drama", 2, 1))
        | {"description": "key sub-criterion: Drama and performance"}
    ]
    values, _ = decision_values(payload, "it", NUMBERS)

    assert values["explanation"] == "- Drama and performance: 1 (minimo 2) — 1 sotto il minimo"


def test_an_application_tells_the_nso_whether_it_follows_a_refusal() -> None:
    first, _ = applied_values(payload_of(sample.nql_applied("t-pt")), "pt", NUMBERS)
    again, _ = applied_values(payload_of(sample.nql_applied("t-pt", True)), "pt", NUMBERS)

    assert first["reapplication"] == "Primeira candidatura para este projeto."
    assert again["reapplication"] == "Nova candidatura após uma recusa (R-NQL-6)."


def test_an_unknown_language_reads_english() -> None:
    assert phrases("nl") == phrases("en")
    assert phrases("es-ES")["met"] == "cumplido"


@pytest.mark.parametrize("language", sorted(available_languages()))
def test_every_language_has_every_phrase_and_criterion_translated(language: str) -> None:
    english = json.loads((TEMPLATES / "en" / PHRASES_FILE).read_text(encoding="utf-8"))
    own = json.loads((TEMPLATES / language / PHRASES_FILE).read_text(encoding="utf-8"))

    assert set(own) == set(english)
    assert set(own["criteria"]) == set(english["criteria"])
    if language != "en":
        assert own["met"] != english["met"] and own["criteria"] != english["criteria"]
