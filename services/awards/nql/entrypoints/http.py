"""HTTP API of the National Quality Label. Thin: parse, authorize, call a use case or a read
of adapters/queries.py, shape the answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status
from pydantic import BaseModel, Field, HttpUrl, UrlConstraints

from services.awards.access import POLICY
from services.awards.common.service_layer.certificates import (
    CertificateRenderer,
    certificate_of_application,
    content_of,
)
from services.awards.nql.adapters import queries
from services.awards.nql.domain import errors
from services.awards.nql.domain.model import EligibilityAnswers, Evidence
from services.awards.nql.domain.policy import NqlPolicy
from services.awards.nql.entrypoints.responses import (
    ApplicationDetailOut,
    ApplicationOut,
    LabelOut,
    NotEligibleOut,
    application_out,
    detail_out,
    label_out,
)
from services.awards.nql.service_layer import use_cases as applications
from shared.http.access import Grant
from shared.http.auth import Principal
from shared.http.dependencies import ServiceClock, UoW
from shared.http.inputs import Filter, Identifier, Keyword, LongText, Score
from shared.storage.unit_of_work import UnitOfWork

router = APIRouter(prefix="/nql", tags=["national quality label"])


def nql_policy(request: Request) -> NqlPolicy:
    policy: NqlPolicy = request.app.state.nql_policy
    return policy


Policy = Annotated[NqlPolicy, Depends(nql_policy)]


class EvidenceIn(BaseModel):
    text: Annotated[LongText, Field(min_length=1)] = Field(
        description="The teacher's own contribution."
    )
    links: list[Annotated[HttpUrl, UrlConstraints(max_length=2_048)]] = Field(
        default_factory=list, max_length=20
    )
    per_criterion: dict[str, str] = Field(
        default_factory=dict,
        max_length=20,
        description="Evidence per criterion id of the rubric (GET /nql/rubrics/{country}).",
    )


class ApplyIn(BaseModel):
    answers: EligibilityAnswers
    evidence: EvidenceIn


class EvaluationIn(BaseModel):
    scores: dict[Keyword, Score] = Field(
        max_length=100,
        description="Points per sub-criterion id of the rubric of the applicant's country.",
        examples=[
            {
                "online_collaboration": 2,
                "communication": 2,
                "ict": 2,
                "gdpr_copyright_esafety": 2,
                "pedagogy": 4,
                "curriculum": 4,
                "results": 4,
            }
        ],
    )
    feedback: str | None = Field(
        default=None,
        max_length=5_000,
        description="Words to the teacher, stored and sent with the decision.",
    )


@router.post("/projects/{project_id}/applications", status_code=status.HTTP_201_CREATED)
async def apply(
    project_id: Identifier,
    body: ApplyIn,
    uow: UoW,
    clock: ServiceClock,
    policy: Policy,
    grant: Annotated[Grant, POLICY.grant("nql.apply")],
) -> ApplicationDetailOut:
    """Apply for the NQL on one of your projects (R-NQL-1..4, R-NQL-6). Beyond the yearly
    cap the application is kept with status NOT_EVALUATED_CAP (R-NQL-3)."""
    teacher = _principal(grant)
    assert teacher.teacher_id is not None
    command = applications.Apply(
        teacher_id=teacher.teacher_id,
        project_id=project_id,
        answers=body.answers,
        evidence=Evidence(
            text=body.evidence.text,
            links=[str(u) for u in body.evidence.links],
            per_criterion=body.evidence.per_criterion,
        ),
    )
    return detail_out(await applications.apply(uow, policy, command, clock))


@router.post("/applications/{application_id}/evaluation")
async def evaluate(
    application_id: Identifier,
    body: EvaluationIn,
    request: Request,
    uow: UoW,
    clock: ServiceClock,
    policy: Policy,
    grant: Annotated[Grant, POLICY.grant("nql.evaluate")],
) -> ApplicationDetailOut:
    """Score an application of your country; the decision is computed (R-NQL-5)."""
    nso = _principal(grant)
    assert nso.country is not None
    command = applications.Evaluate(
        application_id=application_id,
        nso_country=nso.country,
        evaluator=nso.subject,
        scores=body.scores,
        feedback=body.feedback,
    )
    base_url = request.app.state.settings.base_url
    return detail_out(await applications.evaluate(uow, policy, command, clock, base_url))


@router.get("/applications")
async def list_applications(
    uow: UoW,
    grant: Annotated[Grant, POLICY.grant("nql.applications")],
    teacher_id: Identifier | None = None,
    project_id: Identifier | None = None,
    status: Filter | None = None,
    country: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[ApplicationOut]:
    """Applications with their status and, once decided, the explanation (no evidence): a
    teacher's own, an NSO's country's."""
    found = await queries.applications(
        uow.database,
        teacher_id=grant.narrow_teacher(teacher_id),
        project_id=project_id,
        status=status,
        country=grant.narrow_country(country),
        limit=limit,
    )
    return [application_out(d) for d in found]


@router.get("/applications/{application_id}")
async def get_application(
    application_id: Identifier, uow: UoW, grant: Annotated[Grant, POLICY.grant("nql.application")]
) -> ApplicationDetailOut:
    document = await _readable_application(uow, application_id, grant)
    return detail_out(document)


@router.get("/queue")
async def nso_queue(
    uow: UoW,
    grant: Annotated[Grant, POLICY.grant("nql.queue")],
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[ApplicationDetailOut]:
    """Applications waiting for this NSO's evaluation, oldest submission first."""
    return [detail_out(d) for d in await queries.nso_queue(uow.database, grant.country, limit)]


@router.get("/labels")
async def list_labels(
    uow: UoW,
    grant: Annotated[Grant, POLICY.grant("nql.labels")],
    teacher_id: Identifier | None = None,
    project_id: Identifier | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[LabelOut]:
    """Granted NQLs of a teacher or of a project, with the explanation and certificate code."""
    if not (teacher_id or project_id):
        raise errors.TEACHER_OR_PROJECT_REQUIRED("give teacher_id or project_id")
    granted = await queries.granted_labels(
        uow.database,
        teacher_id=grant.narrow_teacher(teacher_id),
        project_id=project_id,
        country=grant.narrow_country(None),
        limit=limit,
    )
    return [label_out(label.application, label.certificate_code) for label in granted]


@router.get("/not-eligible")
async def list_not_eligible(
    uow: UoW, project_id: Identifier, grant: Annotated[Grant, POLICY.grant("nql.not_eligible")]
) -> list[NotEligibleOut]:
    """Members of a project who may not apply, and why (a teacher sees their own)."""
    found = await queries.not_eligible(uow.database, project_id, grant.narrow_teacher(None))
    return [NotEligibleOut(**d) for d in found]


@router.get(
    "/applications/{application_id}/certificate.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def download_certificate(
    application_id: Identifier,
    request: Request,
    uow: UoW,
    grant: Annotated[Grant, POLICY.grant("nql.certificate")],
) -> Response:
    await _readable_application(uow, application_id, grant)
    certificate = await certificate_of_application(uow.database, application_id)
    if certificate is None:
        raise errors.NO_NQL_CERTIFICATE(f"{application_id} has no certificate: it is not granted")
    content = await content_of(uow.database, certificate, request.app.state.settings.base_url)
    renderer: CertificateRenderer = request.app.state.certificate_renderer
    return Response(
        renderer.render(content),
        media_type=renderer.media_type,
        headers={"Content-Disposition": f'attachment; filename="{certificate.code}.pdf"'},
    )


async def _readable_application(
    uow: UnitOfWork, application_id: Identifier, grant: Grant
) -> dict[str, Any]:
    """The teacher reads their own; an NSO those of its country; the CSS and operators all."""
    document = await queries.application(uow.database, application_id)
    if document is None:
        raise errors.UNKNOWN_NQL_APPLICATION(f"no NQL application {application_id}")
    grant.check(teacher_ids=[document["teacher_id"]], countries=[document["country"]])
    return document


def _principal(grant: Grant) -> Principal:
    assert grant.principal is not None
    return grant.principal
