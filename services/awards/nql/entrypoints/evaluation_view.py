"""What an evaluator sees to score an NQL application (R-NQL-5): the application with its
evidence per criterion, the rubric of the applicant's country (criteria, sub-criteria, maxima,
key minimums), the project's description, aims and TwinSpace, and its partners with their
NQL status. Read only; the NSO of the application's country, the CSS and operators. And the
decision some scores would give, before the NSO submits them (evaluation-preview)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from services.awards.access import POLICY
from services.awards.nql.adapters import queries
from services.awards.nql.domain import errors
from services.awards.nql.domain.decision import Decision, decide
from services.awards.nql.domain.policy import NqlPolicy, Rubric
from services.awards.nql.entrypoints.responses import ApplicationDetailOut, detail_out
from shared.http.access import Grant
from shared.http.dependencies import UoW
from shared.http.inputs import Identifier, Keyword, Score

router = APIRouter(prefix="/nql", tags=["national quality label"])


def _nql_policy(request: Request) -> NqlPolicy:
    policy: NqlPolicy = request.app.state.nql_policy
    return policy


class ProjectView(BaseModel):
    project_id: str
    title: str = ""
    status: str | None = Field(default=None, description="ACTIVE or COMPLETED, when known.")
    description: str = ""
    aims: str = ""
    twinspace_id: str | None = Field(default=None, description="The project's TwinSpace.")


class PartnerView(BaseModel):
    teacher_id: str
    school_name: str = ""
    country: str
    nql_status: str | None = Field(
        default=None, description="Their own NQL application's status on the project, if any."
    )


class CriterionEvidence(BaseModel):
    criterion_id: str
    title: str
    max_points: int
    evidence: str = Field(default="", description="What the applicant wrote for it.")


class EvaluationView(BaseModel):
    application: ApplicationDetailOut
    rubric: Rubric
    project: ProjectView
    partners: list[PartnerView]
    evidence_by_criterion: list[CriterionEvidence]


@router.get("/applications/{application_id}/evaluation-view")
async def evaluation_view(
    application_id: Identifier,
    uow: UoW,
    policy: Annotated[NqlPolicy, Depends(_nql_policy)],
    grant: Annotated[Grant, POLICY.grant("nql.evaluation_view")],
) -> EvaluationView:
    """Everything the NSO scores an application on, in one answer."""
    document = await queries.application(uow.database, application_id)
    if document is None:
        raise errors.UNKNOWN_NQL_APPLICATION(f"no NQL application {application_id}")
    grant.check(countries=[document["country"]])
    rubric = policy.for_country(document["country"]).rubric
    project: dict[str, Any] = await queries.project_of(uow.database, document["project_id"]) or {}
    statuses = {
        a["teacher_id"]: a["status"]
        for a in await queries.applications_of_project(uow.database, document["project_id"])
    }
    members = project.get("members") or {}
    listed = members.values() if isinstance(members, dict) else members
    per_criterion = (document.get("evidence") or {}).get("per_criterion") or {}
    return EvaluationView(
        application=detail_out(document),
        rubric=rubric,
        project=ProjectView(
            project_id=document["project_id"],
            title=project.get("title") or document["project_title"],
            status=project.get("status") or ("COMPLETED" if project.get("completed_at") else None),
            description=project.get("description", ""),
            aims=project.get("aims", ""),
            twinspace_id=project.get("twinspace_id"),
        ),
        partners=[
            PartnerView(
                teacher_id=m["teacher_id"],
                school_name=m.get("school_name", ""),
                country=m["country"],
                nql_status=statuses.get(m["teacher_id"]),
            )
            for m in sorted(listed, key=lambda m: m["teacher_id"])
            if m["teacher_id"] != document["teacher_id"]
        ],
        evidence_by_criterion=[
            CriterionEvidence(
                criterion_id=c.id,
                title=c.title,
                max_points=c.max_points,
                evidence=per_criterion.get(c.id, ""),
            )
            for c in rubric.criteria
        ],
    )


class PreviewIn(BaseModel):
    scores: dict[Keyword, Score] = Field(
        max_length=100,
        description="Points per sub-criterion id of the rubric of the applicant's country.",
    )


@router.post("/applications/{application_id}/evaluation-preview")
async def evaluation_preview(
    application_id: Identifier,
    body: PreviewIn,
    uow: UoW,
    policy: Annotated[NqlPolicy, Depends(_nql_policy)],
    grant: Annotated[Grant, POLICY.grant("nql.evaluation_preview")],
) -> Decision:
    """The decision these scores would give (R-NQL-5), computed by the same function as the
    evaluation, with nothing stored: the NSO sees it before submitting."""
    document = await queries.application(uow.database, application_id)
    if document is None:
        raise errors.UNKNOWN_NQL_APPLICATION(f"no NQL application {application_id}")
    grant.check(countries=[document["country"]])
    return decide(policy.for_country(document["country"]).rubric, dict(body.scores))
