"""The School Label policy file: the shipped one loads with the rules' defaults and rounds;
a broken one is refused at start-up; the notification rules tell whom R-SCH-2 says."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from services.awards.config import DEFAULT_SCHOOL_LABEL_POLICY, AwardsSettings
from services.awards.school_label.adapters.policy_file import load_school_label_policy
from services.notifications.adapters.rules_file import load_rules
from services.notifications.domain.rules import Teachers
from tests.support.school_label_helpers import school_label_decided, school_label_eligible


def test_the_shipped_policy_has_the_thresholds_of_r_sch_1_and_the_published_rounds() -> None:
    policy = load_school_label_policy(DEFAULT_SCHOOL_LABEL_POLICY)

    thresholds = policy.thresholds
    assert (thresholds.years_registered, thresholds.min_active_teachers) == (2, 3)
    assert (thresholds.nql_lookback_years, thresholds.label_years) == (2, 2)
    round_2025 = policy.round(2025)
    assert round_2025.registered_on_or_before == date(2023, 1, 9)
    assert round_2025.teachers_active_since == date(2023, 1, 9)
    assert (round_2025.nql_granted_from, round_2025.nql_granted_until) == (
        date(2022, 11, 9),
        date(2025, 1, 16),
    )
    assert policy.round(2026).registered_on_or_before == date(2024, 2, 12)


def test_the_settings_point_at_the_shipped_policy_unless_told_otherwise(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert AwardsSettings().school_label_policy_path == DEFAULT_SCHOOL_LABEL_POLICY
    monkeypatch.setenv("SCHOOL_LABEL_POLICY_PATH", str(tmp_path / "p.toml"))
    assert AwardsSettings().school_label_policy_path == tmp_path / "p.toml"


@pytest.mark.parametrize(
    "broken",
    [
        "[thresholds]\nmin_active_teachers = 0\n[rounds.2025]\nopens = 2025-01-20\n",
        '[thresholds]\nactivity_signals = ["tweeted"]\n',
        "[rounds.2025]\nregistered_on_or_before = 2023-01-09\n",
        "[rounds.2025]\nopens = 2025-01-20\nnql_granted_from = 2025-02-01\n",
        "[rounds.2025]\nopens = 2025-01-20\nregistered_on_or_before = 2025-02-01\n",
        "[thresholds]\nunknown_setting = 1\n",
    ],
)
def test_a_broken_policy_is_refused_when_loaded(broken: str, tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(broken, encoding="utf-8")

    with pytest.raises(ValidationError):
        load_school_label_policy(path)


def test_an_undeclared_round_is_not_guessed() -> None:
    policy = load_school_label_policy(DEFAULT_SCHOOL_LABEL_POLICY)
    with pytest.raises(KeyError):
        policy.round(2031)


# --- R-SCH-2 in the notification rules --------------------------------------------------------

RULES = load_rules()


def _recipients(payload: dict[str, object], event_type: str) -> dict[str, list[object]]:
    return {rule.id: rule.recipients_of(payload) for rule in RULES.matching(event_type, payload)}


def test_r_sch_2_every_registered_teacher_of_an_eligible_school_gets_mail_and_inbox() -> None:
    event = school_label_eligible()

    found = _recipients(event.model_dump(mode="json"), event.event_type)

    assert found == {"school-label-eligible-to-school-teachers": [Teachers(("t-es", "t-de"))]}
    [rule] = RULES.matching(event.event_type, event.model_dump(mode="json"))
    assert rule.channels == {"email", "inbox"}


def test_r_sch_2_a_granted_label_tells_the_school_a_refusal_tells_the_applicant() -> None:
    granted = school_label_decided("GRANTED")
    refused = school_label_decided("REFUSED")

    assert _recipients(granted.model_dump(mode="json"), granted.event_type) == {
        "school-label-granted-to-school-teachers": [
            Teachers(("t-es",)),
            Teachers(("t-es", "t-de")),
        ]
    }
    assert _recipients(refused.model_dump(mode="json"), refused.event_type) == {
        "school-label-refused-to-applicant": [Teachers(("t-es",))]
    }
