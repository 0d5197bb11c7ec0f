"""Who hears about a National Quality Label: the rule book's NQL rules."""

from __future__ import annotations

from services.notifications.adapters.rules_file import load_rules
from services.notifications.domain.rules import Staff, Teachers
from tests.support import notifications_helpers as sample

RULES = load_rules()


def rule_ids(event_type: str, payload: dict[str, object]) -> list[str]:
    return [rule.id for rule in RULES.matching(event_type, payload)]


def test_an_application_goes_to_the_nso_of_the_applicants_country_and_is_under_review() -> None:
    payload = sample.nql_applied("t-pt").model_dump(mode="json")
    to_nso, to_applicant = RULES.matching("awards.nql.applied", payload)

    assert to_nso.recipients_of(payload) == [Staff("nso", ("PT",))]
    assert to_nso.channels == {"email", "inbox"}
    assert to_applicant.template == "nql_under_review"
    assert to_applicant.recipients_of(payload) == [Teachers(("t-pt",))]


def test_a_decision_and_an_nql_certificate_go_to_the_teacher_by_email() -> None:
    for event in (
        sample.nql_granted("t-es"),
        sample.nql_refused("t-es"),
        sample.certificate_issued("t-es"),
    ):
        payload = event.model_dump(mode="json")
        [rule] = RULES.matching(event.event_type, payload)
        assert rule.recipients_of(payload) == [Teachers(("t-es",))]
        assert "email" in rule.channels


def test_an_eql_certificate_is_not_announced_as_an_nql_one() -> None:
    payload = sample.certificate_issued("t-es").model_dump(mode="json") | {"label": "EQL"}

    assert "nql-certificate-issued-to-teacher" not in rule_ids("awards.certificate.issued", payload)
