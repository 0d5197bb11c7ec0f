"""Partner-search keys and filters, the intake payload, and the events' contents (no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from services.registration.adapters.partner_search import (
    PartnerQuery,
    SearchTooBroad,
    partner_filter,
    partner_match,
    partner_pipeline,
)
from services.registration.adapters.repository import prefix_keys, search_keys, teacher_document
from services.registration.domain.model import School, Teacher
from services.registration.service_layer.intake import command_of
from services.registration.service_layer.integration import integration_event
from shared.events import CATALOG, intake, registration

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def test_search_keys_start_at_every_word() -> None:
    assert search_keys("IES Severo Ochoa") == ["ies severo ochoa", "severo ochoa", "ochoa"]


def test_prefix_keys_are_the_short_prefixes_of_each_search_key() -> None:
    keys = prefix_keys(["severo ochoa", "ochoa"])
    assert {"se", "sev", "severo", "oc", "ochoa"} <= set(keys)
    assert "severo " not in keys and "s" not in keys  # 2..6 characters only


def test_teacher_document_holds_normalized_search_fields() -> None:
    school = School.register("sch_1", "Escola Básica da Batalha", "Batalha", "PT", NOW)
    teacher = Teacher.apply(
        teacher_id="t1", name="João Gonçalves", email="j@example.org", role="teacher",
        language="pt", school=school, now=NOW, subjects=["Matemática"], languages=["PT", "en"],
    )  # fmt: skip
    document = teacher_document(teacher)
    assert document["name_key"] == "joao goncalves"
    assert document["school_name_key"] == "escola basica da batalha"
    assert document["subject_keys"] == ["matematica"]
    assert document["language_keys"] == ["en", "pt"]
    assert "gonc" in document["prefix_keys"] and "basica" in document["prefix_keys"]


def test_partner_filter_only_validated_and_every_criterion() -> None:
    query = PartnerQuery("ES", "Matemáticas", "EN", 10, 14, "Severo Och")
    driving, refinements = partner_match(query)
    assert driving == {"status": "VALIDATED", "prefix_keys": "severo"}
    assert refinements == {
        "subject_keys": "matematicas",
        "country": "ES",
        "language_keys": "en",
        "pupil_age_min": {"$lte": 14},
        "pupil_age_max": {"$gte": 10},
        "search_keys": {"$elemMatch": {"$gte": "severo och", "$lt": "severo och\U0010ffff"}},
    }
    assert partner_filter(query) == {**driving, **refinements}


def test_a_short_prefix_is_one_equality_lookup() -> None:
    assert partner_match(PartnerQuery(prefix="Och")) == (
        {"status": "VALIDATED", "prefix_keys": "och"}, {},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("query", "driving"),
    [
        (PartnerQuery(country="ES"), {"country": "ES"}),
        (PartnerQuery(country="ES", subject="Art"), {"country": "ES", "subject_keys": "art"}),
        (PartnerQuery(language="FR", country="ES"), {"country": "ES"}),
        (PartnerQuery(language="fr", age_from=3), {"language_keys": "fr"}),
    ],
)
def test_the_driving_match_is_the_most_selective_indexed_equality(
    query: PartnerQuery, driving: dict[str, str]
) -> None:
    assert partner_match(query)[0] == {"status": "VALIDATED", **driving}


@pytest.mark.parametrize("query", [PartnerQuery(), PartnerQuery(age_from=6, age_to=9)])
def test_a_search_without_an_indexed_criterion_is_refused(query: PartnerQuery) -> None:
    with pytest.raises(SearchTooBroad):
        partner_match(query)


def test_the_pipeline_pages_after_sorting() -> None:
    pipeline = partner_pipeline(PartnerQuery(country="PT", page=3, page_size=10))
    assert [next(iter(stage)) for stage in pipeline] == ["$match", "$sort", "$skip", "$limit"]
    assert (pipeline[2]["$skip"], pipeline[3]["$limit"]) == (20, 11)


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
