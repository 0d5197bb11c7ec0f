"""The NQL policy as data: the rubric of §8 (R-NQL-5) and the calendar of each NSO (R-NQL-3,
R-NQL-6). Point values, minimums, school years, windows and re-application limits are not
published per country, so none of them is a constant in code: they come from a policy file
(services/awards/nql_policy.toml by default) with a default section and per-country overrides.
Plain Python: loading the file is an adapter's job."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

MONTH_DAY = r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SubCriterion(_Frozen):
    """One scored line of the rubric; a key sub-criterion has a minimum of its own."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    max_points: int = Field(ge=1)
    key_minimum: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _minimum_is_reachable(self) -> Self:
        if self.key_minimum is not None and self.key_minimum > self.max_points:
            raise ValueError(f"{self.id}: key_minimum above max_points")
        return self


class Criterion(_Frozen):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    sub_criteria: list[SubCriterion] = Field(min_length=1)

    @property
    def max_points(self) -> int:
        return sum(sub.max_points for sub in self.sub_criteria)


class Rubric(_Frozen):
    """Scores are given per sub-criterion id, each from 0 to its max_points (R-NQL-5)."""

    id: str = Field(description="Names this version of the rubric; stored with each decision.")
    min_total: int = Field(ge=0)
    criteria: list[Criterion] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        ids = [sub.id for sub in self.sub_criteria()]
        if len(ids) != len(set(ids)):
            raise ValueError(f"rubric {self.id}: sub-criterion ids repeat")
        if self.min_total > self.max_total:
            raise ValueError(f"rubric {self.id}: min_total above the maximum total")
        return self

    @property
    def max_total(self) -> int:
        return sum(criterion.max_points for criterion in self.criteria)

    def sub_criteria(self) -> list[SubCriterion]:
        return [sub for criterion in self.criteria for sub in criterion.sub_criteria]

    def key_sub_criteria(self) -> set[str]:
        return {sub.id for sub in self.sub_criteria() if sub.key_minimum is not None}


class ApplicationWindow(_Frozen):
    """A yearly window, month-day to month-day inclusive; it may run over New Year."""

    opens: str = Field(pattern=MONTH_DAY, examples=["09-01"])
    closes: str = Field(pattern=MONTH_DAY, examples=["06-30"])

    def contains(self, day: date) -> bool:
        today = day.strftime("%m-%d")
        if self.opens <= self.closes:
            return self.opens <= today <= self.closes
        return today >= self.opens or today <= self.closes


class Calendar(_Frozen):
    """Per-NSO calendar and limits (R-NQL-3, R-NQL-6)."""

    school_year_starts: str = Field(default="09-01", pattern=MONTH_DAY)
    application_windows: list[ApplicationWindow] = Field(
        default_factory=list, description="Empty: applications are accepted all year round."
    )
    evaluated_per_school_year: int = Field(default=4, ge=1, description="The R-NQL-3 cap.")
    school_years_to_apply: int | None = Field(
        default=None,
        ge=1,
        description="School years, counted from the one the project completed in, during "
        "which its members may apply (ES: 2, the current or the next). None: no limit.",
    )
    reapplications_after_refusal: int = Field(
        default=0, ge=0, description="Further applications on the same project after a refusal."
    )

    def school_year_start(self, moment: datetime) -> int:
        """The calendar year in which the school year containing `moment` started."""
        return (
            moment.year if moment.strftime("%m-%d") >= self.school_year_starts else moment.year - 1
        )

    def school_year(self, moment: datetime) -> str:
        start = self.school_year_start(moment)
        return f"{start}/{(start + 1) % 100:02d}"

    def is_open(self, moment: datetime) -> bool:
        windows = self.application_windows
        return not windows or any(window.contains(moment.date()) for window in windows)


class CountryPolicy(_Frozen):
    rubric: Rubric
    calendar: Calendar = Field(default_factory=Calendar)


class Scope(_Frozen):
    """What the sources leave open about who holds an NQL [ASSUMPTION]; defaults are the
    behaviour the platform always had."""

    one_per: Literal["teacher", "school"] = Field(
        default="teacher",
        description="R-NQL-1: one NQL per teacher per project (today); `school`: the 2006 rule, "
        "one NQL per school per project (a second teacher of the school is refused).",
    )


class NqlPolicy(_Frozen):
    default: CountryPolicy
    countries: dict[str, CountryPolicy] = Field(default_factory=dict)
    scope: Scope = Field(default_factory=Scope)

    @model_validator(mode="after")
    def _every_country_keeps_the_key_sub_criteria(self) -> Self:
        """R-NQL-5: the three key sub-criteria decide every NQL (and the EQL averages built on
        them), so a country's rubric may change their points but never drop one."""
        required = self.default.rubric.key_sub_criteria()
        if not required:
            raise ValueError("the default rubric names no key sub-criterion (R-NQL-5)")
        for code, country in sorted(self.countries.items()):
            if missing := sorted(required - country.rubric.key_sub_criteria()):
                raise ValueError(
                    f"countries.{code}: the rubric drops the key sub-criteria {missing} "
                    "(R-NQL-5: each must keep a key_minimum)"
                )
        return self

    def for_country(self, country: str) -> CountryPolicy:
        return self.countries.get(country, self.default)

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> NqlPolicy:
        """`default` is a whole policy; each `countries.XX` overrides any part of it. Tables
        merge key by key; lists (criteria, windows) are replaced whole."""
        default = document.get("default", {})
        overrides = document.get("countries", {})
        return cls.model_validate(
            {
                "default": default,
                "countries": {code: _merged(default, part) for code, part in overrides.items()},
                "scope": document.get("scope", {}),
            }
        )


def _merged(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = _merged(base[key], value)
        else:
            merged[key] = value
    return merged
