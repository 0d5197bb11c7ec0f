"""The School Label round's application window and the head's own confirmation (R-SCH-2):
the 2026 round took applications from 12 February to 10 March; the head confirms the
declaration of honour through a link, the teacher cannot tick it for them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.awards.config import DEFAULT_SCHOOL_LABEL_POLICY
from services.awards.school_label.adapters.policy_file import load_school_label_policy
from services.awards.school_label.domain import model as school_label
from services.awards.school_label.domain.model import Declaration, SchoolLabelApplication
from services.awards.school_label.domain.policy import RoundDates
from services.awards.school_label.service_layer.use_cases import head_token_hash
from shared.errors import Refused
from tests.support.school_label_helpers import label_policy, school, teacher

SHIPPED = load_school_label_policy(DEFAULT_SCHOOL_LABEL_POLICY)
ROUND_2026 = SHIPPED.round(2026)


def refused(code: str) -> pytest.RaisesExc[Refused]:
    return pytest.raises(Refused, check=lambda e: e.code == code)


def apply_on(
    day: date, dates: RoundDates = ROUND_2026, head_email: str | None = "head@s-1.example"
) -> SchoolLabelApplication:
    return school_label.submit(
        eligible_school=school(),
        year=dates.year,
        teacher=teacher("t-1", "s-1"),
        existing=None,
        declaration=Declaration(head_declaration=True, head_name="María Pérez"),
        thresholds=SHIPPED.thresholds,
        now=datetime(day.year, day.month, day.day, 12, tzinfo=UTC),
        dates=dates,
        head_email=head_email,
        head_token_hash=head_token_hash("a-secret-of-the-link"),
    )


def test_r_sch_2_the_2026_round_takes_applications_from_12_february_to_10_march() -> None:
    assert (ROUND_2026.applications_open, ROUND_2026.applications_close) == (
        date(2026, 2, 12),
        date(2026, 3, 10),
    )


@pytest.mark.parametrize("day", [date(2026, 2, 12), date(2026, 3, 10)])
def test_r_sch_2_applying_on_the_first_and_the_last_day_is_accepted(day: date) -> None:
    assert apply_on(day).status == "AWAITING_HEAD"


@pytest.mark.parametrize("day", [date(2026, 2, 11), date(2026, 3, 11)])
def test_r_sch_2_applying_outside_the_window_is_refused(day: date) -> None:
    with refused("school_label_applications_not_open"):
        apply_on(day)


def test_r_sch_2_without_a_declared_close_the_window_lasts_application_days() -> None:
    dates = label_policy(2025, date(2025, 1, 20)).round(2025)
    assert (dates.applications_open, dates.applications_close) == (
        date(2025, 1, 20),
        date(2025, 2, 16),
    )


def test_r_sch_2_the_teacher_cannot_tick_the_heads_declaration() -> None:
    application = apply_on(date(2026, 2, 20))

    assert application.declaration.head_declaration is False
    assert application.declaration.head_email == "head@s-1.example"
    assert application.head_token_hash == head_token_hash("a-secret-of-the-link")


def test_r_sch_2_without_the_heads_e_mail_the_head_cannot_be_asked() -> None:
    with refused("school_head_email_unknown"):
        apply_on(date(2026, 2, 20), head_email=None)


def test_r_sch_2_the_head_confirms_within_the_window_and_the_nso_may_then_decide() -> None:
    waiting = apply_on(date(2026, 2, 20))
    with refused("head_not_confirmed"):
        school_label.decide(
            waiting, nso_country="ES", outcome="GRANTED", reason="ok", decided_by="nso",
            biennium=(2026, 2027), now=datetime(2026, 3, 1, tzinfo=UTC),
        )  # fmt: skip

    confirmed = school_label.confirm_by_head(waiting, ROUND_2026, datetime(2026, 3, 10, tzinfo=UTC))

    assert confirmed.status == "SUBMITTED"
    assert confirmed.declaration.head_declaration is True
    assert confirmed.declaration.confirmed_at == datetime(2026, 3, 10, tzinfo=UTC)
    with refused("unknown_head_confirmation"):
        school_label.confirm_by_head(confirmed, ROUND_2026, datetime(2026, 3, 10, tzinfo=UTC))


def test_r_sch_2_a_head_confirming_after_the_window_is_refused() -> None:
    waiting = apply_on(date(2026, 3, 9))
    with refused("school_label_applications_not_open"):
        school_label.confirm_by_head(waiting, ROUND_2026, datetime(2026, 3, 11, tzinfo=UTC))
