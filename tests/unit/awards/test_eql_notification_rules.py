"""The notification rules of the EQL round and the prizes (services/notifications/rules.json):
the recipient of each EQL, the EQL holders of a winning project, the NSOs with candidates."""

from __future__ import annotations

from services.notifications.adapters.rules_file import load_rules
from services.notifications.domain.rules import Staff, Teachers
from tests.support.eql_helpers import eql_awarded, eql_round_opened, nominee_refused, prize_won

RULES = load_rules()


def recipients(event: object) -> dict[str, object]:
    payload = event.model_dump(mode="json")  # type: ignore[attr-defined]
    event_type = event.event_type  # type: ignore[attr-defined]
    return {rule.id: rule.recipients_of(payload) for rule in RULES.matching(event_type, payload)}


def test_each_eql_recipient_is_mailed() -> None:
    assert recipients(eql_awarded("t-pt", "PT")) == {
        "eql-awarded-to-recipient": [Teachers(("t-pt",))]
    }
    [rule] = RULES.matching("awards.eql.awarded", {})
    assert rule.channels == {"email", "inbox"}


def test_the_eql_holders_of_a_winning_project_are_mailed() -> None:
    assert recipients(prize_won()) == {"prize-won-to-eql-holders": [Teachers(("t-es", "t-pt"))]}


def test_the_nsos_with_candidates_hear_that_the_round_opened() -> None:
    assert recipients(eql_round_opened()) == {
        "eql-round-opened-to-nso": [Staff("nso", ("ES", "PT"))]
    }


def test_an_eql_certificate_is_not_announced_as_an_nql_certificate() -> None:
    def certificate(label: str) -> dict[str, object]:
        return {"teacher_id": "t-es", "label": label}

    nql_rules = RULES.matching("awards.certificate.issued", certificate("NQL"))
    assert [rule.id for rule in nql_rules] == ["nql-certificate-issued-to-teacher"]
    assert RULES.matching("awards.certificate.issued", certificate("EQL")) == []


def test_r_eql_5_the_nominating_nso_hears_that_the_css_refused_its_nominee() -> None:
    refused = nominee_refused()
    assert recipients(refused) == {"eql-nominee-refused-to-nominating-nso": [Staff("nso", ("PT",))]}
    [rule] = RULES.matching("awards.eql.nominee_refused", refused.model_dump(mode="json"))
    assert rule.channels == {"email", "inbox"}
