"""Notices people act on (issue 15, item 14): each links to where its reader acts (one table of
portal paths), names countries in the reader's language, and the rule book's missing notices
exist: the school head asked to confirm (R-REG-3), the school change to the new NSO
(R-REG-5), the withdrawn project to the co-founder (R-PRJ-3), "under review" to the NQL
applicant (R-NQL-5), the capped application to the teacher with when to apply again
(R-NQL-3)."""

from __future__ import annotations

import pytest

from services.notifications.adapters.action_links import load_action_links
from services.notifications.adapters.nql_values import not_evaluated_values
from services.notifications.adapters.rules_file import load_rules
from services.notifications.adapters.templates import TEMPLATES, available_languages, render
from services.notifications.domain.locale import BuiltinDateFormatter
from services.notifications.domain.rules import Address, Staff, Teachers
from services.notifications.service_layer.handlers import _countries_named, _flatten
from tests.support import notifications_helpers as sample

RULES = load_rules()
LINKS = load_action_links("https://portal.example/")


def only_rule(event_type: str, payload: dict[str, object], template: str) -> object:
    [rule] = [r for r in RULES.matching(event_type, payload) if r.template == template]
    return rule


def test_every_notice_offering_a_link_has_a_path_and_every_path_a_notice() -> None:
    offering = {
        path.stem
        for language in available_languages()
        for path in (TEMPLATES / language).glob("*.txt")
        if "$action_url" in path.read_text(encoding="utf-8")
    }
    assert offering == set(LINKS.paths)
    assert set(LINKS.paths) <= RULES.templates()


@pytest.mark.parametrize("rule", [r for r in RULES.rules if r.template in LINKS.paths],
                         ids=lambda r: r.id)  # fmt: skip
def test_each_link_is_built_from_fields_its_event_carries(rule: object) -> None:
    payload = sample.sample_of(rule.event_type).model_dump(mode="json")  # type: ignore[attr-defined]
    assert LINKS.fields_of(rule.template) <= set(payload)  # type: ignore[attr-defined]
    url = LINKS.url_for(rule.template, payload)  # type: ignore[attr-defined]
    assert url is not None and url.startswith("https://portal.example/")
    assert "{" not in url and "//" not in url.removeprefix("https://")


def test_the_paths_are_the_portals_and_values_are_quoted() -> None:
    assert LINKS.url_for("teacher_registered", {}) == "https://portal.example/nso/validations"
    assert LINKS.url_for("nql_applied", {"application_id": "nql-1"}) == (
        "https://portal.example/nso/evaluations/nql-1"
    )
    assert LINKS.url_for("project_proposed", {"project_id": "a/b c"}) == (
        "https://portal.example/projects/a%2Fb%20c"
    )
    assert LINKS.url_for("project_activated", {"project_id": "p"}) is None  # asks no act


@pytest.mark.parametrize(("language", "spain", "both"), [
    ("es", "España", "España, Portugal"), ("fr", "Espagne", "Espagne, Portugal"),
    ("tr", "İspanya", "İspanya, Portekiz"), ("de", "Spanien", "Spanien, Portugal"),
])  # fmt: skip
def test_countries_are_named_in_the_readers_language(language: str, spain: str, both: str) -> None:
    named = _countries_named({"country": "ES", "awaiting_nso_of": ["ES", "PT"]}, language)
    assert named == {"country": spain, "awaiting_nso_of": both}


def test_r_reg_3_the_nso_is_named_not_coded_in_a_spanish_mail() -> None:
    event = sample.nql_applied("t-es")
    values = _flatten(event.model_dump(), "es", BuiltinDateFormatter())
    values |= _countries_named(event.model_dump(), "es") | {
        "name": "SNA", "reapplication": "", "action_url": "https://portal.example/x",
    }  # fmt: skip
    mail = render("nql_applied", "es", values)
    assert "Servicio Nacional de Apoyo de España" in mail.text
    assert "de ES" not in mail.text


def test_r_reg_3_the_school_head_is_asked_by_mail_with_the_confirmation_link() -> None:
    event = sample.head_confirmation_requested("t-es")
    payload = event.model_dump(mode="json")
    rule = only_rule(event.event_type, payload, "head_confirmation_requested")
    assert rule.recipients_of(payload) == [  # type: ignore[attr-defined]
        Address("direccion@school.example", "Marta Ruiz", "es")
    ]
    assert rule.channels == {"email"}  # type: ignore[attr-defined]
    assert LINKS.url_for("head_confirmation_requested", payload) == (
        "https://portal.example/head-confirmations/a-secret-confirmation-token"
    )


def test_r_reg_5_a_school_change_is_told_to_the_new_schools_nso() -> None:
    event = sample.school_changed("t-es", to_school="s-de")
    payload = event.model_dump(mode="json")
    rule = only_rule(event.event_type, payload, "teacher_school_changed")
    assert rule.recipients_of(payload) == [Staff("nso", ("DE",))]  # type: ignore[attr-defined]


def test_r_prj_3_a_withdrawn_project_is_told_to_the_other_founder_only() -> None:
    for by, told in (("t-es", "t-pt"), ("t-pt", "t-es")):
        payload = sample.project_withdrawn(by).model_dump(mode="json")
        rule = only_rule("projects.project.withdrawn", payload, "project_withdrawn")
        assert rule.recipients_of(payload) == [Teachers((told,))]  # type: ignore[attr-defined]


def test_r_nql_5_the_applicant_is_told_the_application_is_under_review() -> None:
    payload = sample.nql_applied("t-tr").model_dump(mode="json")
    rule = only_rule("awards.nql.applied", payload, "nql_under_review")
    assert rule.recipients_of(payload) == [Teachers(("t-tr",))]  # type: ignore[attr-defined]
    assert LINKS.url_for("nql_under_review", payload) == (
        f"https://portal.example/nql/{payload['application_id']}"
    )


def test_r_nql_3_a_capped_application_says_from_when_it_may_be_submitted_again() -> None:
    event = sample.nql_not_evaluated("t-es")
    payload = event.model_dump(mode="json")
    rule = only_rule(event.event_type, payload, "nql_not_evaluated")
    assert rule.recipients_of(payload) == [Teachers(("t-es",))]  # type: ignore[attr-defined]
    derived, _ = not_evaluated_values(payload, "es", BuiltinDateFormatter())
    assert derived["may_apply_again_from"] == "1 de septiembre de 2026"  # next school year
    given = payload | {"may_apply_again_from": "2026-09-15"}  # as awards says it, when it does
    assert (
        not_evaluated_values(given, "en", BuiltinDateFormatter())[0]["may_apply_again_from"]
        == "September 15, 2026"
    )
    values = _flatten(event.model_dump(), "es", BuiltinDateFormatter()) | derived | {
        "recipient_name": "Lucía", "project_title": "NETWORK",
        "action_url": LINKS.url_for("nql_not_evaluated", payload) or "",
    }  # fmt: skip
    mail = render("nql_not_evaluated", "es", values)
    assert "a partir del 1 de septiembre de 2026" in mail.text
    assert "https://portal.example/nql/nql-t-es-5" in mail.text


def test_r_sch_2_the_school_head_is_asked_in_the_countrys_language_with_the_awards_link() -> None:
    event = sample.school_label_head_asked()
    payload = event.model_dump(mode="json")
    rule = only_rule(event.event_type, payload, "school_label_head_confirmation")
    assert rule.recipients_of(payload) == [  # type: ignore[attr-defined]
        Address("direcao@pt.example", "Rui Costa", "pt")  # PT's language: no account to ask
    ]
    values = _flatten(event.model_dump(), "pt", BuiltinDateFormatter())
    values |= _countries_named(payload, "pt") | {"recipient_name": "Rui Costa"}
    mail = render("school_label_head_confirmation", "pt", values)
    assert payload["confirm_url"] in mail.text and "10 de março de 2026" in mail.text
    assert "Serviço Nacional de Apoio de Portugal" in mail.text
