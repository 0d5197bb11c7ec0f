"""The eTwinning School Label (R-SCH-1, R-SCH-2): which schools a round finds eligible, who
may apply for an eligible school, and the NSO's decision, which gives a label for a biennium
of two calendar years. Plain Python: no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.awards.school_label.domain import errors
from services.awards.school_label.domain.policy import RoundDates, Thresholds

ELIGIBILITY_RULE = "R-SCH-1"
APPLICATION_RULE = "R-SCH-2"
Outcome = Literal["GRANTED", "REFUSED"]
Status = Literal["AWAITING_HEAD", "SUBMITTED", "GRANTED", "REFUSED"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class SchoolFacts(_Model):
    """A school as registration.school.registered made it known."""

    school_id: str
    name: str
    country: str
    registered_at: datetime
    head_name: str | None = None
    head_email: str | None = None


class TeacherFacts(_Model):
    """A teacher's current school and status, from the registration.teacher.* events."""

    teacher_id: str
    school_id: str = ""
    country: str = ""
    status: str = ""
    registered_at: datetime | None = None
    validated_at: datetime | None = None


class NqlGrant(_Model):
    """An NQL granted to one of the school's teachers; only European projects have NQLs
    (R-NQL-2), so each is on a European project."""

    project_id: str
    granted_at: datetime


class Check(_Model):
    rule: str
    check: str
    required: int
    actual: int
    passed: bool


class Assessment(_Model):
    school_id: str
    eligible: bool
    checks: list[Check]
    teachers_to_notify: list[str] = Field(default_factory=list)

    def failed(self) -> list[str]:
        return [check.check for check in self.checks if not check.passed]


def day_of(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def end_of(day: date) -> datetime:
    """The first instant after `day`: inclusive day bounds become `< end_of(day)`."""
    return start_of(day + timedelta(days=1))


# --- R-SCH-1: eligibility --------------------------------------------------------------------


def is_active(
    teacher: TeacherFacts,
    dates: RoundDates,
    thresholds: Thresholds,
    active_in_awards: Iterable[str] = (),
) -> bool:
    """One of the school's teachers (status), with an activity since the cut-off. Activity
    seen in awards' own records (project completions, NQL applications) comes in
    `active_in_awards`; registration and validation dates are on the teacher."""
    if teacher.status not in thresholds.active_statuses:
        return False
    signals = set(thresholds.activity_signals)
    since = dates.teachers_active_since
    own_dates = {"registered": teacher.registered_at, "validated": teacher.validated_at}
    if any(
        moment is not None and signal in signals and day_of(moment) >= since
        for signal, moment in own_dates.items()
    ):
        return True
    return teacher.teacher_id in set(active_in_awards)


def undecided_teachers(
    school: SchoolFacts | None,
    teachers: Sequence[TeacherFacts],
    dates: RoundDates,
    thresholds: Thresholds,
) -> list[str]:
    """The teachers whose activity must be looked up in awards' records to decide the
    school: none when the school fails on its registration date or its own dates already
    show enough active teachers (keeps the run's lookups to what can change the outcome)."""
    if school is None or day_of(school.registered_at) > dates.registered_on_or_before:
        return []
    counted = [t for t in teachers if t.status in thresholds.active_statuses]
    active = {t.teacher_id for t in counted if is_active(t, dates, thresholds)}
    if len(active) >= thresholds.min_active_teachers:
        return []
    return [t.teacher_id for t in counted if t.teacher_id not in active]


def assess(
    school_id: str,
    school: SchoolFacts | None,
    teachers: Sequence[TeacherFacts],
    nql_grants: Sequence[NqlGrant],
    dates: RoundDates,
    thresholds: Thresholds,
    *,
    active_in_awards: Iterable[str] = (),
    holds_label: bool = False,
) -> Assessment:
    """All three conditions of R-SCH-1, plus the label already held for the round's year."""
    active_elsewhere = set(active_in_awards)
    registered_in_time = school is not None and (
        day_of(school.registered_at) <= dates.registered_on_or_before
    )
    active = [t for t in teachers if is_active(t, dates, thresholds, active_elsewhere)]
    projects = {
        grant.project_id
        for grant in nql_grants
        if dates.nql_granted_from <= day_of(grant.granted_at) <= dates.nql_granted_until
    }
    checks = [
        _check("registered_on_or_before", 1, int(registered_in_time)),
        _check("active_teachers", thresholds.min_active_teachers, len(active)),
        _check("european_projects_with_nql", 1, len(projects)),
        _check("no_label_for_the_year", 0, int(holds_label), at_most=True),
    ]
    eligible = all(check.passed for check in checks)
    notified = [t.teacher_id for t in teachers if t.status in thresholds.notified_statuses]
    return Assessment(
        school_id=school_id,
        eligible=eligible,
        checks=checks,
        teachers_to_notify=sorted(notified) if eligible else [],
    )


def _check(name: str, required: int, actual: int, *, at_most: bool = False) -> Check:
    passed = actual <= required if at_most else actual >= required
    return Check(rule=ELIGIBILITY_RULE, check=name, required=required, actual=actual, passed=passed)


def label_covers(biennium: tuple[int, int], year: int) -> bool:
    first, last = biennium
    return first <= year <= last


# --- R-SCH-2: application and decision -------------------------------------------------------


class Declaration(_Model):
    """The head's declaration of honour (R-SCH-2): the head confirms it through a link sent
    to the school head's e-mail; the applying teacher cannot tick it for them."""

    head_declaration: bool = Field(
        default=False,
        description="True once the school head confirmed the declaration of honour.",
    )
    head_name: str = Field(min_length=1, max_length=200)
    head_email: str = Field(default="", max_length=320)
    statement: str = Field(default="", max_length=20_000)
    confirmed_at: datetime | None = None


class SchoolLabelDecision(_Model):
    outcome: Outcome
    reason: str
    decided_by: str
    decided_at: datetime
    biennium: tuple[int, int] | None = None


class SchoolLabelApplication(_Model):
    """One per school per round: the id is derived from both."""

    id: str
    school_id: str
    school_name: str
    country: str
    year: int
    applicant_id: str
    declaration: Declaration
    status: Status
    submitted_at: datetime
    decision: SchoolLabelDecision | None = None
    head_token_hash: str | None = Field(
        default=None, description="SHA-256 of the head's confirmation link secret."
    )


def application_id(school_id: str, year: int) -> str:
    return f"sch_{year}_{school_id}"


def submit(
    *,
    eligible_school: SchoolFacts | None,
    year: int,
    teacher: TeacherFacts | None,
    existing: SchoolLabelApplication | None,
    declaration: Declaration,
    thresholds: Thresholds,
    now: datetime,
    dates: RoundDates | None = None,
    head_email: str | None = None,
    head_token_hash: str | None = None,
) -> SchoolLabelApplication:
    """The application waits for the head's confirmation (AWAITING_HEAD) when a link goes to
    the head's e-mail (`head_token_hash`); without one (older callers) it is submitted."""
    if dates is not None and not dates.takes_applications(day_of(now)):
        raise errors.APPLICATIONS_NOT_OPEN(
            f"the {dates.name} round takes applications from {dates.applications_open} to "
            f"{dates.applications_close}",
            applications_open=dates.applications_open.isoformat(),
            applications_close=dates.applications_close.isoformat(),
        )
    if eligible_school is None:
        raise errors.SCHOOL_NOT_ELIGIBLE(f"the school is not eligible for the {year} round")
    if teacher is None or teacher.school_id != eligible_school.school_id:
        raise errors.NOT_A_TEACHER_OF_THE_SCHOOL("only a teacher of the eligible school may apply")
    if teacher.status not in thresholds.notified_statuses:
        raise errors.TEACHER_STATUS_NOT_ALLOWED(
            f"a {teacher.status} teacher may not apply", teacher_status=teacher.status
        )
    if head_token_hash is None and not declaration.head_declaration:
        raise errors.DECLARATION_MISSING("the head's declaration of honour is required")
    if existing is not None:
        raise errors.SCHOOL_ALREADY_APPLIED(
            f"the school already applied in the {year} round ({existing.id})",
            application_id=existing.id,
        )
    if head_token_hash is not None and not head_email:
        raise errors.HEAD_EMAIL_UNKNOWN(
            f"{eligible_school.name} has no head's e-mail on record: the head could not be asked "
            "to confirm the declaration of honour"
        )
    awaiting = head_token_hash is not None
    if awaiting:
        declaration = declaration.model_copy(
            update={"head_declaration": False, "head_email": head_email or ""}
        )
    return SchoolLabelApplication(
        id=application_id(eligible_school.school_id, year),
        school_id=eligible_school.school_id,
        school_name=eligible_school.name,
        country=eligible_school.country,
        year=year,
        applicant_id=teacher.teacher_id,
        declaration=declaration,
        status="AWAITING_HEAD" if awaiting else "SUBMITTED",
        submitted_at=now,
        head_token_hash=head_token_hash,
    )


def confirm_by_head(
    application: SchoolLabelApplication | None, dates: RoundDates, now: datetime
) -> SchoolLabelApplication:
    """The head follows the link: the declaration of honour is theirs, the application goes to
    the NSO. Within the round's application window only; a link works once."""
    if application is None or application.status != "AWAITING_HEAD":
        raise errors.UNKNOWN_HEAD_CONFIRMATION(
            "this link confirms no waiting application (confirmed already, or unknown)"
        )
    if not dates.takes_applications(day_of(now)):
        raise errors.APPLICATIONS_NOT_OPEN(
            f"the {dates.name} round took applications until {dates.applications_close}",
            applications_open=dates.applications_open.isoformat(),
            applications_close=dates.applications_close.isoformat(),
        )
    declaration = application.declaration.model_copy(
        update={"head_declaration": True, "confirmed_at": now}
    )
    # the hash stays: the head may open the link again and see it confirmed
    return application.model_copy(update={"status": "SUBMITTED", "declaration": declaration})


def decide(
    application: SchoolLabelApplication,
    *,
    nso_country: str,
    outcome: Outcome,
    reason: str,
    decided_by: str,
    biennium: tuple[int, int],
    now: datetime,
) -> SchoolLabelApplication:
    """The NSO of the school's country assesses the evidence (R-SCH-2)."""
    if nso_country != application.country:
        raise errors.NOT_THE_SCHOOLS_NSO(
            f"only the NSO of {application.country} decides on this school"
        )
    if application.status == "AWAITING_HEAD":
        raise errors.HEAD_NOT_CONFIRMED(
            f"the head of {application.school_name} has not confirmed the declaration yet"
        )
    if application.status != "SUBMITTED":
        raise errors.ALREADY_DECIDED(
            f"already decided: {application.status}", application_status=application.status
        )
    decision = SchoolLabelDecision(
        outcome=outcome,
        reason=reason,
        decided_by=decided_by,
        decided_at=now,
        biennium=biennium if outcome == "GRANTED" else None,
    )
    return application.model_copy(update={"status": outcome, "decision": decision})
