"""Registration rules R-REG-1..7 on the domain model alone (no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.registration.domain import model
from services.registration.domain.countries import PARTICIPATING_COUNTRIES
from services.registration.domain.errors import RegistrationRefused
from services.registration.domain.model import School, Teacher, TeacherStatus, normalized

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def school(
    school_id: str = "sch_es", country: str = "ES", name: str = "IES Severo Ochoa"
) -> School:
    return School.register(school_id, name, "Elx", country, NOW)


def applicant(**overrides: object) -> Teacher:
    fields: dict[str, object] = {
        "teacher_id": "tch_1", "name": " Ana García ", "email": "Ana.Garcia@Example.ORG ",
        "role": "teacher", "language": "es", "school": school(), "now": NOW,
        "subjects": ["Maths", " ", "Maths", "Physics"], "languages": ["es", "en"],
    }  # fmt: skip
    fields.update(overrides)
    return Teacher.apply(**fields)  # type: ignore[arg-type]


def refusal(action: object, *args: object, **kwargs: object) -> RegistrationRefused:
    with pytest.raises(RegistrationRefused) as raised:
        action(*args, **kwargs)  # type: ignore[operator]
    return raised.value


def validated() -> Teacher:
    teacher = applicant()
    teacher.validate(by_country="ES", school=school(), now=NOW)
    teacher.events.clear()
    return teacher


# --- R-REG-6: participating countries --------------------------------------------------------


def test_r_reg_6_the_46_participating_countries_are_data() -> None:
    assert len(PARTICIPATING_COUNTRIES) == 46
    assert {"ES", "PT", "TR", "XK", "UA"} <= set(PARTICIPATING_COUNTRIES)


def test_r_reg_6_a_school_outside_the_participating_countries_is_refused() -> None:
    error = refusal(School.register, "s", "Lycée", "Genève", "CH", NOW)
    assert (error.rule, error.reason, error.status_code) == ("R-REG-6", "unknown_country", 422)


def test_r_reg_6_the_teachers_country_is_the_schools() -> None:
    assert applicant(school=school("sch_pt", "PT")).country == "PT"


# --- R-REG-1: school staff only ----------------------------------------------------------------


@pytest.mark.parametrize("role", ["pupil", "Pupil", "pupil_admin", "student"])
def test_r_reg_1_pupils_never_hold_accounts(role: str) -> None:
    error = refusal(applicant, role=role)
    assert (error.rule, error.reason, error.status_code) == ("R-REG-1", "pupil_role", 422)


def test_r_reg_1_other_roles_than_school_staff_are_refused() -> None:
    error = refusal(applicant, role="parent")
    assert (error.rule, error.reason) == ("R-REG-1", "not_school_staff")


@pytest.mark.parametrize("role", ["teacher", "head_teacher", "librarian", "other_staff"])
def test_r_reg_1_every_staff_role_may_apply(role: str) -> None:
    assert applicant(role=role).role == role


# --- R-REG-7: one profile per person, identified by a valid e-mail ------------------------------


@pytest.mark.parametrize("email", ["not-an-email", "ana@", "@example.org", "ana@@example.org", ""])
def test_r_reg_7_an_invalid_email_is_refused(email: str) -> None:
    error = refusal(applicant, email=email)
    assert (error.rule, error.reason, error.status_code) == ("R-REG-7", "invalid_email", 422)


def test_r_reg_7_email_is_normalized_so_duplicates_are_found() -> None:
    assert applicant().email == "ana.garcia@example.org"


# --- R-REG-2: statuses and transitions ---------------------------------------------------------


def test_r_reg_2_an_applicant_waits_for_validation_and_the_application_is_an_event() -> None:
    teacher = applicant()
    assert teacher.status is TeacherStatus.WAITING_FOR_VALIDATION
    assert teacher.name == "Ana García"
    assert teacher.subjects == ["Maths", "Physics"]
    assert [type(e) for e in teacher.events] == [model.TeacherApplied]


def test_r_reg_2_validated_teacher_cannot_be_validated_again() -> None:
    error = refusal(validated().validate, by_country="ES", school=school(), now=NOW)
    assert (error.rule, error.reason, error.status_code) == (
        "R-REG-2", "transition_not_allowed", 409,
    )  # fmt: skip


def test_r_reg_2_a_rejected_teacher_cannot_be_validated() -> None:
    teacher = applicant()
    teacher.reject(by_country="ES", reason="not a school employee")
    assert teacher.status is TeacherStatus.REJECTED
    assert refusal(teacher.validate, by_country="ES", school=school(), now=NOW).reason == (
        "transition_not_allowed"
    )


def test_r_reg_2_deactivation_is_final_for_further_changes() -> None:
    teacher = validated()
    teacher.deactivate(by="teacher", reason="retired", now=NOW)
    assert teacher.status is TeacherStatus.DEACTIVATED
    assert isinstance(teacher.events[-1], model.TeacherWasDeactivated)
    assert refusal(teacher.deactivate, by="operator", reason="again", now=NOW).rule == "R-REG-2"
    assert refusal(teacher.change_school, school=school("sch_2"), now=NOW).rule == "R-REG-2"


# --- R-REG-3: only the NSO of the school's country --------------------------------------------


def test_r_reg_3_another_countrys_nso_gets_403() -> None:
    teacher = applicant()
    error = refusal(teacher.validate, by_country="PT", school=school(), now=NOW)
    assert (error.rule, error.reason, error.status_code) == ("R-REG-3", "wrong_nso", 403)
    assert refusal(teacher.reject, by_country="FR", reason="nope").status_code == 403
    assert teacher.status is TeacherStatus.WAITING_FOR_VALIDATION


def test_r_reg_3_another_countrys_nso_cannot_deactivate() -> None:
    error = refusal(validated().deactivate, by="nso:PT", reason="spam", now=NOW)
    assert (error.rule, error.status_code) == ("R-REG-3", 403)


def test_r_reg_3_the_own_nso_validates() -> None:
    teacher = applicant()
    teacher.validate(by_country="ES", school=school(), now=NOW)
    assert teacher.status is TeacherStatus.VALIDATED
    assert teacher.validated_at == NOW


# --- R-REG-5: changing school goes back to validation ------------------------------------------


def test_r_reg_5_changing_school_puts_a_validated_teacher_back_into_validation() -> None:
    teacher = validated()
    new_school = school("sch_pt", "PT", "Escola Básica da Batalha")
    teacher.change_school(school=new_school, now=NOW)
    assert teacher.status is TeacherStatus.WAITING_FOR_VALIDATION
    assert (teacher.school_id, teacher.country, teacher.validated_at) == ("sch_pt", "PT", None)
    (event,) = teacher.events
    assert isinstance(event, model.TeacherChangedSchool)
    assert (event.previous_school_id, event.previous_country) == ("sch_es", "ES")
    # now the NSO of the new country decides (R-REG-3)
    assert refusal(teacher.validate, by_country="ES", school=new_school, now=NOW).status_code == 403


def test_r_reg_5_moving_to_the_same_school_is_refused() -> None:
    error = refusal(validated().change_school, school=school(), now=NOW)
    assert (error.rule, error.reason) == ("R-REG-5", "same_school")


# --- right to erasure ---------------------------------------------------------------------------


def test_erasure_drops_every_personal_field_and_keeps_the_id() -> None:
    teacher = validated()
    teacher.erase(now=NOW)
    assert teacher.status is TeacherStatus.ERASED
    assert "ana" not in (teacher.name + teacher.email).lower()
    assert teacher.email == "erased+tch_1@invalid"
    assert (teacher.subjects, teacher.languages) == ([], [])
    assert isinstance(teacher.events[-1], model.TeacherWasErased)
    assert refusal(teacher.erase, now=NOW).reason == "transition_not_allowed"


def test_a_deactivated_teacher_can_still_be_erased() -> None:
    teacher = validated()
    teacher.deactivate(by="operator", reason="inactive", now=NOW)
    teacher.erase(now=NOW)
    assert teacher.status is TeacherStatus.ERASED


def test_pupil_age_range_must_be_ordered() -> None:
    assert refusal(applicant, pupil_age_min=15, pupil_age_max=12).reason == "invalid_age_range"


def test_normalized_folds_case_accents_and_spaces() -> None:
    assert normalized("  Borusan  Asım KOCABIYIK ") == "borusan asim kocabiyik"
    assert normalized("Kocabıyık") == normalized("KOCABIYIK")
    assert normalized("Escola Básica") == "escola basica"
