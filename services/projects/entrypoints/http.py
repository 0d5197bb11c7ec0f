"""HTTP API of the projects service. Thin: parse, authorize, call a use case."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel, Field, model_validator

from services.projects.adapters import queries
from services.projects.domain.model import Project, ProjectDetails
from services.projects.domain.rules import UNKNOWN_PROJECT
from services.projects.entrypoints.access import POLICY
from services.projects.service_layer import commands, handlers
from shared.http.access import Grant
from shared.http.dependencies import ServiceClock, UoW
from shared.http.inputs import Identifier, Keyword, Name, ShortText, Text

router = APIRouter(prefix="/projects", tags=["projects"])
teachers_router = APIRouter(prefix="/teachers", tags=["projects"])


Words = list[Keyword]
Age = Annotated[int, Field(ge=0, le=25)]
ProjectStatusName = Literal[
    "PENDING_PARTNER", "PENDING_NSO", "ACTIVE", "COMPLETED", "ARCHIVED", "REJECTED", "WITHDRAWN"
]


class DetailsChangesIn(BaseModel):
    """The editable description of a project; every field optional (R-PRJ-3 edit)."""

    title: Annotated[Name, Field(min_length=3)] | None = None
    description: Annotated[Text, Field(max_length=5000)] | None = None
    subjects: Words | None = Field(default=None, max_length=20)
    pupil_age_min: Age | None = None
    pupil_age_max: Age | None = None
    languages: Words | None = Field(default=None, max_length=20)
    tools: Words | None = Field(default=None, max_length=30)
    vocational_field: ShortText | None = None
    erasmus_plus_ref: Annotated[ShortText, Field(max_length=64)] | None = Field(
        default=None, description="Reference of a linked Erasmus+ KA1/KA2 project."
    )

    def changes(self) -> dict[str, Any]:
        values = self.model_dump(exclude_unset=True)
        return {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}


class ProposalIn(DetailsChangesIn):
    cofounder_id: Identifier
    title: Annotated[Name, Field(min_length=3)] = Field(examples=["NETWORK"])

    @model_validator(mode="after")
    def _age_range(self) -> ProposalIn:
        low, high = self.pupil_age_min, self.pupil_age_max
        if low is not None and high is not None and low > high:
            raise ValueError("pupil_age_min is above pupil_age_max")
        return self

    def details(self) -> ProjectDetails:
        changes = self.changes()
        changes.pop("cofounder_id", None)
        return ProjectDetails(
            title=self.title, **{k: v for k, v in changes.items() if k != "title"}
        )


class WithdrawalIn(BaseModel):
    reason: Annotated[Text, Field(max_length=1000)] | None = None


class AnswerIn(BaseModel):
    accept: bool
    reason: Annotated[Text, Field(max_length=1000)] | None = None


class DecisionIn(BaseModel):
    approve: bool
    reason: Annotated[Text, Field(max_length=1000)] | None = None


class TeacherRefIn(BaseModel):
    teacher_id: Identifier


class JoinIn(BaseModel):
    pupil_count: int | None = Field(
        default=None, ge=0, le=10_000, description="Pupils of your school taking part."
    )


class PupilsIn(BaseModel):
    pupil_count: int = Field(ge=0, le=10_000, description="Pupils of your school taking part.")


class ActivityIn(BaseModel):
    title: Name


class MemberOut(BaseModel):
    teacher_id: str
    school_id: str
    school_name: str
    country: str
    role: str
    administrator: bool
    pupil_count: int = Field(description="Pupils of this member's school (counted per school).")
    joined_at: datetime | None


class DetailsOut(BaseModel):
    subjects: list[str]
    pupil_age_min: int | None
    pupil_age_max: int | None
    languages: list[str]
    tools: list[str]
    vocational_field: str | None
    erasmus_plus_ref: str | None


class ProjectOut(BaseModel):
    id: str
    title: str
    description: str
    details: DetailsOut
    project_type: str
    status: str
    founder_id: str
    cofounder_id: str
    founder_countries: list[str]
    members: list[MemberOut]
    invited: list[str]
    nso_approvals: dict[str, bool]
    awaiting_nso_of: list[str]
    twinspace_id: str | None
    pupil_count: int
    activity_count: int
    ended_reason: str | None
    created_at: datetime
    activated_at: datetime | None
    completed_at: datetime | None
    archived_at: datetime | None
    history: list[dict[str, Any]]

    @classmethod
    def of(cls, p: Project) -> ProjectOut:
        d = p.details
        return cls(
            id=p.id, title=d.title, description=d.description,
            details=DetailsOut(
                subjects=list(d.subjects), pupil_age_min=d.pupil_age_min,
                pupil_age_max=d.pupil_age_max, languages=list(d.languages), tools=list(d.tools),
                vocational_field=d.vocational_field, erasmus_plus_ref=d.erasmus_plus_ref,
            ),
            project_type=p.project_type, status=p.status.value,
            founder_id=p.founder_id, cofounder_id=p.cofounder_id,
            founder_countries=p.founder_countries,
            members=[
                MemberOut(**vars(m), pupil_count=p.pupils_of(m)) for m in p.members
            ],
            invited=p.invited, nso_approvals=p.nso_approvals, awaiting_nso_of=p.awaiting_nso_of,
            twinspace_id=p.twinspace_id, pupil_count=p.pupil_count,
            activity_count=p.activity_count, ended_reason=p.ended_reason,
            created_at=p.created_at, activated_at=p.activated_at, completed_at=p.completed_at,
            archived_at=p.archived_at, history=p.history,
        )  # fmt: skip


class ProjectPage(BaseModel):
    items: list[ProjectOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at end.")


def _teacher_id(grant: Grant) -> str:
    assert grant.principal is not None and grant.principal.teacher_id is not None
    return grant.principal.teacher_id


# --- commands ------------------------------------------------------------------------------


@router.post("", status_code=status.HTTP_201_CREATED)
async def propose(
    body: ProposalIn,
    uow: UoW,
    clock: ServiceClock,
    grant: Annotated[Grant, POLICY.grant("projects.propose")],
) -> ProjectOut:
    command = commands.ProposeProject(_teacher_id(grant), body.cofounder_id, body.details())
    return ProjectOut.of(await handlers.propose_project(command, uow, clock))


@router.patch("/{project_id}")
async def edit(
    project_id: Identifier,
    body: DetailsChangesIn,
    uow: UoW,
    clock: ServiceClock,
    grant: Annotated[Grant, POLICY.grant("projects.edit")],
) -> ProjectOut:
    command = commands.EditProject(project_id, _teacher_id(grant), body.changes())
    return ProjectOut.of(await handlers.edit_project(command, uow, clock))


@router.post("/{project_id}/withdrawal")
async def withdraw(
    project_id: Identifier,
    uow: UoW,
    clock: ServiceClock,
    grant: Annotated[Grant, POLICY.grant("projects.withdraw")],
    body: WithdrawalIn | None = None,
) -> ProjectOut:
    reason = body.reason if body else None
    command = commands.WithdrawProject(project_id, _teacher_id(grant), reason)
    return ProjectOut.of(await handlers.withdraw_project(command, uow, clock))


@router.post("/{project_id}/cofounder-answer")
async def answer(
    project_id: Identifier,
    body: AnswerIn,
    uow: UoW,
    clock: ServiceClock,
    grant: Annotated[Grant, POLICY.grant("projects.answer")],
) -> ProjectOut:
    command = commands.RespondAsCofounder(project_id, _teacher_id(grant), body.accept, body.reason)
    return ProjectOut.of(await handlers.respond_as_cofounder(command, uow, clock))


@router.post("/{project_id}/nso-decision")
async def decide(
    project_id: Identifier,
    body: DecisionIn,
    uow: UoW,
    clock: ServiceClock,
    request: Request,
    grant: Annotated[Grant, POLICY.grant("projects.decide")],
) -> ProjectOut:
    assert grant.country is not None  # the use case checks it is a founder country (R-PRJ-3)
    may_reject = request.app.state.settings.nso_may_reject_projects
    command = commands.DecideAsNso(
        project_id, grant.country, body.approve, body.reason, may_reject=may_reject
    )
    return ProjectOut.of(await handlers.decide_as_nso(command, uow, clock))


@router.post("/{project_id}/invitations")
async def invite(
    project_id: Identifier,
    body: TeacherRefIn,
    uow: UoW,
    clock: ServiceClock,
    grant: Annotated[Grant, POLICY.grant("projects.invite")],
) -> ProjectOut:
    command = commands.InvitePartner(project_id, _teacher_id(grant), body.teacher_id)
    return ProjectOut.of(await handlers.invite_partner(command, uow, clock))


@router.post("/{project_id}/invitation-decline")
async def decline(
    project_id: Identifier,
    uow: UoW,
    clock: ServiceClock,
    grant: Annotated[Grant, POLICY.grant("projects.decline")],
) -> ProjectOut:
    command = commands.DeclineInvitation(project_id, _teacher_id(grant))
    return ProjectOut.of(await handlers.decline_invitation(command, uow, clock))


@router.post("/{project_id}/membership")
async def join(
    project_id: Identifier,
    uow: UoW,
    clock: ServiceClock,
    grant: Annotated[Grant, POLICY.grant("projects.join")],
    body: JoinIn | None = None,
) -> ProjectOut:
    pupils = body.pupil_count if body else None
    command = commands.JoinProject(project_id, _teacher_id(grant), pupils)
    return ProjectOut.of(await handlers.join_project(command, uow, clock))


@router.delete("/{project_id}/membership")
async def leave(
    project_id: Identifier,
    uow: UoW,
    clock: ServiceClock,
    grant: Annotated[Grant, POLICY.grant("projects.leave")],
) -> ProjectOut:
    command = commands.LeaveProject(project_id, _teacher_id(grant))
    return ProjectOut.of(await handlers.leave_project(command, uow, clock))


@router.post("/{project_id}/administrators")
async def appoint(
    project_id: Identifier,
    body: TeacherRefIn,
    uow: UoW,
    clock: ServiceClock,
    grant: Annotated[Grant, POLICY.grant("projects.appoint")],
) -> ProjectOut:
    command = commands.AppointAdministrator(project_id, _teacher_id(grant), body.teacher_id)
    return ProjectOut.of(await handlers.appoint_administrator(command, uow, clock))


@router.put("/{project_id}/pupils")
async def count_pupils(
    project_id: Identifier,
    body: PupilsIn,
    uow: UoW,
    clock: ServiceClock,
    grant: Annotated[Grant, POLICY.grant("projects.pupils")],
) -> ProjectOut:
    command = commands.CountPupils(project_id, _teacher_id(grant), body.pupil_count)
    return ProjectOut.of(await handlers.count_pupils(command, uow, clock))


@router.post("/{project_id}/activities")
async def record_activity(
    project_id: Identifier,
    body: ActivityIn,
    uow: UoW,
    clock: ServiceClock,
    grant: Annotated[Grant, POLICY.grant("projects.activity")],
) -> ProjectOut:
    command = commands.RecordActivity(project_id, _teacher_id(grant), body.title)
    return ProjectOut.of(await handlers.record_activity(command, uow, clock))


@router.post("/{project_id}/completion")
async def complete(
    project_id: Identifier,
    uow: UoW,
    clock: ServiceClock,
    grant: Annotated[Grant, POLICY.grant("projects.complete")],
) -> ProjectOut:
    command = commands.CompleteProject(project_id, _teacher_id(grant))
    return ProjectOut.of(await handlers.complete_project(command, uow, clock))


@router.post("/{project_id}/archive")
async def archive(
    project_id: Identifier,
    uow: UoW,
    clock: ServiceClock,
    grant: Annotated[Grant, POLICY.grant("projects.archive")],
) -> ProjectOut:
    command = commands.ArchiveProject(project_id, _teacher_id(grant))
    return ProjectOut.of(await handlers.archive_project(command, uow, clock))


# --- queries -------------------------------------------------------------------------------

Limit = Annotated[int, Query(ge=1, le=200)]
Cursor = Annotated[ShortText | None, Query(description="`next_cursor` of a page.")]


@router.get("/{project_id}")
async def get_project(
    project_id: Identifier, uow: UoW, grant: Annotated[Grant, POLICY.grant("projects.read")]
) -> ProjectOut:
    """A project with its members and its whole history."""
    project = await queries.find_project(uow.database, project_id)
    if project is None:
        raise UNKNOWN_PROJECT(f"no project {project_id}")
    teachers = [*(m.teacher_id for m in project.members), *project.invited]
    grant.check(teacher_ids=teachers, countries=project.member_countries)
    return ProjectOut.of(project)


@router.get("")
async def list_projects(
    uow: UoW,
    grant: Annotated[Grant, POLICY.grant("projects.list")],
    teacher_id: Identifier | None = None,
    country: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None,
    status_: Annotated[ProjectStatusName | None, Query(alias="status")] = None,
    project_type: Annotated[Literal["EUROPEAN", "NATIONAL"] | None, Query(alias="type")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> ProjectPage:
    """Projects newest first, by member country, status, type or member teacher; a teacher
    lists their own, an NSO its country's."""
    where = queries.ProjectFilter(
        grant.narrow_teacher(teacher_id), grant.narrow_country(country), status_, project_type
    )
    return _page(await queries.list_projects(uow.database, where, limit, cursor))


@teachers_router.get("/{teacher_id}/projects")
async def teacher_projects(
    teacher_id: Identifier,
    uow: UoW,
    grant: Annotated[Grant, POLICY.grant("projects.of_teacher")],
    limit: Limit = 50,
    cursor: Cursor = None,
) -> ProjectPage:
    """The projects a teacher is a member of, newest first (an NSO sees those of its country)."""
    where = queries.ProjectFilter(
        teacher_id=grant.narrow_teacher(teacher_id), country=grant.narrow_country(None)
    )
    return _page(await queries.list_projects(uow.database, where, limit, cursor))


def _page(page: queries.Page) -> ProjectPage:
    return ProjectPage(items=[ProjectOut.of(p) for p in page.items], next_cursor=page.next_cursor)
