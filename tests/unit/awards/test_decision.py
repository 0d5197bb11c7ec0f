"""R-NQL-5: the decision is computed from the rubric (rules §8), at its boundaries."""

from __future__ import annotations

import copy

import pytest

from services.awards.nql.adapters.policy_file import load_policy
from services.awards.nql.domain.decision import decide
from shared.errors import DomainRuleViolation
from tests.support.awards_helpers import (
    PERFECT,
    policy,
    scores,
    shipped_policy_document,
    write_policy,
)

RUBRIC = policy().default.rubric
KEYS = ("online_collaboration", "ict", "gdpr_copyright_esafety")


def test_a_perfect_score_is_granted_with_every_check_passed() -> None:
    decision = decide(RUBRIC, PERFECT)

    assert decision.outcome == "GRANTED"
    assert decision.total == decision.max_total == 30
    assert [c.check for c in decision.checks] == [
        "key_minimum:online_collaboration",
        "key_minimum:ict",
        "key_minimum:gdpr_copyright_esafety",
        "min_total",
    ]
    assert all(c.passed and c.rule == "R-NQL-5" for c in decision.checks)


@pytest.mark.parametrize("key", KEYS)
def test_a_key_sub_criterion_one_point_under_its_minimum_is_refused_whatever_the_total(
    key: str,
) -> None:
    decision = decide(RUBRIC, scores(**{key: 0}))

    assert decision.outcome == "REFUSED"
    assert decision.total == 27  # far above the minimum total of 15
    [failed] = decision.failed
    assert (failed.check, failed.required, failed.actual, failed.margin) == (
        f"key_minimum:{key}",
        1,
        0,
        -1,
    )
    assert f"key_minimum:{key} 0 < 1 (1 short)" in decision.summary()


def test_every_key_at_its_minimum_and_the_total_exactly_at_the_minimum_is_granted() -> None:
    at_minimum = {
        "online_collaboration": 1,
        "communication": 0,
        "ict": 1,
        "gdpr_copyright_esafety": 1,
        "pedagogy": 4,
        "curriculum": 4,
        "results": 4,
    }
    decision = decide(RUBRIC, at_minimum)

    assert decision.total == 15
    assert decision.outcome == "GRANTED"
    assert decision.checks[-1].margin == 0


def test_a_total_one_point_under_the_minimum_is_refused_with_the_shortfall() -> None:
    one_under = {
        "online_collaboration": 1,
        "communication": 0,
        "ict": 1,
        "gdpr_copyright_esafety": 1,
        "pedagogy": 4,
        "curriculum": 4,
        "results": 3,
    }
    decision = decide(RUBRIC, one_under)

    assert decision.outcome == "REFUSED"
    assert [(c.check, c.margin) for c in decision.failed] == [("min_total", -1)]


def test_the_decision_keeps_the_raw_scores_and_the_rubric_version() -> None:
    decision = decide(RUBRIC, scores(pedagogy=2))

    assert decision.scores == scores(pedagogy=2)
    assert decision.rubric_id == "default-2026"


@pytest.mark.parametrize(
    ("given", "fragment"),
    [
        (scores(ict=4), "ict scored 4, outside 0..3"),
        (scores(pedagogy=-1), "pedagogy scored -1"),
        ({k: v for k, v in PERFECT.items() if k != "results"}, "missing ['results']"),
        ({**PERFECT, "creativity": 2}, "unknown ['creativity']"),
    ],
)
def test_scores_outside_the_rubric_are_refused_with_422(
    given: dict[str, int], fragment: str
) -> None:
    with pytest.raises(DomainRuleViolation) as refused:
        decide(RUBRIC, given)

    assert refused.value.rule == "R-NQL-5"
    assert refused.value.status_code == 422
    assert fragment in refused.value.detail


def test_changing_the_rubric_file_changes_the_decision_without_code_changes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    borderline = scores(communication=0, pedagogy=2, curriculum=2, results=2)  # total 15
    document = shipped_policy_document()
    stricter = copy.deepcopy(document)
    stricter["default"]["rubric"]["min_total"] = 16
    stricter["default"]["rubric"]["id"] = "stricter"

    shipped = load_policy(write_policy(tmp_path / "shipped.json", document))
    changed = load_policy(write_policy(tmp_path / "stricter.json", stricter))

    assert decide(shipped.default.rubric, borderline).outcome == "GRANTED"
    refused = decide(changed.default.rubric, borderline)
    assert refused.outcome == "REFUSED"
    assert [(c.check, c.required, c.margin) for c in refused.failed] == [("min_total", 16, -1)]


def test_a_country_can_raise_a_key_minimum_for_its_own_applicants(tmp_path) -> None:  # type: ignore[no-untyped-def]
    document = shipped_policy_document()
    italy_rubric = copy.deepcopy(document["default"]["rubric"])
    italy_rubric["id"] = "it-2026"
    italy_rubric["criteria"][1]["sub_criteria"][0]["key_minimum"] = 2  # ICT >= 2
    document["countries"]["IT"] = {"rubric": italy_rubric}
    loaded = load_policy(write_policy(tmp_path / "policy.json", document))

    given = scores(ict=1)
    assert decide(loaded.for_country("ES").rubric, given).outcome == "GRANTED"
    italian = decide(loaded.for_country("IT").rubric, given)
    assert italian.outcome == "REFUSED"
    assert italian.rubric_id == "it-2026"
