"""National Quality Label applications (R-NQL-1..6): opened when a project completes, submitted
by the member teacher, scored by the NSO of the teacher's country. Plain Python: no I/O."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.awards.nql.domain import errors
from services.awards.nql.domain.decision import Decision, decide
from services.awards.nql.domain.policy import Calendar, Rubric, Scope

if TYPE_CHECKING:
    from services.awards.nql.domain.project_state import ProjectState

APPLIES = frozenset({"ACTIVE", "COMPLETED"})  # project statuses a member applies in

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
    per_criterion: dict[str, str] = Field(
        default_factory=dict,
        max_length=20,
        description="Evidence per criterion id of the country's rubric (the evaluator scores "
        "each criterion against its own evidence).",
    )


def check_evidence(evidence: Evidence, rubric: Rubric) -> None:
    """Evidence per criterion names criteria of the rubric the application is scored on."""
    known = {criterion.id for criterion in rubric.criteria}
    if unknown := sorted(set(evidence.per_criterion) - known):
        raise errors.EVIDENCE_NOT_THE_RUBRIC(
            f"evidence names criteria the rubric {rubric.id} does not have: {unknown}",
            unknown=unknown,
        )
    if too_long := sorted(c for c, text in evidence.per_criterion.items() if len(text) > 20_000):
        raise errors.EVIDENCE_NOT_THE_RUBRIC(
            f"evidence of {too_long} is longer than 20000 characters", too_long=too_long
        )


class DecisionRecord(_Model):
    """A decision as stored: the computed Decision plus who made it and when."""

    decision: Decision
    summary: str
    decided_at: datetime
    decided_by: str
    feedback: str | None = Field(
        default=None, description="The NSO's words to the teacher, sent with the decision."
    )


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


def project_to_apply_on(
    completed: ProjectFacts | None, state: ProjectState | None, now: datetime
) -> ProjectFacts:
    """The project as an application checks it (eligibility question 2: finished or nearly
    finished): a completed project's facts, or an active one's as known so far. The refusal
    says why: unknown project, project not active (pending, rejected, withdrawn)."""
    if completed is not None:
        return completed
    if state is None:
        raise errors.UNKNOWN_PROJECT("no such project is known to the awards service")
    if state.status not in APPLIES:
        raise errors.PROJECT_NOT_ACTIVE(
            f"the project is {state.status}: only an active or completed European project "
            "applies for an NQL",
            project_status=state.status,
        )
    return ProjectFacts(
        project_id=state.project_id,
        title=state.title,
        project_type=state.project_type or "",
        members=list(state.members.values()),
        completed_at=now,  # not completed yet: its school year is the current one
    )


def open_application_for(project: ProjectFacts, teacher_id: str, now: datetime) -> NqlApplication:
    """A member of an active project applies before any completion opened their application."""
    member = project.member(teacher_id)
    assert member is not None
    return NqlApplication(
        id=application_id(project.project_id, teacher_id),
        project_id=project.project_id,
        project_title=project.title,
        teacher_id=teacher_id,
        country=member.country,
        school_id=member.school_id,
        school_name=member.school_name,
        status="OPEN",
        opened_at=now,
    )


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
    _check_not_applied_yet(application, calendar, now)
    if no := answers.answered_no():
        raise errors.ELIGIBILITY_ANSWERED_NO(
            f"every eligibility question must be answered yes; no to {no}", answered_no=no
        )
    _check_calendar(project, calendar, now)
    return application


def check_one_per_school(
    teacher_id: str, school_id: str, applications_of_the_school: list[NqlApplication], scope: Scope
) -> None:
    """R-NQL-1 [ASSUMPTION]: one NQL per teacher per project by default; with `one_per =
    "school"` (the 2006 rule) a second teacher of a school that applied on the project is
    refused. `applications_of_the_school` are the project's applications from `school_id`."""
    if scope.one_per != "school" or not school_id:
        return
    for other in applications_of_the_school:
        if other.teacher_id != teacher_id and other.status in SUBMITTED_OR_DECIDED:
            raise errors.ONE_NQL_PER_SCHOOL(
                f"one NQL per school per project: {other.school_name or school_id} applied "
                f"already (application {other.id} is {other.status})",
                application_id=other.id,
            )


SUBMITTED_OR_DECIDED = frozenset({"SUBMITTED", "NOT_EVALUATED_CAP", "GRANTED"})


def may_apply_again_from(calendar: Calendar, moment: datetime) -> date:
    """R-NQL-3: a capped submission may be submitted again from the next school year's first
    day (the yearly count starts again then)."""
    month, day = (int(part) for part in calendar.school_year_starts.split("-"))
    return date(calendar.school_year_start(moment) + 1, month, day)


def _check_not_applied_yet(
    application: NqlApplication, calendar: Calendar, now: datetime | None = None
) -> None:
    if application.status == "OPEN":
        return
    if (
        application.status == "NOT_EVALUATED_CAP"
        and now is not None
        and application.school_year != calendar.school_year(now)
    ):
        return  # R-NQL-3: beyond the cap in its year, not forever
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
    feedback: str | None = None,
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
        decision=decision,
        summary=decision.summary(),
        decided_at=now,
        decided_by=evaluator,
        feedback=feedback or None,
    )
    refused = decision.outcome == "REFUSED"
    return application.model_copy(
        update={
            "status": decision.outcome,
            "decision": record,
            "refusals": application.refusals + (1 if refused else 0),
        }
    )
