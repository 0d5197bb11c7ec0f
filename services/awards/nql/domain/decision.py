"""The NQL decision, computed from the scores and the rubric, never typed (R-NQL-5).

Granted only when every key sub-criterion reaches its minimum and the total reaches the
rubric's minimum total; refused otherwise, whatever the total. Every decision keeps the raw
scores and an explanation: each check, with its rule id, whether it passed and by how much."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, computed_field

from services.awards.nql.domain.errors import SCORE_OUT_OF_RANGE, SCORES_NOT_THE_RUBRIC
from services.awards.nql.domain.policy import Rubric

Outcome = Literal["GRANTED", "REFUSED"]
SCORING_RULE = "R-NQL-5"
# The codes of a refused evaluation's failed checks (`code` of each line of the explanation),
# listed in docs/errors.md beside the error codes: an NQL refusal is an outcome, not an error.
SUBCRITERION_BELOW_MINIMUM = "subcriterion_below_minimum"
TOTAL_BELOW_MINIMUM = "total_below_minimum"
REFUSAL_REASONS = {
    SUBCRITERION_BELOW_MINIMUM: "A key sub-criterion scored below its minimum (`check` is "
    "`key_minimum:<sub-criterion id>`; `required`, `actual`, `margin`).",
    TOTAL_BELOW_MINIMUM: "The total of all criteria is below the rubric's minimum total "
    "(`check` is `min_total`).",
}


class Check(BaseModel):
    """One line of the explanation. `margin` is actual - required: negative means failed by
    that many points."""

    model_config = ConfigDict(frozen=True)

    rule: str
    check: str
    description: str
    required: int
    actual: int
    passed: bool
    margin: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def code(self) -> str:
        """What a failed check refuses, for machines (a passed one would have refused so)."""
        if self.check.startswith("key_minimum:"):
            return SUBCRITERION_BELOW_MINIMUM
        return TOTAL_BELOW_MINIMUM


class Decision(BaseModel):
    model_config = ConfigDict(frozen=True)

    outcome: Outcome
    rubric_id: str
    scores: dict[str, int]
    total: int
    max_total: int
    checks: list[Check]

    @property
    def failed(self) -> list[Check]:
        return [check for check in self.checks if not check.passed]

    def summary(self) -> str:
        if not self.failed:
            return f"granted: {self.total}/{self.max_total}, every check passed"
        reasons = "; ".join(
            f"{c.check} {c.actual} < {c.required} ({-c.margin} short)" for c in self.failed
        )
        return f"refused: {reasons}"


def validate_scores(rubric: Rubric, scores: dict[str, int]) -> None:
    """Exactly the rubric's sub-criteria, each within 0..max_points; else 422 R-NQL-5."""
    expected = {sub.id: sub for sub in rubric.sub_criteria()}
    missing = sorted(set(expected) - set(scores))
    unknown = sorted(set(scores) - set(expected))
    if missing or unknown:
        raise SCORES_NOT_THE_RUBRIC(
            f"scores must cover exactly the sub-criteria of rubric {rubric.id}: "
            f"missing {missing}, unknown {unknown}",
            missing=missing,
            unknown=unknown,
        )
    for sub_id, points in scores.items():
        maximum = expected[sub_id].max_points
        if not 0 <= points <= maximum:
            raise SCORE_OUT_OF_RANGE(
                f"{sub_id} scored {points}, outside 0..{maximum} of rubric {rubric.id}",
                subcriterion=sub_id,
                points=points,
                maximum=maximum,
            )


def decide(rubric: Rubric, scores: dict[str, int]) -> Decision:
    validate_scores(rubric, scores)
    checks = [
        _check(
            f"key_minimum:{sub.id}",
            f"key sub-criterion: {sub.title}",
            sub.key_minimum,
            scores[sub.id],
        )
        for sub in rubric.sub_criteria()
        if sub.key_minimum is not None
    ]
    total = sum(scores.values())
    checks.append(_check("min_total", "total of all criteria", rubric.min_total, total))
    return Decision(
        outcome="GRANTED" if all(check.passed for check in checks) else "REFUSED",
        rubric_id=rubric.id,
        scores=dict(scores),
        total=total,
        max_total=rubric.max_total,
        checks=checks,
    )


def _check(name: str, description: str, required: int, actual: int) -> Check:
    return Check(
        rule=SCORING_RULE,
        check=name,
        description=description,
        required=required,
        actual=actual,
        passed=actual >= required,
        margin=actual - required,
    )
