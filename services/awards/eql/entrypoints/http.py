"""HTTP API of the European Quality Label round (R-EQL-1..6). Thin: parse, authorize, call a
use case or read the round's snapshot (brought up to date first)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from services.awards.access import POLICY
from services.awards.common.domain.certificates import CertificateContent
from services.awards.common.domain.errors import UNKNOWN_CERTIFICATE
from services.awards.common.entrypoints.verification import EQL_LABEL, VerificationOut
from services.awards.common.service_layer.certificates import (
    CertificateRenderer,
    eql_content_by_code,
)
from services.awards.eql.adapters import queries
from services.awards.eql.domain import errors
from services.awards.eql.domain import model as eql
from services.awards.eql.domain.model import Assessment, CountryBreakdown
from services.awards.eql.domain.policy import EqlPolicy
from services.awards.eql.domain.review import NominationReview
from services.awards.eql.service_layer import candidates
from services.awards.eql.service_layer import use_cases as rounds
from services.awards.eql.service_layer.jobs import CLOSE_ROUND, OPEN_ROUND
from services.awards.nql.domain.errors import TEACHER_OR_PROJECT_REQUIRED
from shared.events.fields import CountryCode
from shared.http.access import Grant
from shared.http.auth import Principal
from shared.http.dependencies import ServiceClock, UoW
from shared.http.inputs import Identifier, Keyword, Year
from shared.jobs.http import ACCEPTED_RESPONSE, start_job
from shared.storage.mongo import Document
from shared.storage.unit_of_work import UnitOfWork

router = APIRouter(prefix="/eql", tags=["european quality label"])


def eql_policy(request: Request) -> EqlPolicy:
    policy: EqlPolicy = request.app.state.eql_policy
    return policy


Policy = Annotated[EqlPolicy, Depends(eql_policy)]


class OpenRoundIn(BaseModel):
    year: Year


class NominationIn(BaseModel):
    project_id: Identifier


class ClosureIn(BaseModel):
    force: bool = Field(
        default=False, description="Close before the nomination deadline (the CSS's call)."
    )


class ReviewsIn(BaseModel):
    reviews: list[NominationReview] = Field(
        min_length=1,
        max_length=500,
        description="One verdict per nomination: CONFIRMED, or REFUSED with a reason for the "
        "NSO. All are recorded, or none.",
    )


class ReviewOut(BaseModel):
    outcome: str
    reason: str = ""
    reviewed_by: str
    reviewed_at: datetime


class RoundOut(BaseModel):
    round_id: str
    year: int
    status: str
    period_start: datetime
    period_end: datetime
    projects_with_nql: int
    candidate_count: int
    opened_by: str
    opened_at: datetime
    nominations_close: datetime | None = Field(
        default=None, description="The nomination deadline; closing before it needs `force`."
    )
    awarded_projects: int = 0
    recipients: int = 0
    closed_at: datetime | None = None


class CandidateOut(BaseModel):
    project_id: str
    title: str
    average: float = Field(description="Mean of the NQL totals (see eql_policy.toml).")
    nql_count: int
    countries: list[str]
    breakdown: list[CountryBreakdown]
    nominable: bool = Field(description="Average strictly above the threshold (R-EQL-4).")
    nominated_by: str | None = Field(default=None, description="Country that nominated it.")


class CandidatesOut(BaseModel):
    year: int
    country: str | None
    quota: int | None = Field(default=None, description="Nominations allowed (R-EQL-4).")
    quota_used: int | None = None
    nql_projects: int | None = Field(
        default=None, description="Projects with an NQL granted in the country in the period."
    )
    min_average: float
    candidates: list[CandidateOut]


class NominationOut(BaseModel):
    project_id: str
    project_title: str
    country: str
    average: float
    nominated_by: str
    nominated_at: datetime
    awarded: bool
    review: ReviewOut | None = Field(
        default=None, description="The CSS's check (R-EQL-5); only confirmed ones are awarded."
    )


class LabelOut(BaseModel):
    label_id: str
    year: int
    project_id: str
    project_title: str
    teacher_id: str
    country: str
    school_name: str
    average: float
    certificate_code: str
    awarded_at: datetime


def _round_out(document: Document) -> RoundOut:
    return RoundOut(**{**document, "round_id": document["_id"]})


async def _round(uow: UnitOfWork, year: int) -> Document:
    document = await queries.round_of(uow.database, eql.round_id(year))
    if document is None:
        raise errors.UNKNOWN_EQL_ROUND(f"no EQL round for {year}")
    return document


@router.post("/rounds", status_code=status.HTTP_202_ACCEPTED, responses=ACCEPTED_RESPONSE)
async def open_round(
    body: OpenRoundIn,
    request: Request,
    uow: UoW,
    grant: Annotated[Grant, POLICY.grant("eql.open")],
) -> JSONResponse:
    """Open the year's round (R-EQL-1): a job computes the candidates and quotas, once, and
    inserts the round. A year that has its round is refused now (409 R-EQL-1)."""
    await rounds.refuse_second_round(uow, body.year)
    return await start_job(request, uow, OPEN_ROUND, {"year": body.year}, _principal(grant))


@router.get("/rounds/{year}")
async def get_round(
    year: Year, uow: UoW, _: Annotated[Grant, POLICY.grant("eql.round")]
) -> RoundOut:
    return _round_out(await _round(uow, year))


@router.post(
    "/rounds/{year}/closure", status_code=status.HTTP_202_ACCEPTED, responses=ACCEPTED_RESPONSE
)
async def close_round(
    year: Year,
    request: Request,
    uow: UoW,
    grant: Annotated[Grant, POLICY.grant("eql.close")],
    clock: ServiceClock,
    policy: Policy,
    body: ClosureIn | None = None,
) -> JSONResponse:
    """Close the round as a job: every confirmed nomination's recipients get the EQL and a
    certificate. Refused now (409) before the nomination deadline unless `force`, while a
    nomination is not reviewed (R-EQL-5), and once closed (R-EQL-1); safe to repeat while it
    is closing (it resumes)."""
    command = rounds.CloseRound(
        year=year, closed_by=_principal(grant).subject, force=body.force if body else False
    )
    await rounds.check_closable(uow, policy, command, clock)
    params = {"year": year, "force": int(command.force)}
    return await start_job(request, uow, CLOSE_ROUND, params, _principal(grant))


@router.get("/rounds/{year}/candidates")
async def list_candidates(
    year: Year,
    uow: UoW,
    policy: Policy,
    grant: Annotated[Grant, POLICY.grant("eql.candidates")],
    country: CountryCode | None = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
) -> CandidatesOut:
    """An NSO sees the candidates on which its country granted an NQL, best average first,
    with its quota; the CSS and operators see any country's, or all."""
    country = grant.narrow_country(country)
    current = await candidates.refresh_if_stale(uow, policy, year)  # current until the close
    if current is None:
        raise errors.UNKNOWN_EQL_ROUND(f"no EQL round for {year}")
    found = await queries.candidates(uow.database, current["snapshot_id"], country, limit)
    nominated = await queries.nominating_countries(
        uow.database, current["_id"], [d["project_id"] for d in found]
    )
    minimum = policy.nomination.min_average
    counter = (
        await queries.quota_counter(uow.database, current["_id"], country) if country else None
    )
    return CandidatesOut(
        year=year,
        country=country,
        quota=None if counter is None else counter["quota"],
        quota_used=None if counter is None else counter["used"],
        nql_projects=None if counter is None else counter["nql_projects"],
        min_average=minimum,
        candidates=[
            CandidateOut(
                **{k: d[k] for k in ("project_id", "title", "average", "nql_count", "countries")},
                breakdown=d["breakdown"],
                nominable=Assessment.model_validate(d).above(minimum),
                nominated_by=nominated.get(d["project_id"]),
            )
            for d in found
        ],
    )


@router.post("/rounds/{year}/nominations", status_code=status.HTTP_201_CREATED)
async def nominate(
    year: Year,
    body: NominationIn,
    uow: UoW,
    clock: ServiceClock,
    policy: Policy,
    grant: Annotated[Grant, POLICY.grant("eql.nominate")],
) -> NominationOut:
    """Nominate a candidate of your country (R-EQL-4, R-EQL-5). A refusal answers 4xx with the
    rule id and the numbers: average, min_average, quota, quota_used."""
    nso = _principal(grant)
    assert nso.country is not None
    command = rounds.Nominate(
        year=year, project_id=body.project_id, country=nso.country, nominated_by=nso.subject
    )
    return NominationOut(**await rounds.nominate(uow, policy, command, clock))


@router.post("/rounds/{year}/nominations/reviews")
async def review_nominations(
    year: Year,
    body: ReviewsIn,
    uow: UoW,
    clock: ServiceClock,
    grant: Annotated[Grant, POLICY.grant("eql.review")],
) -> list[NominationOut]:
    """The CSS confirms or refuses nominations, one or many at once (R-EQL-5). A refused one
    frees its quota place and its NSO is told the reason (awards.eql.nominee_refused)."""
    command = rounds.ReviewNominations(
        year=year, reviews=body.reviews, reviewed_by=_principal(grant).subject
    )
    return [NominationOut(**d) for d in await rounds.review_nominations(uow, command, clock)]


@router.get("/rounds/{year}/nominations")
async def list_nominations(
    year: Year,
    uow: UoW,
    grant: Annotated[Grant, POLICY.grant("eql.nominations")],
    country: CountryCode | None = None,
) -> list[NominationOut]:
    country = grant.narrow_country(country)
    current = await _round(uow, year)
    return [
        NominationOut(**d) for d in await queries.nominations(uow.database, current["_id"], country)
    ]


@router.get("/labels")
async def list_labels(
    uow: UoW,
    grant: Annotated[Grant, POLICY.grant("eql.labels")],
    teacher_id: Identifier | None = None,
    project_id: Identifier | None = None,
    year: Year | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[LabelOut]:
    """EQLs of a teacher or of a project: a teacher sees their own, an NSO its country's."""
    if not (teacher_id or project_id):
        raise TEACHER_OR_PROJECT_REQUIRED("give teacher_id or project_id")
    found = await queries.labels(
        uow.database,
        teacher_id=grant.narrow_teacher(teacher_id),
        project_id=project_id,
        year=year,
        country=grant.narrow_country(None),
        limit=limit,
    )
    return [LabelOut(**d, label_id=d["_id"]) for d in found]


@router.get(
    "/labels/{label_id}/certificate.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def download_certificate(
    label_id: Identifier,
    request: Request,
    uow: UoW,
    grant: Annotated[Grant, POLICY.grant("eql.certificate")],
) -> Response:
    """The holder, the NSO of the holder's country, the CSS and operators download it."""
    label = await queries.label(uow.database, label_id)
    if label is None:
        raise errors.UNKNOWN_EQL(f"no EQL {label_id}")
    grant.check(teacher_ids=[label["teacher_id"]], countries=[label["country"]])
    content = await _content(uow, label["certificate_code"], request)
    if content is None:
        raise errors.NO_EQL_CERTIFICATE(f"{label_id} has no certificate")
    renderer: CertificateRenderer = request.app.state.eql_certificate_renderer
    return Response(
        renderer.render(content),
        media_type=renderer.media_type,
        headers={"Content-Disposition": f'attachment; filename="{content.code}.pdf"'},
    )


@router.get("/certificates/{code}")
async def verify_certificate(
    code: Keyword, request: Request, uow: UoW, _: Annotated[Grant, POLICY.grant("eql.verify")]
) -> VerificationOut:
    """No token needed: confirms that the code belongs to a European Quality Label."""
    content = await _content(uow, code, request)
    if content is None:
        raise UNKNOWN_CERTIFICATE(f"no EQL certificate has the code {code!r}")
    return VerificationOut.of(content, EQL_LABEL)


def _principal(grant: Grant) -> Principal:
    assert grant.principal is not None
    return grant.principal


async def _content(uow: UnitOfWork, code: str, request: Request) -> CertificateContent | None:
    """The holder's name is read now, so an erasure applies to every later download."""
    return await eql_content_by_code(uow.database, code, request.app.state.settings.base_url)
