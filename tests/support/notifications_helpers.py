"""Sample events of the catalog for the notifications tests: one small NETWORK-like world
(ES and PT founders, a TR partner) whose payloads every rule can be checked against."""

from __future__ import annotations

from datetime import UTC, date, datetime

from shared.events import awards, projects, registration
from shared.events.base import EventPayload
from tests.support.eql_helpers import eql_awarded, eql_round_opened, nominee_refused, prize_won
from tests.support.school_label_helpers import school_label_decided, school_label_eligible

PROJECT = "p-network"
TITLE = "NETWORK"
WHEN = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)

# teacher id: (name, e-mail, language, school id, country)
TEACHERS = {
    "t-es": ("Lucía Martínez", "lucia@es.example", "es", "s-es", "ES"),
    "t-pt": ("João Ferreira", "joao@pt.example", "pt", "s-pt", "PT"),
    "t-tr": ("Ayşe Yılmaz", "ayse@tr.example", "tr", "s-tr", "TR"),
    "t-de": ("Jonas Weber", "jonas@de.example", "de", "s-de", "DE"),
}
SCHOOLS = {
    "s-es": "IES Severo Ochoa",
    "s-pt": "Escola Básica e Secundária da Batalha",
    "s-tr": "Borusan Mesleki ve Teknik Anadolu Lisesi",
    "s-de": "Gymnasium am Markt",
}


def school_registered(school_id: str) -> registration.SchoolRegistered:
    country = next(t[4] for t in TEACHERS.values() if t[3] == school_id)
    return registration.SchoolRegistered(
        school_id=school_id, name=SCHOOLS[school_id], town="Town", country=country,
        registered_at=WHEN,
    )  # fmt: skip


def teacher_registered(teacher_id: str, email: str | None = None) -> registration.TeacherRegistered:
    name, address, language, school_id, country = TEACHERS[teacher_id]
    return registration.TeacherRegistered(
        teacher_id=teacher_id, name=name, email=email or address, language=language,
        role="teacher", school_id=school_id, country=country,
    )  # fmt: skip


def teacher_validated(teacher_id: str) -> registration.TeacherValidated:
    name, address, language, school_id, country = TEACHERS[teacher_id]
    return registration.TeacherValidated(
        teacher_id=teacher_id, name=name, email=address, language=language, role="teacher",
        school_id=school_id, school_name=SCHOOLS[school_id], country=country, validated_at=WHEN,
    )  # fmt: skip


def teacher_rejected(teacher_id: str) -> registration.TeacherRejected:
    return registration.TeacherRejected(
        teacher_id=teacher_id, country=TEACHERS[teacher_id][4], reason="no school confirmation"
    )


def head_confirmation_requested(teacher_id: str) -> registration.TeacherHeadConfirmationRequested:
    name, _, language, school_id, country = TEACHERS[teacher_id]
    return registration.TeacherHeadConfirmationRequested(
        teacher_id=teacher_id, teacher_name=name, role="teacher", school_id=school_id,
        school_name=SCHOOLS[school_id], country=country, head_name="Marta Ruiz",
        head_email="direccion@school.example", language=language,
        confirmation_token="a-secret-confirmation-token", requested_at=WHEN,
    )  # fmt: skip


def school_changed(teacher_id: str, to_school: str = "s-de") -> registration.TeacherSchoolChanged:
    name, address, language, school_id, country = TEACHERS[teacher_id]
    new_country = next(t[4] for t in TEACHERS.values() if t[3] == to_school)
    return registration.TeacherSchoolChanged(
        teacher_id=teacher_id, name=name, previous_school_id=school_id, previous_country=country,
        school_id=to_school, school_name=SCHOOLS[to_school], country=new_country,
        email=address, language=language, changed_at=WHEN,
    )  # fmt: skip


def project_withdrawn(by: str = "t-es") -> projects.ProjectWithdrawn:
    return projects.ProjectWithdrawn(
        project_id=PROJECT, withdrawn_by=by, reason="we start next year instead",
        member_ids=["t-es", "t-pt"], withdrawn_at=WHEN,
    )  # fmt: skip


def school_label_head_asked() -> awards.SchoolLabelHeadConfirmationRequested:
    return awards.SchoolLabelHeadConfirmationRequested(
        application_id="sl-1", school_id="s-pt", school_name=SCHOOLS["s-pt"], country="PT",
        year=2026, applicant_id="t-pt", head_name="Rui Costa", head_email="direcao@pt.example",
        confirm_url="http://127.0.0.1:8003/school-label/head-confirmations/sl-secret",
        applications_close=date(2026, 3, 10), requested_at=WHEN,
    )  # fmt: skip


def member(teacher_id: str, role: str = "PARTNER") -> projects.ProjectMember:
    _, _, _, school_id, country = TEACHERS[teacher_id]
    return projects.ProjectMember(
        teacher_id=teacher_id, school_id=school_id, school_name=SCHOOLS[school_id],
        country=country, role=role,  # type: ignore[arg-type]
    )  # fmt: skip


def project_proposed() -> projects.ProjectProposed:
    return projects.ProjectProposed(
        project_id=PROJECT, title=TITLE, project_type="EUROPEAN",
        founder=member("t-es", "FOUNDER"), cofounder=member("t-pt", "FOUNDER"),
    )  # fmt: skip


def cofounder_responded(accepted: bool = True) -> projects.CofounderResponded:
    return projects.CofounderResponded(
        project_id=PROJECT, founder_id="t-es", cofounder_id="t-pt", accepted=accepted,
        reason=None if accepted else "no time this year",
        awaiting_nso_of=["ES", "PT"] if accepted else [],
    )  # fmt: skip


def project_activated() -> projects.ProjectActivated:
    return projects.ProjectActivated(
        project_id=PROJECT, title=TITLE, twinspace_id="ts-1", member_ids=["t-es", "t-pt"],
        activated_at=WHEN,
    )  # fmt: skip


def partner_invited() -> projects.PartnerInvited:
    return projects.PartnerInvited(
        project_id=PROJECT, title=TITLE, teacher_id="t-tr", invited_by="t-es"
    )


def partner_joined() -> projects.PartnerJoined:
    return projects.PartnerJoined(project_id=PROJECT, member=member("t-tr"))


def project_rejected() -> projects.ProjectRejected:
    return projects.ProjectRejected(project_id=PROJECT, rejected_by="nso:ES", reason="incomplete")


def project_completed() -> projects.ProjectCompleted:
    return projects.ProjectCompleted(
        project_id=PROJECT, title=TITLE, project_type="EUROPEAN", founder_countries=["ES", "PT"],
        members=[member("t-es", "FOUNDER"), member("t-pt", "FOUNDER"), member("t-tr")],
        created_at=WHEN, activated_at=WHEN, completed_at=WHEN, activity_count=3, pupil_count=40,
    )  # fmt: skip


def nql_application_opened(
    teacher_id: str, application_id: str = ""
) -> awards.NqlApplicationOpened:
    return awards.NqlApplicationOpened(
        application_id=application_id or f"nql-{teacher_id}", project_id=PROJECT,
        project_title=TITLE, teacher_id=teacher_id, country=TEACHERS[teacher_id][4],
        opened_at=WHEN,
    )  # fmt: skip


def nql_applied(teacher_id: str, reapplication: bool = False) -> awards.NqlApplied:
    return awards.NqlApplied(
        application_id=f"nql-{teacher_id}", project_id=PROJECT, project_title=TITLE,
        teacher_id=teacher_id, country=TEACHERS[teacher_id][4], school_year="2025/26",
        position_in_school_year=2, reapplication=reapplication, submitted_at=WHEN,
    )  # fmt: skip


def nql_not_evaluated(teacher_id: str) -> awards.NqlNotEvaluated:
    return awards.NqlNotEvaluated(
        application_id=f"nql-{teacher_id}-5", project_id=PROJECT, project_title=TITLE,
        teacher_id=teacher_id, country=TEACHERS[teacher_id][4], school_year="2025/26",
        position_in_school_year=5, cap=4, submitted_at=WHEN,
    )  # fmt: skip


def decision_check(check: str, required: int, actual: int) -> awards.DecisionCheck:
    """One line of an NQL decision, worded as the awards service words it (R-NQL-5)."""
    titles = {"ict": "Choice and use of ICT (all digital tools)",
              "gdpr_copyright_esafety": "GDPR, copyright and eSafety"}  # fmt: skip
    sub_criterion = check.removeprefix("key_minimum:")
    description = (
        f"key sub-criterion: {titles.get(sub_criterion, sub_criterion)}"
        if check.startswith("key_minimum:")
        else "total of all criteria"
    )
    return awards.DecisionCheck(
        rule="R-NQL-5", check=check, description=description, required=required,
        actual=actual, passed=actual >= required, margin=actual - required,
    )  # fmt: skip


def nql_granted(teacher_id: str) -> awards.NqlGranted:
    checks = [decision_check("key_minimum:ict", 1, 3), decision_check("min_total", 15, 23)]
    return awards.NqlGranted(
        application_id=f"nql-{teacher_id}", project_id=PROJECT, project_title=TITLE,
        teacher_id=teacher_id, country=TEACHERS[teacher_id][4], rubric_id="default-2026",
        scores={"ict": 3, "pedagogy": 20}, total=23, max_total=30, explanation=checks,
        summary="granted: 23/30, every check passed", decided_at=WHEN,
    )  # fmt: skip


def nql_refused(teacher_id: str, reapplication_allowed: bool = True) -> awards.NqlRefused:
    checks = [
        decision_check("key_minimum:ict", 1, 2),
        decision_check("key_minimum:gdpr_copyright_esafety", 1, 0),
        decision_check("min_total", 15, 12),
    ]
    return awards.NqlRefused(
        application_id=f"nql-{teacher_id}", project_id=PROJECT, project_title=TITLE,
        teacher_id=teacher_id, country=TEACHERS[teacher_id][4], rubric_id="default-2026",
        scores={"ict": 2, "gdpr_copyright_esafety": 0, "pedagogy": 10}, total=12, max_total=30,
        explanation=checks, summary="refused: min_total 12 < 15 (3 short)", decided_at=WHEN,
        reapplication_allowed=reapplication_allowed,
    )  # fmt: skip


def certificate_issued(teacher_id: str) -> awards.CertificateIssued:
    code = "NQL-ABCD-EFGH-IJKL-MNOP"
    return awards.CertificateIssued(
        verification_code=code, application_id=f"nql-{teacher_id}", teacher_id=teacher_id,
        project_id=PROJECT, project_title=TITLE, country=TEACHERS[teacher_id][4],
        download_url=f"http://127.0.0.1:8003/nql/applications/nql-{teacher_id}/certificate.pdf",
        verification_url=f"http://127.0.0.1:8003/certificates/{code}", issued_at=WHEN,
    )  # fmt: skip


def job_finished() -> EventPayload:
    from shared.events.awards import JobFinished

    now = datetime.now(UTC)
    return JobFinished(
        job_id="job_1", kind="eql.close_round", status="succeeded", params={"year": 2026},
        requested_by="css-1", requested_by_role="css", done=3, total=3,
        result={"recipients": 6}, created_at=now, finished_at=now,
    )  # fmt: skip


def sample_of(event_type: str) -> EventPayload:
    """One sample payload per event type that a rule reads."""
    samples: dict[str, EventPayload] = {
        "registration.teacher.registered": teacher_registered("t-es"),
        "registration.teacher.validated": teacher_validated("t-es"),
        "registration.teacher.rejected": teacher_rejected("t-es"),
        "registration.teacher.head_confirmation_requested": head_confirmation_requested("t-es"),
        "registration.teacher.school_changed": school_changed("t-es"),
        "projects.project.withdrawn": project_withdrawn(),
        "projects.project.proposed": project_proposed(),
        "projects.project.cofounder_responded": cofounder_responded(),
        "projects.project.activated": project_activated(),
        "projects.project.rejected": project_rejected(),
        "projects.project.partner_invited": partner_invited(),
        "projects.project.partner_joined": partner_joined(),
        "projects.project.completed": project_completed(),
        "awards.nql.application_opened": nql_application_opened("t-es"),
        "awards.nql.applied": nql_applied("t-es"),
        "awards.nql.not_evaluated": nql_not_evaluated("t-es"),
        "awards.nql.granted": nql_granted("t-es"),
        "awards.nql.refused": nql_refused("t-es"),
        "awards.certificate.issued": certificate_issued("t-es"),
        "awards.school_label.eligible": school_label_eligible(),
        "awards.school_label.head_confirmation_requested": school_label_head_asked(),
        "awards.school_label.decided": school_label_decided(),
        "awards.eql.round_opened": eql_round_opened(),
        "awards.eql.nominee_refused": nominee_refused(),
        "awards.eql.awarded": eql_awarded(),
        "awards.prize.won": prize_won(),
        "awards.job.finished": job_finished(),
    }
    return samples[event_type]
