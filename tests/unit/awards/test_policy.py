"""The NQL policy file: per-country overrides and calendars (R-NQL-3, R-NQL-6)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from services.awards.config import DEFAULT_NQL_POLICY, AwardsSettings
from services.awards.nql.adapters.policy_file import load_policy
from services.awards.nql.domain.policy import ApplicationWindow, Calendar, NqlPolicy
from tests.support.awards_helpers import shipped_policy_document


def test_the_shipped_policy_is_the_rubric_of_rules_section_8() -> None:
    rubric = load_policy(DEFAULT_NQL_POLICY).default.rubric

    assert rubric.max_total == 30
    assert rubric.min_total == 15
    assert [c.max_points for c in rubric.criteria] == [6, 6, 6, 6, 6]
    keys = {s.id: s.key_minimum for s in rubric.sub_criteria() if s.key_minimum is not None}
    assert keys == {"online_collaboration": 1, "ict": 1, "gdpr_copyright_esafety": 1}


def test_spain_overrides_only_its_calendar_and_keeps_the_default_rubric() -> None:
    policy = load_policy(DEFAULT_NQL_POLICY)
    spain, portugal = policy.for_country("ES"), policy.for_country("PT")

    assert spain.calendar.reapplications_after_refusal == 1
    assert spain.calendar.school_years_to_apply == 2
    assert spain.calendar.evaluated_per_school_year == 4
    assert spain.rubric == portugal.rubric
    assert portugal.calendar.reapplications_after_refusal == 0


def test_the_policy_path_is_a_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NQL_POLICY_PATH", str(tmp_path / "p.toml"))
    assert AwardsSettings().nql_policy_path == tmp_path / "p.toml"


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("rubric", "min_total"), 31),
        (("rubric", "criteria", 0, "sub_criteria", 0, "key_minimum"), 4),
        (("calendar", "school_year_starts"), "13-01"),
    ],
)
def test_an_inconsistent_policy_is_refused_when_loaded(
    path: tuple[object, ...], value: object
) -> None:
    document = copy.deepcopy(shipped_policy_document())
    node = document["default"]
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value

    with pytest.raises(ValidationError):
        NqlPolicy.from_document(document)


@pytest.mark.parametrize(
    ("moment", "school_year"),
    [
        (datetime(2025, 8, 31, 23, 59, tzinfo=UTC), "2024/25"),
        (datetime(2025, 9, 1, tzinfo=UTC), "2025/26"),
        (datetime(2026, 6, 30, tzinfo=UTC), "2025/26"),
        (datetime(2099, 12, 1, tzinfo=UTC), "2099/00"),
    ],
)
def test_school_year_follows_the_country_start_date(moment: datetime, school_year: str) -> None:
    assert Calendar(school_year_starts="09-01").school_year(moment) == school_year


def test_application_windows_may_run_over_new_year() -> None:
    winter = ApplicationWindow(opens="11-15", closes="02-15")

    assert winter.contains(datetime(2025, 12, 31).date())
    assert winter.contains(datetime(2026, 2, 15).date())
    assert not winter.contains(datetime(2026, 2, 16).date())
    assert Calendar().is_open(datetime(2026, 7, 1, tzinfo=UTC))  # no window: all year


def _country_rubric_without(sub_criterion: str) -> dict[str, object]:
    """The shipped rubric as a country override, with one sub-criterion taken out."""
    rubric = copy.deepcopy(shipped_policy_document()["default"]["rubric"])
    for criterion in rubric["criteria"]:
        criterion["sub_criteria"] = [
            s for s in criterion["sub_criteria"] if s["id"] != sub_criterion
        ] or [{"id": f"{criterion['id']}_other", "title": "Other", "max_points": 3}]
    return rubric


@pytest.mark.parametrize("key", ["online_collaboration", "ict", "gdpr_copyright_esafety"])
def test_r_nql_5_a_country_rubric_dropping_a_key_sub_criterion_is_refused_when_loaded(
    key: str,
) -> None:
    document = copy.deepcopy(shipped_policy_document())
    document["countries"]["PT"] = {"rubric": _country_rubric_without(key)}

    with pytest.raises(ValidationError, match=f"countries.PT.*{key}"):
        NqlPolicy.from_document(document)


def test_r_nql_5_a_country_rubric_may_change_a_key_minimum_and_drop_another_line() -> None:
    document = copy.deepcopy(shipped_policy_document())
    rubric = _country_rubric_without("communication")
    rubric["criteria"][1]["sub_criteria"][0]["key_minimum"] = 2
    document["countries"]["PT"] = {"rubric": rubric}

    portugal = NqlPolicy.from_document(document).for_country("PT").rubric

    assert portugal.key_sub_criteria() == {"online_collaboration", "ict", "gdpr_copyright_esafety"}
    assert "communication" not in {s.id for s in portugal.sub_criteria()}


def test_r_nql_1_one_nql_per_teacher_per_project_is_the_default_scope() -> None:
    assert load_policy(DEFAULT_NQL_POLICY).scope.one_per == "teacher"
    document = {**copy.deepcopy(shipped_policy_document()), "scope": {"one_per": "school"}}
    assert NqlPolicy.from_document(document).scope.one_per == "school"
