"""National Quality Label applications (R-NQL-1..6): opened when a project completes, submitted
by the member teacher, scored by the NSO of the teacher's country. Plain Python: no I/O."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.awards.nql.domain import errors
from services.awards.nql.domain.decision import Decision, decide
from services.awards.nql.domain.policy import Calendar, Rubric

Status = Literal["OPEN", "SUBMITTED", "NOT_EVALUATED_CAP", "GRANTED", "REFUSED"]
EUROPEAN = "EUROPEAN"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Member(_Model):
    teacher_id: str
    school_id: str = ""
    school_name: str = ""
    country: str


class ProjectFacts(_Model):
    """What awards keeps of a completed project (from projects.project.completed)."""

    project_id: str
    title: str
    project_type: str
    members: list[Member]
    completed_at: datetime

    def member(self, teacher_id: str) -> Member | None:
        return next((m for m in self.members if m.teacher_id == teacher_id), None)


class EligibilityAnswers(_Model):
    """The five eligibility questions of the ESEP NQL page; all must be yes (R-NQL-4)."""

    common_goals: bool = Field(description="Does the project have common goals and a shared plan?")
    finished_or_nearly_finished: bool = Field(description="Is it finished, or nearly finished?")
    contributed_to_all_activities: bool = Field(
        description="Did the applicant and their pupils contribute to all activities?"
    )
    partners_organised_collaborative_activities: bool = Field(
        description="Did the partners organise collaborative activities?"
    )
    data_protection_and_copyright: bool = Field(
        description="Were data protection and copyright taken into account?"
    )

    def answered_no(self) -> list[str]:
        return [name for name, yes in self.model_dump().items() if not yes]


class Evidence(_Model):
    text: str = Field(min_length=1, max_length=20_000)
    links: list[str] = Field(default_factory=list, max_length=20)


class DecisionRecord(_Model):
    """A decision as stored: the computed Decision plus who made it and when."""

    decision: Decision
    summary: str
    decided_at: datetime
    decided_by: str


class NqlApplication(_Model):
    """One per teacher per project (R-NQL-1 [ASSUMPTION]): the id is derived from both, so
    the same completion can never open two."""

    id: str
    project_id: str
    project_title: str
    teacher_id: str
    country: str
    school_id: str = ""
    school_name: str = ""
    status: Status
    opened_at: datetime
    answers: EligibilityAnswers | None = None
    evidence: Evidence | None = None
    submitted_at: datetime | None = None
    school_year: str | None = None
    position_in_school_year: int | None = None
    refusals: int = 0
    decision: DecisionRecord | None = None
    history: list[dict[str, Any]] = Field(default_factory=list)


class NotEligible(_Model):
    project_id: str
    teacher_id: str
    rule: str
    reason: str


def application_id(project_id: str, teacher_id: str) -> str:
    return f"nql_{project_id}_{teacher_id}"


def open_applications(
    project: ProjectFacts, now: datetime
) -> tuple[list[NqlApplication], list[NotEligible]]:
    if project.project_type != EUROPEAN:
        return [], [
            NotEligible(
                project_id=project.project_id,
                teacher_id=member.teacher_id,
                rule="R-NQL-2",
                reason="only European projects can apply for a National Quality Label "
                "(since 2022/23)",
            )
            for member in project.members
        ]
    return [
        NqlApplication(
            id=application_id(project.project_id, member.teacher_id),
            project_id=project.project_id,
            project_title=project.title,
            teacher_id=member.teacher_id,
            country=member.country,
            school_id=member.school_id,
            school_name=member.school_name,
            status="OPEN",
            opened_at=now,
        )
        for member in project.members
    ], []


# --- applying --------------------------------------------------------------------------------


def check_can_apply(
    project: ProjectFacts | None,
    application: NqlApplication | None,
    teacher_id: str,
    answers: EligibilityAnswers,
    calendar: Calendar,
    now: datetime,
) -> NqlApplication:
    """Every refusal is a 4xx with its rule id; returns the application to submit."""
    if project is None:
        raise errors.PROJECT_NOT_COMPLETED(
            "the project is not completed: an NQL application opens on completion"
        )
    if project.project_type != EUROPEAN:
        raise errors.NATIONAL_PROJECT_NOT_ELIGIBLE(
            "only European projects can apply for a National Quality Label",
            project_type=project.project_type,
        )
    if project.member(teacher_id) is None or application is None:
        raise errors.NOT_A_PROJECT_MEMBER(
            "an NQL is personal: apply only on a project you are a member of"
        )
    _check_not_applied_yet(application, calendar)
    if no := answers.answered_no():
        raise errors.ELIGIBILITY_ANSWERED_NO(
            f"every eligibility question must be answered yes; no to {no}", answered_no=no
        )
    _check_calendar(project, calendar, now)
    return application


def _check_not_applied_yet(application: NqlApplication, calendar: Calendar) -> None:
    if application.status == "OPEN":
        return
    if application.status == "REFUSED":
        if application.refusals <= calendar.reapplications_after_refusal:
            return
        raise errors.REAPPLICATIONS_USED(
            f"refused {application.refusals} time(s); the NSO of {application.country} allows "
            f"{calendar.reapplications_after_refusal} re-application(s) after a refusal",
            refusals=application.refusals,
            allowed=calendar.reapplications_after_refusal,
        )
    raise errors.ALREADY_APPLIED(
        f"already applied for this project (application is {application.status})",
        application_status=application.status,
    )


def _check_calendar(project: ProjectFacts, calendar: Calendar, now: datetime) -> None:
    if not calendar.is_open(now):
        windows = ", ".join(f"{w.opens}..{w.closes}" for w in calendar.application_windows)
        raise errors.APPLICATIONS_CLOSED(
            f"applications are closed; windows: {windows}", windows=windows
        )
    limit = calendar.school_years_to_apply
    elapsed = calendar.school_year_start(now) - calendar.school_year_start(project.completed_at)
    if limit is not None and elapsed >= limit:
        raise errors.APPLICATION_PERIOD_OVER(
            f"the project completed in {calendar.school_year(project.completed_at)}; applications "
            f"are accepted for {limit} school year(s) from then",
            school_years=limit,
        )


def submit(
    application: NqlApplication,
    answers: EligibilityAnswers,
    evidence: Evidence,
    calendar: Calendar,
    now: datetime,
    position_in_school_year: int,
) -> NqlApplication:
    """Only the first `evaluated_per_school_year` submissions of a teacher in a school year are
    evaluated, by submission order; later ones are kept as NOT_EVALUATED_CAP (R-NQL-3)."""
    evaluated = position_in_school_year <= calendar.evaluated_per_school_year
    history = list(application.history)
    if application.decision is not None:
        history.append(application.decision.model_dump(mode="json"))
    return application.model_copy(
        update={
            "status": "SUBMITTED" if evaluated else "NOT_EVALUATED_CAP",
            "answers": answers,
            "evidence": evidence,
            "submitted_at": now,
            "school_year": calendar.school_year(now),
            "position_in_school_year": position_in_school_year,
            "decision": None,
            "history": history,
        }
    )


# --- evaluating ------------------------------------------------------------------------------


def evaluate(
    application: NqlApplication,
    nso_country: str,
    rubric: Rubric,
    scores: dict[str, int],
    evaluator: str,
    now: datetime,
) -> NqlApplication:
    if nso_country != application.country:
        raise errors.NOT_THE_EVALUATING_NSO(
            f"only the NSO of {application.country} evaluates this application"
        )
    if application.status == "NOT_EVALUATED_CAP":
        raise errors.APPLICATION_CAP_REACHED(
            "this application is beyond the teacher's yearly cap: it is not evaluated"
        )
    if application.status != "SUBMITTED":
        raise errors.APPLICATION_NOT_SUBMITTED(
            f"only a submitted application is scored (this one is {application.status})",
            application_status=application.status,
        )
    decision = decide(rubric, scores)
    record = DecisionRecord(
        decision=decision, summary=decision.summary(), decided_at=now, decided_by=evaluator
    )
    refused = decision.outcome == "REFUSED"
    return application.model_copy(
        update={
            "status": decision.outcome,
            "decision": record,
            "refusals": application.refusals + (1 if refused else 0),
        }
    )
