"""The EQL and prizes policy as data (R-EQL-1..6, R-PRZ-1..2). What the sources leave open, the
quota's base and rounding, who receives the EQL, what "average" means, which NQLs a yearly
round counts, is configuration (services/awards/eql_policy.toml by default, env
EQL_POLICY_PATH), validated at start-up. Plain Python: reading the file is an adapter's job."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.awards.nql.domain.policy import MONTH_DAY


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RoundPeriod(_Frozen):
    """Which granted NQLs a round of year Y counts [ASSUMPTION]. `school_year`: those granted
    in the school year that ends in Y (the 2022 round covered school year 2021/22, rules §6);
    `calendar_year`: those granted from 1 January to 31 December of Y."""

    kind: Literal["school_year", "calendar_year"] = "school_year"
    school_year_starts: str = Field(default="09-01", pattern=MONTH_DAY)

    def bounds(self, year: int) -> tuple[datetime, datetime]:
        """[start, end) in UTC."""
        if self.kind == "calendar_year":
            return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
        month, day = (int(part) for part in self.school_year_starts.split("-"))
        return datetime(year - 1, month, day, tzinfo=UTC), datetime(year, month, day, tzinfo=UTC)

    def candidacy_bounds(self, year: int, periods: int) -> tuple[datetime, datetime]:
        """[start, end) of the NQLs a round gathers for candidacy: its own period and the
        `periods - 1` before it."""
        return self.bounds(year - periods + 1)[0], self.bounds(year)[1]

    def year_of(self, moment: datetime) -> int:
        """The round that counts an NQL granted at `moment`."""
        if self.kind == "calendar_year":
            return moment.year
        return (
            moment.year + 1 if moment.strftime("%m-%d") >= self.school_year_starts else moment.year
        )


class Candidacy(_Frozen):
    """How a project's NQLs are gathered for candidacy (R-EQL-3) [ASSUMPTION]. Partners' NSOs
    decide when they decide: with `periods = 1` only the NQLs of the round's own period count,
    so NQLs granted on both sides of the period's boundary make the project a candidate in
    neither round. Gathering over two periods, each project a candidate in at most one round
    (`once`), loses none and counts none twice."""

    periods: int = Field(
        default=2,
        ge=1,
        le=5,
        description="Periods (the round's own and the ones before it) whose granted NQLs count "
        "for candidacy; 1 = only the round's own period.",
    )
    once: bool = Field(
        default=True,
        description="A project that was a candidate in an earlier round is not one again.",
    )


class Quota(_Frozen):
    """R-EQL-4: each NSO nominates up to `fraction` of its base, rounded as said. Defaults:
    25 % of the projects that received an NQL in the country in the round's period, rounded
    down [ASSUMPTION; older versions: 'top third', 'top 25 %']."""

    fraction: float = Field(default=0.25, gt=0, le=1)
    rounding: Literal["floor", "round", "ceil"] = "floor"
    base: Literal["nql_projects", "candidates"] = Field(
        default="nql_projects",
        description="nql_projects: projects with an NQL granted in the country in the period; "
        "candidates: only the EQL candidates among them [UNVERIFIED which one applies].",
    )

    def of(self, base: int) -> int:
        exact = self.fraction * base
        # a tolerance, so that 0.25 * 8 or 0.3 * 10 never lose a unit to binary fractions
        if self.rounding == "floor":
            return math.floor(exact + 1e-9)
        if self.rounding == "ceil":
            return math.ceil(exact - 1e-9)
        return math.floor(exact + 0.5)


class Nomination(_Frozen):
    min_average: float = Field(
        default=20, ge=0, description="R-EQL-4: a nominee's average must be strictly above it."
    )
    min_countries: int = Field(
        default=2, ge=1, description="R-EQL-3: NQLs granted in at least this many countries."
    )
    average_of: Literal["granted", "evaluated"] = Field(
        default="granted",
        description="granted: mean of the totals of the NQLs granted on the project in the "
        "period (rules §8); evaluated: of every NQL evaluation, refusals included [ASSUMPTION].",
    )
    only_granting_nso: bool = Field(
        default=True,
        description="R-EQL-5 [ASSUMPTION]: only an NSO that granted an NQL on the project may "
        "nominate it; false: any NSO may nominate any candidate.",
    )
    closes_days_after_period: int = Field(
        default=45,
        ge=0,
        le=365,
        description="The nomination deadline: this many days after the round's period ends. "
        "The CSS may not close the round before it unless it forces the closing.",
    )

    def deadline(self, period_end: datetime) -> datetime:
        return period_end + timedelta(days=self.closes_days_after_period)


class Award(_Frozen):
    recipients: Literal["all_members", "nql_holders"] = Field(
        default="all_members",
        description="Who receives the EQL of a nominated project [UNVERIFIED which applies now; "
        "ESEP 2024: all members, older prize rules: NQL holders].",
    )


class PrizeCategory(_Frozen):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str


DEFAULT_CATEGORIES = (
    PrizeCategory(id="ecec", title="Early childhood education and care (pupils up to 6)"),
    PrizeCategory(id="7-11", title="Pupils aged 7 to 11"),
    PrizeCategory(id="12-15", title="Pupils aged 12 to 15"),
    PrizeCategory(id="16-19", title="Pupils aged 16 to 19"),
    PrizeCategory(id="ivet", title="Initial vocational education and training"),
)


class Prizes(_Frozen):
    """R-PRZ-1: the EQL must come from the round of the prize's year (latest rule).
    R-PRZ-2: one entry per project, in one category; a project competes once."""

    categories: list[PrizeCategory] = Field(default_factory=lambda: list(DEFAULT_CATEGORIES))
    compete_once: bool = Field(
        default=True,
        description="A project that entered a previous year's prizes may not enter again "
        "(the NSO's agreement for a second time is not modelled).",
    )

    def category(self, category_id: str) -> PrizeCategory | None:
        return next((c for c in self.categories if c.id == category_id), None)


class EqlPolicy(_Frozen):
    period: RoundPeriod = Field(default_factory=RoundPeriod)
    candidacy: Candidacy = Field(default_factory=Candidacy)
    quota: Quota = Field(default_factory=Quota)
    nomination: Nomination = Field(default_factory=Nomination)
    award: Award = Field(default_factory=Award)
    prizes: Prizes = Field(default_factory=Prizes)
