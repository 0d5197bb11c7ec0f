"""The eTwinning School Label policy as data (R-SCH-1, R-SCH-2). The thresholds changed over
the years (≥2 active teachers until 2021/22, ≥3 since the 2024 round), each round has its own
cut-off dates, and what makes a teacher "active" is not published: all of it comes from
services/awards/school_label_policy.toml. Plain Python: loading the file is an adapter's job."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

ActivitySignal = Literal["registered", "validated", "project_completed", "nql_applied"]
TeacherStatus = Literal["WAITING_FOR_VALIDATION", "VALIDATED", "REJECTED", "DEACTIVATED"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Thresholds(_Frozen):
    years_registered: int = Field(default=2, ge=0, description="R-SCH-1")
    min_active_teachers: int = Field(default=3, ge=1, description="R-SCH-1 (2 before 2024)")
    nql_lookback_years: int = Field(default=2, ge=1, description="R-SCH-1")
    label_years: int = Field(default=2, ge=1, description="R-SCH-2: a biennium")
    biennium_starts_after_round: int = Field(
        default=0,
        ge=0,
        description="[ASSUMPTION] 0: the label of round 2025 covers 2025 and 2026 (the "
        "2025-2026 round), so the school is left out of round 2026.",
    )
    active_statuses: list[TeacherStatus] = Field(
        default=["VALIDATED"], min_length=1, description="Who counts as one of its teachers."
    )
    activity_signals: list[ActivitySignal] = Field(
        default=["validated", "project_completed", "nql_applied"],
        min_length=1,
        description="[ASSUMPTION] What shows activity since the cut-off, among what awards "
        "sees in events.",
    )
    notified_statuses: list[TeacherStatus] = Field(
        default=["VALIDATED"],
        min_length=1,
        description="Who is a registered eTwinner of the school, told by R-SCH-2.",
    )
    application_days: int = Field(
        default=28,
        ge=1,
        le=366,
        description="[ASSUMPTION] How long a round takes applications when the policy gives no "
        "`applications_close`: this many days from `applications_open` (inclusive).",
    )


class RoundDates(_Frozen):
    """The dates one round is judged on; every bound is inclusive, in whole UTC days."""

    year: int
    opens: date
    registered_on_or_before: date
    teachers_active_since: date
    nql_granted_from: date
    nql_granted_until: date
    applications_open: date
    applications_close: date

    @property
    def name(self) -> str:
        return f"{self.year}-{self.year + 1}"

    def takes_applications(self, day: date) -> bool:
        return self.applications_open <= day <= self.applications_close


class RoundEntry(_Frozen):
    """One round as written in the file: `opens` is required; any date not given follows
    from `opens` and the thresholds."""

    opens: date
    registered_on_or_before: date | None = None
    teachers_active_since: date | None = None
    nql_granted_from: date | None = None
    nql_granted_until: date | None = None
    applications_open: date | None = None
    applications_close: date | None = None


class SchoolLabelPolicy(_Frozen):
    thresholds: Thresholds = Field(default_factory=Thresholds)
    rounds: dict[int, RoundEntry] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _dates_are_ordered(self) -> Self:
        for year in self.rounds:
            dates = self.round(year)
            if dates.nql_granted_from > dates.nql_granted_until:
                raise ValueError(f"round {year}: nql_granted_from after nql_granted_until")
            if dates.registered_on_or_before > dates.opens:
                raise ValueError(f"round {year}: registered_on_or_before after opens")
            if dates.applications_open > dates.applications_close:
                raise ValueError(f"round {year}: applications_open after applications_close")
        return self

    def round(self, year: int) -> RoundDates:
        """KeyError for a round the policy does not declare."""
        entry = self.rounds[year]
        cut_off = _years_before(entry.opens, self.thresholds.years_registered)
        applications_open = entry.applications_open or entry.opens
        return RoundDates(
            year=year,
            opens=entry.opens,
            registered_on_or_before=entry.registered_on_or_before or cut_off,
            teachers_active_since=entry.teachers_active_since or cut_off,
            nql_granted_from=entry.nql_granted_from
            or _years_before(entry.opens, self.thresholds.nql_lookback_years),
            nql_granted_until=entry.nql_granted_until or entry.opens,
            applications_open=applications_open,
            applications_close=entry.applications_close
            or applications_open + timedelta(days=self.thresholds.application_days - 1),
        )

    def biennium(self, year: int) -> tuple[int, int]:
        first = year + self.thresholds.biennium_starts_after_round
        return first, first + self.thresholds.label_years - 1

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> SchoolLabelPolicy:
        rounds = {int(year): entry for year, entry in document.get("rounds", {}).items()}
        return cls.model_validate({**document, "rounds": rounds})


def _years_before(day: date, years: int) -> date:
    """Same month and day, `years` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)
