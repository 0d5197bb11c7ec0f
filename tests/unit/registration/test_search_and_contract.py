"""Partner-search keys and filters, the intake payload, and the events' contents (no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from services.registration.adapters.partner_search import (
    PartnerPlan,
    PartnerQuery,
    SearchTooBroad,
    partner_plan,
)
from services.registration.adapters.repository import teacher_document
from services.registration.adapters.school_search import SchoolQuery, school_plan
from services.registration.adapters.search_keys import prefix_keys, word_starts
from services.registration.domain.model import School, Teacher
from services.registration.service_layer.intake import command_of
from services.registration.service_layer.integration import integration_event
from shared.events import CATALOG, intake, registration

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def school(name: str = "Escola Básica da Batalha", town: str = "Batalha") -> School:
    return School.register("sch_1", name, town, "PT", NOW)


def applicant(**overrides: object) -> Teacher:
    fields: dict[str, object] = {
        "teacher_id": "t1", "name": "João Gonçalves", "email": "j@example.org",
        "role": "teacher", "language": "pt", "school": school(), "now": NOW,
        "subjects": ["Matemática"], "languages": ["PT", "en"],
        "pupil_age_min": 12, "pupil_age_max": 13, **overrides,
    }  # fmt: skip
    return Teacher.apply(**fields)  # type: ignore[arg-type]


def validated(**overrides: object) -> Teacher:
    teacher = applicant(**overrides)
    teacher.validate(by_country="PT", school=school(), now=NOW)
    return teacher


def test_word_starts_begin_at_every_word() -> None:
    assert word_starts("IES Severo Ochoa") == ["ies severo ochoa", "severo ochoa", "ochoa"]


def test_prefix_keys_are_3_to_6_characters_of_every_word() -> None:
    keys = prefix_keys("IES Severo Ochoa", "Elx")
    assert {"p:ies", "p:sev", "p:severo", "p:och", "p:ochoa", "p:elx"} <= set(keys)
    assert "p:se" not in keys and "p:severo " not in keys
    assert prefix_keys("Escola da Batalha") == sorted(
        ["p:esc", "p:esco", "p:escol", "p:escola", "p:da", "p:bat", "p:bata", "p:batal",
         "p:batalh"]
    )  # fmt: skip


def test_only_validated_teachers_carry_partner_keys() -> None:
    assert teacher_document(applicant())["partner_keys"] == []
    keys = teacher_document(validated())["partner_keys"]
    assert {"c:PT", "s:matematica", "l:pt", "l:en", "a:12", "a:13"} <= set(keys)
    assert {"c:PT+s:matematica", "c:PT+a:13", "s:matematica+l:en", "l:pt+a:12"} <= set(keys)
    assert {"p:esc", "p:batalh"} <= set(keys)  # the school's name and its town
    assert "s:matematica+c:PT" not in keys  # a pair has one spelling


def test_a_teacher_without_ages_matches_no_age_search() -> None:
    keys = teacher_document(validated(pupil_age_min=None, pupil_age_max=None))["partner_keys"]
    assert not any(key.startswith("a:") or "+a:" in key for key in keys)


def test_the_order_is_newest_validation_first_in_one_string() -> None:
    document = teacher_document(validated())
    assert document["partner_order"] == "20260301T000000.000000|t1"
    assert document["word_starts"][:2] == ["escola basica da batalha", "basica da batalha"]


@pytest.mark.parametrize(
    ("query", "plan"),
    [
        (PartnerQuery(country="ES"), PartnerPlan(("c:ES",))),
        (PartnerQuery(subject="Matemáticas"), PartnerPlan(("s:matematicas",))),
        (PartnerQuery(language="FR"), PartnerPlan(("l:fr",))),
        (PartnerQuery(age_from=12, age_to=13), PartnerPlan(("a:12", "a:13"))),
        (PartnerQuery(country="ES", subject="Art"), PartnerPlan(("c:ES+s:art",))),
        (PartnerQuery(language="fr", age_from=6, age_to=6), PartnerPlan(("l:fr+a:6",))),
        (
            PartnerQuery(country="ES", language="fr", subject="art"),
            PartnerPlan(("c:ES+s:art",), all_of=("l:fr",)),
        ),
        (PartnerQuery(prefix="Ochoa"), PartnerPlan(("p:ochoa",))),
        (PartnerQuery(prefix="Gonçalves"), PartnerPlan(("p:goncal",), starts="goncalves")),
        (PartnerQuery(prefix="IES sev"), PartnerPlan(("p:ies",), starts="ies sev")),
        (
            PartnerQuery(prefix="och", country="ES", age_from=9, age_to=10),
            PartnerPlan(("p:och",), all_of=("c:ES",), any_of=("a:9", "a:10")),
        ),
    ],
)
def test_each_query_shape_drives_by_one_precomputed_key(
    query: PartnerQuery, plan: PartnerPlan
) -> None:
    assert partner_plan(query) == plan


def test_refinements_are_checked_on_the_rows_found() -> None:
    plan = partner_plan(PartnerQuery(prefix="escola bas", language="en", age_from=13))
    assert plan.any_of == tuple(f"a:{age}" for age in range(13, 20))  # open: school ages
    row = teacher_document(validated())
    assert plan.accepts(row)
    assert not plan.accepts({**row, "word_starts": ["escola batalha"]})
    without_english = [key for key in row["partner_keys"] if key != "l:en"]
    assert not plan.accepts({**row, "partner_keys": without_english})
    assert not plan.accepts(teacher_document(validated(pupil_age_min=6, pupil_age_max=9)))
    assert plan.refinement_filter()["$and"][0] == {"partner_keys": "l:en"}


@pytest.mark.parametrize("query", [PartnerQuery(), PartnerQuery(prefix="ab")])
def test_a_search_without_a_criterion_or_with_a_short_prefix_is_refused(
    query: PartnerQuery,
) -> None:
    with pytest.raises(SearchTooBroad):
        partner_plan(query)


@pytest.mark.parametrize(
    ("query", "field", "prefix"),
    [
        (SchoolQuery("Sévero"), "name_key", "severo"),
        (SchoolQuery("IES Sev", "ES"), "country_name_key", "ES|ies sev"),
        (SchoolQuery("ies", "ES", "ÉL"), "country_town_key", "ES|el"),
    ],
)
def test_school_search_is_one_range_per_shape(query: SchoolQuery, field: str, prefix: str) -> None:
    plan = school_plan(query)
    assert (plan.field, plan.prefix) == (field, prefix)
    assert plan.filter()[field]["$gte"] == prefix


# --- the intake event -------------------------------------------------------------------------


def signup(**overrides: object) -> dict[str, object]:
    return {
        "name": "Ana García", "email": "ana@example.org", "role": "teacher", "language": "es",
        "school_id": "sch_1", **overrides,
    }  # fmt: skip


def test_intake_event_is_in_the_public_catalog() -> None:
    assert ("intake.teacher.signup_requested", 1) in CATALOG


def test_intake_needs_a_school_by_id_or_by_identity() -> None:
    with pytest.raises(ValidationError):
        intake.TeacherSignupRequested.model_validate(signup(school_id=None))
    by_identity = intake.TeacherSignupRequested.model_validate(
        signup(school_id=None, school_name="IES Severo Ochoa", school_town="Elx",
               school_country="ES")
    )  # fmt: skip
    command = command_of(by_identity, "portal-es")
    assert command.school_identity_key == "ES|elx|ies severo ochoa"
    assert command.source == "portal-es"


def test_intake_role_is_free_text_so_the_domain_gives_the_reason() -> None:
    request = intake.TeacherSignupRequested.model_validate(signup(role="pupil"))
    assert command_of(request, "portal").role == "pupil"


# --- the emitted events carry what consumers need -----------------------------------------------


def test_events_carry_ids_country_school_email_and_language() -> None:
    school = School.register("sch_1", "IES Severo Ochoa", "Elx", "ES", NOW)
    other = School.register("sch_2", "Escola da Batalha", "Batalha", "PT", NOW)
    teacher = Teacher.apply(
        teacher_id="t1", name="Ana", email="ana@example.org", role="teacher", language="es",
        school=school, now=NOW, subjects=[], languages=[], source="portal-es",
    )  # fmt: skip
    steps = [
        lambda: teacher.validate(by_country="ES", school=school, now=NOW),
        lambda: teacher.change_school(school=other, now=NOW),
        lambda: teacher.deactivate(by="nso:PT", reason="left teaching", now=NOW),
        lambda: teacher.erase(now=NOW),
    ]
    payloads = [integration_event(e) for e in [*school.events, *teacher.events]]
    for step in steps:  # a use case translates its events right after its one change
        teacher.events.clear()
        step()
        payloads += [integration_event(e) for e in teacher.events]
    types = [p.event_type for p in payloads]
    assert types == [
        "registration.school.registered", "registration.teacher.registered",
        "registration.teacher.validated", "registration.teacher.school_changed",
        "registration.teacher.deactivated", "registration.teacher.erased",
    ]  # fmt: skip
    registered, moved, deactivated, erased = payloads[1], payloads[3], payloads[4], payloads[5]
    assert isinstance(registered, registration.TeacherRegistered)
    assert (registered.email, registered.language, registered.source) == (
        "ana@example.org", "es", "portal-es",
    )  # fmt: skip
    assert isinstance(moved, registration.TeacherSchoolChanged)
    assert (moved.previous_school_id, moved.previous_country) == ("sch_1", "ES")
    assert (moved.school_id, moved.country, moved.status) == (
        "sch_2",
        "PT",
        "WAITING_FOR_VALIDATION",
    )
    assert isinstance(deactivated, registration.TeacherDeactivated)
    assert (deactivated.deactivated_by, deactivated.country) == ("nso:PT", "PT")
    assert isinstance(erased, registration.TeacherErased)
    assert "ana" not in erased.model_dump_json().lower()  # the erasure event spreads no data
