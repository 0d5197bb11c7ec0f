"""The yearly European Quality Label round (R-EQL-1..6). Plain Python: no I/O.

The CSS opens a round for a year (R-EQL-1): every project with NQLs granted in the round's
period is assessed once, into a snapshot: it is a candidate when its founders come from two
countries (R-EQL-2) and NQLs were granted on it in at least two countries (R-EQL-3). Each NSO
nominates candidates on which its country granted an NQL (R-EQL-5), averaging strictly above
the threshold, within its quota (R-EQL-4). Closing awards the EQL to every nominated project's
recipients."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import datetime
from fractions import Fraction
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.awards.common.domain.certificates import new_verification_code
from services.awards.eql.domain import errors
from services.awards.eql.domain.policy import EqlPolicy, Nomination, Quota
from services.awards.nql.domain.model import Member
from shared.errors import ErrorCode, Refused

RoundStatus = Literal["OPEN", "CLOSING", "CLOSED"]
CODE_PREFIX = "EQL"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class NqlScore(_Model):
    """One NQL evaluation on a project, as the round reads it."""

    teacher_id: str
    country: str
    total: int
    granted: bool
    in_period: bool = Field(
        default=True,
        description="Decided in the round's own period (not only in its candidacy window).",
    )


class CountryBreakdown(_Model):
    country: str
    nql_count: int = Field(description="NQLs granted on the project in this country.")
    average: float


class Assessment(_Model):
    """What the round's snapshot says of one project with NQLs granted in its period."""

    project_id: str
    title: str
    score_sum: int
    score_count: int
    average: float
    nql_count: int = Field(description="NQLs granted on the project in the period.")
    countries: list[str] = Field(description="Countries that granted an NQL on it, sorted.")
    breakdown: list[CountryBreakdown]
    founder_countries: list[str] = Field(default_factory=list)
    period_countries: list[str] | None = Field(
        default=None,
        description="Countries that granted an NQL on it in the round's own period: the quota "
        "base (R-EQL-4) counts each year's NQLs once. None: all of `countries`.",
    )
    candidate: bool
    excluded_by: str | None = None
    reason: str = ""
    earlier_round: int | None = Field(
        default=None, description="The earlier round it was a candidate in, if any."
    )

    def above(self, minimum: float) -> bool:
        """Exact: (sum / count) > minimum, with no binary rounding at the boundary."""
        return Fraction(self.score_sum, self.score_count) > Fraction(str(minimum))


def rounded(value: Fraction) -> float:
    return round(float(value), 2)


def assess(
    project_id: str,
    title: str,
    scores: Iterable[NqlScore],
    founder_countries: list[str] | None,
    project_type: str | None,
    rules: Nomination,
    earlier_round: int | None = None,
) -> Assessment | None:
    """None when no NQL was granted on the project in the period: it is not in the round.
    `earlier_round`: the round it was already a candidate in, when each project is a
    candidate in at most one round (policy [candidacy] once)."""
    scores = list(scores)
    granted = [s for s in scores if s.granted]
    if not granted:
        return None
    averaged = granted if rules.average_of == "granted" else scores
    score_sum = sum(s.total for s in averaged)
    countries = sorted({s.country for s in granted})
    breakdown = [
        CountryBreakdown(
            country=country,
            nql_count=len(mine := [s.total for s in granted if s.country == country]),
            average=rounded(Fraction(sum(mine), len(mine))),
        )
        for country in countries
    ]
    excluded_by, reason = _exclusion(founder_countries, project_type, countries, rules)
    taken_by = None
    if excluded_by is None and earlier_round is not None:
        excluded_by, taken_by = "R-EQL-3", earlier_round
        reason = f"a candidate in the {earlier_round} round already: a project is a candidate once"
    return Assessment(
        project_id=project_id,
        title=title,
        score_sum=score_sum,
        score_count=len(averaged),
        average=rounded(Fraction(score_sum, len(averaged))),
        nql_count=len(granted),
        countries=countries,
        breakdown=breakdown,
        founder_countries=sorted(set(founder_countries or [])),
        period_countries=sorted({s.country for s in granted if s.in_period}),
        candidate=excluded_by is None,
        excluded_by=excluded_by,
        reason=reason,
        earlier_round=taken_by,
    )


def _exclusion(
    founder_countries: list[str] | None,
    project_type: str | None,
    countries: list[str],
    rules: Nomination,
) -> tuple[str | None, str]:
    # Founders' countries come from projects.project.completed; for a project known only by
    # its type, R-PRJ-2 says NATIONAL is exactly "both founders in one country".
    if founder_countries:
        same_country = len(set(founder_countries)) < 2
    else:
        same_country = project_type == "NATIONAL"
    if same_country:
        return "R-EQL-2", "its two founders are from the same country: never eligible for the EQL"
    if len(countries) < rules.min_countries:
        return (
            "R-EQL-3",
            f"NQLs granted in {len(countries)} country(ies) ({', '.join(countries)}); "
            f"a candidate needs {rules.min_countries}",
        )
    return None, ""


class CountryQuota(_Model):
    country: str
    nql_projects: int = Field(description="Projects with an NQL granted in the country.")
    candidates: int = Field(description="EQL candidates among them.")
    quota: int


def quotas(assessments: Iterable[Assessment], quota: Quota) -> dict[str, CountryQuota]:
    """R-EQL-4: per country, floor(0.25 x N) by default, N = projects that received an NQL in
    the country in the period (or only the candidates, by configuration)."""
    nql_projects: dict[str, int] = {}
    candidates: dict[str, int] = {}
    for assessment in assessments:
        for country, candidate in quota_share(assessment):
            nql_projects[country] = nql_projects.get(country, 0) + 1
            candidates[country] = candidates.get(country, 0) + int(candidate)
    return {
        country: _country_quota(country, nql_projects[country], candidates[country], quota)
        for country in sorted(nql_projects)
    }


def quota_share(assessment: Assessment) -> list[tuple[str, bool]]:
    """What one project adds to the quota base (R-EQL-4): (country, is a candidate) for each
    country it counts in; nothing when an earlier round counted it."""
    if assessment.earlier_round is not None:
        return []  # counted by the round it was a candidate in
    counted = assessment.countries
    if assessment.period_countries is not None:
        counted = assessment.period_countries
    return [(country, assessment.candidate) for country in counted]


def adjusted_quotas(
    current: Mapping[str, CountryQuota],
    before: Iterable[Assessment],
    after: Iterable[Assessment],
    quota: Quota,
) -> dict[str, CountryQuota]:
    """R-EQL-4 kept current without counting the year again: the quotas of the countries
    some projects count in, once those projects' assessments went from `before` to `after`
    (the same figures `quotas` gives over every assessment). Only the affected countries."""
    nql_projects: dict[str, int] = {}
    candidates: dict[str, int] = {}

    def add(assessments: Iterable[Assessment], sign: int) -> None:
        for assessment in assessments:
            for country, candidate in quota_share(assessment):
                known = current.get(country)
                nql_projects.setdefault(country, known.nql_projects if known else 0)
                candidates.setdefault(country, known.candidates if known else 0)
                nql_projects[country] += sign
                candidates[country] += sign * int(candidate)

    add(before, -1)
    add(after, 1)
    return {
        country: _country_quota(country, nql_projects[country], candidates[country], quota)
        for country in sorted(nql_projects)
    }


def _country_quota(country: str, nql_projects: int, candidates: int, quota: Quota) -> CountryQuota:
    base = nql_projects if quota.base == "nql_projects" else candidates
    return CountryQuota(
        country=country, nql_projects=nql_projects, candidates=candidates, quota=quota.of(base)
    )


# --- nominating ------------------------------------------------------------------------------


class NominationRefused(Refused):
    """A refused nomination, with the numbers that refused it (average, quota, quota used)."""

    def __init__(self, kind: ErrorCode, message: str, **numbers: Any) -> None:
        super().__init__(kind, message, **numbers)
        self.numbers = numbers


EXCLUSIONS = {"R-EQL-2": errors.FOUNDERS_SAME_COUNTRY, "R-EQL-3": errors.TOO_FEW_NQL_COUNTRIES}


def check_nomination(
    status: RoundStatus,
    assessment: Assessment | None,
    country: str,
    quota: CountryQuota | None,
    quota_used: int,
    nominated_by: str | None,
    rules: Nomination,
) -> None:
    """Checked against the figures current when the nomination is made (the round's
    assessments and quotas are recomputed whenever an NQL was decided since)."""
    """Raises NominationRefused with the rule id; returns when the nomination stands."""
    numbers: dict[str, Any] = {
        "average": assessment.average if assessment else None,
        "min_average": rules.min_average,
        "quota": quota.quota if quota else 0,
        "quota_used": quota_used,
    }
    if status != "OPEN":
        raise NominationRefused(
            errors.ROUND_CLOSED,
            "the round is closed: one round per year, no nomination after it",
            **numbers,
        )
    if assessment is None:
        raise NominationRefused(
            errors.NOT_A_CANDIDATE,
            "not a candidate: no NQL was granted on this project in the round's period",
            **numbers,
        )
    if assessment.earlier_round is not None:
        raise NominationRefused(
            errors.CANDIDATE_IN_EARLIER_ROUND,
            f"not a candidate: {assessment.reason}",
            earlier_round=assessment.earlier_round,
            **numbers,
        )
    if assessment.excluded_by is not None:
        raise NominationRefused(
            EXCLUSIONS[assessment.excluded_by], f"not a candidate: {assessment.reason}", **numbers
        )
    if rules.only_granting_nso and country not in assessment.countries:
        raise NominationRefused(
            errors.NO_NQL_IN_COUNTRY,
            f"only an NSO that granted an NQL on the project may nominate it "
            f"({', '.join(assessment.countries)}); {country} did not",
            **numbers,
        )
    if nominated_by is not None:
        raise NominationRefused(
            errors.ALREADY_NOMINATED,
            f"already nominated by the NSO of {nominated_by}: one nomination is enough",
            **numbers,
        )
    if not assessment.above(rules.min_average):
        raise NominationRefused(
            errors.AVERAGE_NOT_ABOVE_THRESHOLD,
            f"average {assessment.average} is not above {rules.min_average}",
            **numbers,
        )
    allowed = quota.quota if quota else 0
    if quota_used >= allowed:
        base = quota.nql_projects if quota else 0
        raise NominationRefused(
            errors.QUOTA_EXCEEDED,
            f"the quota of {country} is used: {quota_used} of {allowed} nomination(s) "
            f"({base} project(s) with an NQL granted in {country})",
            **numbers,
        )


# --- awarding --------------------------------------------------------------------------------


class Recipient(_Model):
    teacher_id: str
    country: str
    school_name: str = ""


def recipients(
    members: Iterable[Member], nql_holders: Iterable[NqlScore], policy: EqlPolicy
) -> list[Recipient]:
    """Every member, or only the members holding an NQL on the project, by configuration."""
    holders = {s.teacher_id: s for s in nql_holders if s.granted}
    found: dict[str, Recipient] = {}
    for member in members:
        if policy.award.recipients == "nql_holders" and member.teacher_id not in holders:
            continue
        found.setdefault(
            member.teacher_id,
            Recipient(
                teacher_id=member.teacher_id,
                country=member.country,
                school_name=member.school_name,
            ),
        )
    if policy.award.recipients == "nql_holders":
        # a holder the project facts do not list (should not happen) still gets the label
        for holder in holders.values():
            found.setdefault(
                holder.teacher_id, Recipient(teacher_id=holder.teacher_id, country=holder.country)
            )
    return list(found.values())


def round_id(year: int) -> str:
    return f"eql-{year}"


def label_id(year: int, project_id: str, teacher_id: str) -> str:
    """Deterministic, so that awarding twice (a retried batch) writes the same label."""
    digest = hashlib.sha256(f"{year}\x00{project_id}\x00{teacher_id}".encode()).hexdigest()
    return f"eql_{year}_{digest[:24]}"


def new_eql_code() -> str:
    return CODE_PREFIX + new_verification_code()[len(CODE_PREFIX) :]


class EqlLabel(_Model):
    id: str
    round_id: str
    year: int
    project_id: str
    project_title: str
    teacher_id: str
    country: str
    school_name: str = ""
    average: float
    certificate_code: str
    awarded_at: datetime
