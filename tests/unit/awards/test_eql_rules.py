"""The EQL round's rules, one test (or more) per rule id: R-EQL-1 .. R-EQL-6, with the quota
and threshold boundaries, and the policy that configures what the sources leave open."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from services.awards.bootstrap import build_app
from services.awards.config import DEFAULT_EQL_POLICY, AwardsSettings
from services.awards.eql.adapters.policy_file import load_eql_policy
from services.awards.eql.domain import model as eql
from services.awards.eql.domain.model import Assessment, CountryQuota, NominationRefused
from services.awards.eql.domain.policy import Quota, RoundPeriod
from services.awards.nql.domain.model import Member
from tests.support.eql_helpers import assessment, eql_policy, scores

POLICY = eql_policy()
RULES = POLICY.nomination


def quota(n: int = 1, country: str = "ES", nql_projects: int = 4) -> CountryQuota:
    return CountryQuota(country=country, nql_projects=nql_projects, candidates=n, quota=n)


def refused_by(rule: str, status: int = 409) -> pytest.RaisesExc[NominationRefused]:
    return pytest.raises(
        NominationRefused, check=lambda e: (e.rule, e.status_code) == (rule, status)
    )


def nominate(
    candidate: Assessment | None,
    country: str = "ES",
    *,
    status: eql.RoundStatus = "OPEN",
    allowed: CountryQuota | None = None,
    used: int = 0,
    nominated_by: str | None = None,
) -> None:
    eql.check_nomination(status, candidate, country, allowed or quota(), used, nominated_by, RULES)


# --- the shipped policy ----------------------------------------------------------------------


def test_the_shipped_policy_has_the_documented_defaults() -> None:
    policy = load_eql_policy(DEFAULT_EQL_POLICY)

    assert (policy.quota.fraction, policy.quota.rounding, policy.quota.base) == (
        0.25,
        "floor",
        "nql_projects",
    )
    assert (policy.nomination.min_average, policy.nomination.min_countries) == (20, 2)
    assert policy.nomination.average_of == "granted"
    assert policy.award.recipients == "all_members"
    assert policy.period.kind == "school_year"
    assert [c.id for c in policy.prizes.categories] == ["ecec", "7-11", "12-15", "16-19", "ivet"]


def test_a_broken_policy_file_stops_the_start(tmp_path: Path) -> None:
    broken = tmp_path / "eql.json"
    broken.write_text('{"award": {"recipients": "everyone"}}', encoding="utf-8")

    with pytest.raises(ValidationError):
        load_eql_policy(broken)


def test_the_eql_policy_path_is_a_setting_and_a_broken_file_stops_the_service(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    broken = tmp_path / "eql.toml"
    broken.write_text("[quota]\nrounding = 'sideways'\n", encoding="utf-8")
    monkeypatch.setenv("EQL_POLICY_PATH", str(broken))
    settings = AwardsSettings()

    assert settings.eql_policy_path == broken
    with pytest.raises(ValidationError):
        build_app(settings)


def test_the_round_of_a_year_counts_the_school_year_that_ends_in_it() -> None:
    period = RoundPeriod()

    assert period.bounds(2026) == (
        datetime(2025, 9, 1, tzinfo=UTC),
        datetime(2026, 9, 1, tzinfo=UTC),
    )
    assert period.year_of(datetime(2026, 8, 31, 23, 59, tzinfo=UTC)) == 2026
    assert period.year_of(datetime(2026, 9, 1, tzinfo=UTC)) == 2027


def test_a_calendar_year_period_is_configurable() -> None:
    period = RoundPeriod(kind="calendar_year")

    assert period.bounds(2026) == (
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2027, 1, 1, tzinfo=UTC),
    )
    assert period.year_of(datetime(2026, 12, 31, tzinfo=UTC)) == 2026


# --- R-EQL-1: one round per year, nothing after closing --------------------------------------


@pytest.mark.parametrize("status", ["CLOSING", "CLOSED"])
def test_r_eql_1_no_nomination_once_the_round_is_closing_or_closed(
    status: eql.RoundStatus,
) -> None:
    with refused_by("R-EQL-1"):
        nominate(assessment(("ES", 25), ("PT", 25)), status=status)


def test_r_eql_1_a_round_id_is_its_year() -> None:
    assert eql.round_id(2026) == "eql-2026"


# --- R-EQL-2: founders from the same country -------------------------------------------------


def test_r_eql_2_founders_from_one_country_exclude_the_project_whatever_the_partners() -> None:
    excluded = assessment(("ES", 28), ("PT", 28), founders=("ES", "ES"))

    assert not excluded.candidate
    assert excluded.excluded_by == "R-EQL-2"
    with refused_by("R-EQL-2"):
        nominate(excluded)


def test_r_eql_2_without_founders_facts_a_national_project_is_excluded() -> None:
    found = eql.assess("p", "P", scores(("ES", 28), ("PT", 28)), None, "NATIONAL", RULES)

    assert found is not None and found.excluded_by == "R-EQL-2"


# --- R-EQL-3: NQLs in at least two countries -------------------------------------------------


def test_r_eql_3_nqls_in_two_countries_make_a_candidate_with_average_and_breakdown() -> None:
    found = assessment(("ES", 24), ("ES", 26), ("PT", 22))

    assert found.candidate
    assert found.countries == ["ES", "PT"]
    assert found.average == 24.0
    assert [(b.country, b.nql_count, b.average) for b in found.breakdown] == [
        ("ES", 2, 25.0),
        ("PT", 1, 22.0),
    ]


def test_r_eql_3_nqls_in_one_country_only_are_not_a_candidate() -> None:
    found = assessment(("ES", 29), ("ES", 29))

    assert found.excluded_by == "R-EQL-3"
    with refused_by("R-EQL-3"):
        nominate(found)


def test_r_eql_3_a_project_without_an_nql_in_the_period_is_not_in_the_round() -> None:
    assert eql.assess("p", "P", scores(refused=[("ES", 10)]), ["ES", "PT"], None, RULES) is None
    with refused_by("R-EQL-3"):
        nominate(None)


def test_r_eql_3_refused_nqls_give_no_country() -> None:
    found = eql.assess(
        "p", "P", scores(("ES", 25), refused=[("PT", 12)]), ["ES", "PT"], None, RULES
    )

    assert found is not None and found.excluded_by == "R-EQL-3"
    assert found.average == 25.0  # refusals are not averaged by default


def test_the_average_may_include_refused_evaluations_by_configuration() -> None:
    rules = eql_policy(nomination={"average_of": "evaluated"}).nomination
    found = eql.assess(
        "p", "P", scores(("ES", 25), ("PT", 25), refused=[("PT", 10)]), ["ES", "PT"], None, rules
    )

    assert found is not None and found.average == 20.0 and not found.above(20)


# --- R-EQL-4: quota and threshold ------------------------------------------------------------


def test_r_eql_4_an_average_of_exactly_20_is_refused() -> None:
    exactly = assessment(("ES", 20), ("PT", 20))

    with refused_by("R-EQL-4") as refused:
        nominate(exactly)
    assert refused.value.numbers["average"] == 20.0
    assert refused.value.numbers["min_average"] == 20


def test_r_eql_4_an_average_just_above_20_is_nominated() -> None:
    nominate(assessment(("ES", 20), ("PT", 21)))  # 20.5


def test_r_eql_4_the_threshold_is_exact_on_repeating_fractions() -> None:
    # 61 / 3 = 20.333..., 60 / 3 = 20 exactly
    assert assessment(("ES", 20), ("PT", 20), ("TR", 21)).above(20)
    assert not assessment(("ES", 19), ("PT", 20), ("TR", 21)).above(20)


@pytest.mark.parametrize(
    ("projects", "expected"), [(0, 0), (3, 0), (4, 1), (7, 1), (8, 2), (11, 2), (12, 3)]
)
def test_r_eql_4_the_quota_is_25_percent_rounded_down(projects: int, expected: int) -> None:
    assert Quota().of(projects) == expected


def test_r_eql_4_rounding_is_configurable() -> None:
    assert Quota(rounding="ceil").of(7) == 2
    assert Quota(rounding="round").of(6) == 2  # 1.5
    assert Quota(fraction=1 / 3).of(9) == 3


def test_r_eql_4_quotas_count_the_projects_with_an_nql_in_each_country() -> None:
    found = [assessment(("ES", 25), ("PT", 25), project_id=f"c{i}") for i in range(3)] + [
        assessment(("ES", 25), project_id=f"n{i}") for i in range(4)
    ]

    quotas = eql.quotas(found, Quota())
    assert (quotas["ES"].nql_projects, quotas["ES"].candidates, quotas["ES"].quota) == (7, 3, 1)
    assert (quotas["PT"].nql_projects, quotas["PT"].quota) == (3, 0)
    assert eql.quotas(found, Quota(base="candidates", rounding="ceil"))["ES"].quota == 1


def test_r_eql_4_quotas_adjusted_for_reassessed_projects_equal_quotas_over_all() -> None:
    # n0 gains its second country (PT) and becomes a candidate; the others stay as they were
    others = [assessment(("ES", 25), ("PT", 25), project_id=f"c{i}") for i in range(3)] + [
        assessment(("ES", 25), project_id=f"n{i}") for i in range(1, 4)
    ]
    before = assessment(("ES", 25), project_id="n0")
    after = assessment(("ES", 25), ("PT", 25), project_id="n0")
    current = eql.quotas([*others, before], Quota(base="candidates", rounding="ceil"))

    adjusted = eql.adjusted_quotas(
        current, [before], [after], Quota(base="candidates", rounding="ceil")
    )
    everything = eql.quotas([*others, after], Quota(base="candidates", rounding="ceil"))
    assert adjusted == {c: everything[c] for c in ("ES", "PT")}
    assert (adjusted["ES"].candidates, adjusted["PT"].candidates) == (4, 4)


def test_r_eql_4_a_nomination_beyond_the_quota_is_refused_with_the_numbers() -> None:
    with refused_by("R-EQL-4") as refused:
        nominate(assessment(("ES", 25), ("PT", 25)), allowed=quota(1), used=1)
    assert refused.value.numbers == {
        "average": 25.0,
        "min_average": 20,
        "quota": 1,
        "quota_used": 1,
    }


def test_r_eql_4_the_last_place_of_the_quota_is_taken() -> None:
    nominate(assessment(("ES", 25), ("PT", 25)), allowed=quota(2), used=1)


def test_r_eql_4_a_country_with_a_zero_quota_nominates_nothing() -> None:
    with refused_by("R-EQL-4"):
        nominate(assessment(("ES", 25), ("PT", 25)), allowed=quota(0), used=0)


# --- R-EQL-5: who nominates ------------------------------------------------------------------


def test_r_eql_5_only_an_nso_that_granted_an_nql_on_the_project_nominates_it() -> None:
    with refused_by("R-EQL-5", 403):
        nominate(assessment(("ES", 25), ("PT", 25)), country="FR", allowed=quota(country="FR"))


def test_r_eql_5_one_nomination_is_enough() -> None:
    with refused_by("R-EQL-5"):
        nominate(assessment(("ES", 25), ("PT", 25)), country="ES", nominated_by="PT")


# --- recipients (R-EQL-5, configurable) ------------------------------------------------------


MEMBERS = [
    Member(teacher_id="t-es", country="ES", school_name="IES"),
    Member(teacher_id="t-pt", country="PT"),
    Member(teacher_id="t-tr", country="TR"),
]
HOLDERS = scores(("ES", 25), ("PT", 25))


def test_every_member_receives_the_eql_by_default() -> None:
    found = eql.recipients(MEMBERS, HOLDERS, POLICY)

    assert [(r.teacher_id, r.country, r.school_name) for r in found] == [
        ("t-es", "ES", "IES"),
        ("t-pt", "PT", ""),
        ("t-tr", "TR", ""),
    ]


def test_only_nql_holders_receive_it_when_configured() -> None:
    policy = eql_policy(award={"recipients": "nql_holders"})
    holders = [
        s.model_copy(update={"teacher_id": t})
        for s, t in zip(HOLDERS, ["t-es", "t-pt"], strict=True)
    ]

    assert [r.teacher_id for r in eql.recipients(MEMBERS, holders, policy)] == ["t-es", "t-pt"]


def test_labels_have_stable_short_ids_and_eql_codes() -> None:
    first = eql.label_id(2026, "p" * 64, "t" * 64)

    assert first == eql.label_id(2026, "p" * 64, "t" * 64)
    assert first != eql.label_id(2027, "p" * 64, "t" * 64)
    assert len(first) <= 64
    assert eql.new_eql_code().startswith("EQL-")
