"""R-REG-3 (each country's verification method, the school head's confirmation), R-REG-5
(a school change starts the new country's verification), R-REG-2 (a rejected teacher applies
again), R-REG-7 (a deactivated teacher's e-mail is released after the policy's period) and
R-REG-6 (the participating countries are data): on the domain and the policy file alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.registration.adapters.policy_file import load_registration_policy
from services.registration.domain import model
from services.registration.domain.errors import RegistrationRefused
from services.registration.domain.model import School, Teacher, TeacherStatus
from services.registration.domain.policy import RegistrationPolicy
from shared.countries import load_countries

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
POLICY = load_registration_policy()


def school(school_id: str = "sch_es", country: str = "ES", **details: object) -> School:
    return School.register(school_id, f"School {school_id}", "Elx", country, NOW, **details)


def applicant(at: School | None = None) -> Teacher:
    teacher = Teacher.apply(
        teacher_id="tch_1", name="Ana García", email="ana@example.org", role="teacher",
        language="es", school=at or school(), now=NOW, subjects=[], languages=[],
    )  # fmt: skip
    teacher.events.clear()
    return teacher


def refusal_code(action: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(RegistrationRefused) as raised:
        action(*args, **kwargs)  # type: ignore[operator]
    return raised.value.code


def test_r_reg_3_the_verification_method_is_per_country_configuration() -> None:
    assert POLICY.verification_of("ES").id == "head_email"
    assert POLICY.verification_of("ES").asks_head
    assert POLICY.verification_of("RS").id == "employment_certificate"
    assert POLICY.verification_of("PT").id == POLICY.default_method == "nso_review"


def test_r_reg_3_a_policy_naming_an_unknown_method_is_refused_when_it_loads(
    tmp_path: Path,
) -> None:
    broken = tmp_path / "policy.toml"
    broken.write_text('[verification]\ndefault = "nso_review"\n[verification.countries]\n'
                      'ES = "carrier_pigeon"\n[verification.methods.nso_review]\n'
                      'description = "x"\n')  # fmt: skip
    with pytest.raises(ValueError, match="carrier_pigeon"):
        load_registration_policy(broken)


def test_r_reg_3_a_head_email_country_asks_the_school_head_with_a_link() -> None:
    elx = school(head_name="Marta Ruiz", head_email="direccion@ies.example")
    teacher = applicant(elx)
    teacher.start_verification(POLICY.verification_of("ES"), elx, "secret-token-1234", NOW)
    assert teacher.head_confirmation == model.HEAD_ASKED
    [asked] = teacher.events
    assert isinstance(asked, model.HeadConfirmationRequested) and asked.token == "secret-token-1234"


def test_r_reg_3_no_head_is_asked_without_a_head_email_or_where_the_nso_reviews() -> None:
    without_email = school()
    teacher = applicant(without_email)
    teacher.start_verification(POLICY.verification_of("ES"), without_email, "t" * 20, NOW)
    assert teacher.head_confirmation is None and teacher.events == []
    batalha = school("sch_pt", "PT", head_email="direcao@eb.example")
    teacher.start_verification(POLICY.verification_of("PT"), batalha, "t" * 20, NOW)
    assert teacher.head_confirmation is None and teacher.events == []


def test_r_reg_3_the_head_confirms_with_the_link_and_only_that_link() -> None:
    elx = school(head_email="direccion@ies.example")
    teacher = applicant(elx)
    teacher.start_verification(POLICY.verification_of("ES"), elx, "right-token-123456", NOW)
    assert refusal_code(teacher.confirm_by_head, "wrong-token-1234567", NOW) == (
        "unknown_confirmation"
    )
    teacher.confirm_by_head("right-token-123456", NOW)
    assert (teacher.head_confirmation, teacher.head_confirmed_at) == (model.HEAD_CONFIRMED, NOW)


def test_r_reg_5_a_school_change_voids_the_old_link_and_asks_the_new_head() -> None:
    elx = school(head_email="direccion@ies.example")
    teacher = applicant(elx)
    teacher.start_verification(POLICY.verification_of("ES"), elx, "old-token-12345678", NOW)
    alicante = school("sch_es2", "ES", head_email="jefa@alicante.example")
    teacher.change_school(school=alicante, now=NOW)
    teacher.start_verification(POLICY.verification_of("ES"), alicante, "new-token-12345678", NOW)
    assert teacher.status is TeacherStatus.WAITING_FOR_VALIDATION and teacher.country == "ES"
    assert refusal_code(teacher.confirm_by_head, "old-token-12345678", NOW) == (
        "unknown_confirmation"
    )
    teacher.confirm_by_head("new-token-12345678", NOW)


def test_r_reg_5_a_decided_teacher_no_longer_accepts_the_link() -> None:
    elx = school(head_email="direccion@ies.example")
    teacher = applicant(elx)
    teacher.start_verification(POLICY.verification_of("ES"), elx, "token-123456789012", NOW)
    teacher.validate(by_country="ES", school=elx, now=NOW)
    assert refusal_code(teacher.confirm_by_head, "token-123456789012", NOW) == (
        "unknown_confirmation"
    )


def test_r_reg_2_a_rejected_teacher_applies_again_with_corrected_data() -> None:
    teacher = applicant()
    teacher.reject(by_country="ES", reason="not staff of this school", now=NOW)
    later = NOW + timedelta(days=2)
    corrected = school("sch_es2", "ES")
    teacher.reapply(may_reapply=True, school=corrected, now=later, role="librarian")
    assert (teacher.status, teacher.status_reason) == (TeacherStatus.WAITING_FOR_VALIDATION, None)
    assert (teacher.school_id, teacher.role, teacher.status_changed_at) == (
        "sch_es2", "librarian", later,
    )  # fmt: skip
    [applied] = [e for e in teacher.events if isinstance(e, model.TeacherApplied)]
    assert applied.source == "reapplication"


def test_r_reg_2_reapplication_is_refused_where_the_policy_forbids_it_or_not_rejected() -> None:
    teacher = applicant()
    assert refusal_code(teacher.reapply, may_reapply=True, school=school(), now=NOW) == (
        "transition_not_allowed"
    )
    teacher.reject(by_country="ES", reason="unknown", now=NOW)
    assert refusal_code(teacher.reapply, may_reapply=False, school=school(), now=NOW) == (
        "reapplication_not_allowed"
    )
    assert (
        refusal_code(teacher.reapply, may_reapply=True, school=school(), now=NOW, role="pupil")
        == "pupil_role"
    )


def test_r_reg_7_a_deactivated_e_mail_is_released_after_the_policy_period() -> None:
    deactivated_at = NOW
    assert POLICY.deactivated_email_released_after == timedelta(days=30)
    assert not POLICY.email_released(deactivated_at, NOW + timedelta(days=29))
    assert POLICY.email_released(deactivated_at, NOW + timedelta(days=30))
    for_ever = RegistrationPolicy(deactivated_email_released_after=None)
    assert not for_ever.email_released(deactivated_at, NOW + timedelta(days=3650))


def test_r_reg_7_only_a_deactivated_profile_gives_its_e_mail_up() -> None:
    teacher = applicant()
    assert refusal_code(teacher.release_email) == "transition_not_allowed"
    teacher.deactivate(by="teacher", reason="left teaching", now=NOW)
    teacher.release_email()
    assert teacher.email == "released+tch_1@invalid"
    assert teacher.status is TeacherStatus.DEACTIVATED


def test_r_reg_6_the_participating_countries_are_a_data_file_with_dates(tmp_path: Path) -> None:
    countries = load_countries()
    assert len(countries) == 46
    assert (countries["ME"].joined, countries["XK"].joined, countries["PS"].joined) == (
        "2022-04", "2024-02", "2024-02",
    )  # fmt: skip
    assert {c.code for c in countries.values() if c.support == "PSA"} == {
        "AM", "AZ", "GE", "MD", "UA", "TN", "JO", "LB", "PS",
    }  # fmt: skip
    joined = tmp_path / "countries.toml"
    joined.write_text('[XX]\nname = "Newland"\nsupport = "NSO"\ngroup = "test"\n')
    assert list(load_countries(joined)) == ["XX"]
