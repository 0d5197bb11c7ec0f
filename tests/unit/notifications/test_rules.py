"""The rule book (rules.json) as data: each rule of issue 7 selects the expected recipients."""

from __future__ import annotations

import pytest

from services.notifications.adapters.rules_file import load_rules
from services.notifications.adapters.webhook_subscriptions import SubscriptionCache
from services.notifications.domain.locale import default_date_formatter
from services.notifications.domain.rules import (
    ProjectMembers,
    RuleBook,
    Staff,
    Teachers,
    values_at,
)
from services.notifications.service_layer.handlers import build_handlers
from services.notifications.service_layer.read_models import READ_MODEL_UPDATES
from shared.events import CATALOG
from shared.messaging.consumer import IdempotentHandler
from tests.support import notifications_helpers as sample

RULES = load_rules()


def _recipients(event_type: str, payload: dict[str, object]) -> dict[str, list[object]]:
    return {rule.id: rule.recipients_of(payload) for rule in RULES.matching(event_type, payload)}


def test_every_rule_reads_an_event_of_the_catalog() -> None:
    assert RULES.event_types() <= CATALOG.event_types()


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (sample.teacher_registered("t-es"), {"teacher-registered-to-nso": [Staff("nso", ("ES",))]}),
        (sample.teacher_validated("t-es"), {"teacher-validated-to-teacher": [Teachers(("t-es",))]}),
        (sample.teacher_rejected("t-es"), {"teacher-rejected-to-teacher": [Teachers(("t-es",))]}),
        (sample.project_proposed(), {"project-proposed-to-cofounder": [Teachers(("t-pt",))]}),
        (
            sample.cofounder_responded(accepted=True),
            {
                "cofounder-accepted-to-founder": [Teachers(("t-es",))],
                "project-pending-approval-to-nso": [Staff("nso", ("ES", "PT"))],
            },
        ),
        (
            sample.cofounder_responded(accepted=False),
            {"cofounder-declined-to-founder": [Teachers(("t-es",))]},
        ),
        (
            sample.project_activated(),
            {"project-activated-to-members": [Teachers(("t-es", "t-pt"))]},
        ),
        (
            sample.project_rejected(),
            {"project-rejected-to-members": [ProjectMembers(sample.PROJECT)]},
        ),
        (sample.partner_invited(), {"partner-invited-to-invitee": [Teachers(("t-tr",))]}),
        (
            sample.partner_joined(),
            {"partner-joined-to-members": [ProjectMembers(sample.PROJECT)]},
        ),
        (
            sample.project_completed(),
            {"project-completed-to-members": [Teachers(("t-es", "t-pt", "t-tr"))]},
        ),
        (
            sample.nql_application_opened("t-pt"),
            {"nql-application-opened-to-teacher": [Teachers(("t-pt",))]},
        ),
    ],
    ids=lambda value: getattr(value, "event_type", ""),
)
def test_each_event_notifies_whom_the_issue_says(event: object, expected: object) -> None:
    payload = event.model_dump(mode="json")  # type: ignore[attr-defined]
    assert _recipients(event.event_type, payload) == expected  # type: ignore[attr-defined]


def test_an_event_without_a_rule_notifies_nobody() -> None:
    assert RULES.matching("projects.project.archived", {"project_id": "p"}) == []


def test_paths_walk_nested_fields_and_lists() -> None:
    payload = {"a": {"b": "x"}, "items": [{"id": 1}, {"id": 2}], "ids": ["u", "v"], "n": None}
    assert values_at(payload, "a.b") == ["x"]
    assert values_at(payload, "items[].id") == [1, 2]
    assert values_at(payload, "ids") == ["u", "v"]
    assert values_at(payload, "n") == []
    assert values_at(payload, "missing.field") == []


def test_a_rule_with_an_unknown_channel_or_selector_is_refused() -> None:
    base = {"id": "r", "event_type": "x.y", "template": "t", "recipients": [{"teachers": "id"}]}
    with pytest.raises(ValueError, match="channels"):
        RuleBook.from_data({"rules": [{**base, "channels": ["pigeon"]}]})
    with pytest.raises(ValueError, match="selector"):
        RuleBook.from_data({"rules": [{**base, "channels": ["email"], "recipients": [{"x": 1}]}]})


def test_css_selector_names_every_css_staff_member() -> None:
    book = RuleBook.from_data(
        {
            "rules": [
                {
                    "id": "r",
                    "event_type": "x.y",
                    "template": "t",
                    "channels": ["inbox"],
                    "recipients": [{"css": True}],
                }
            ]
        }
    )
    assert book.rules[0].recipients_of({}) == [Staff("css")]


def test_only_events_that_update_no_read_model_are_handled_without_a_transaction() -> None:
    """A read model is read, then written, ordered by occurred_at: concurrent messages need
    the transaction. The rules' writes alone are upserts keyed by the event."""
    handlers = build_handlers(load_rules(), default_date_formatter(), SubscriptionCache(5))
    without_transaction = {t for t, h in handlers.items() if isinstance(h, IdempotentHandler)}

    assert without_transaction == set(handlers) - set(READ_MODEL_UPDATES)
    assert "awards.nql.application_opened" in without_transaction
    assert "projects.project.completed" not in without_transaction
