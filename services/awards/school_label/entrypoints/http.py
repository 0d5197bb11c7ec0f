"""HTTP API of the eTwinning School Label (R-SCH-1, R-SCH-2). Thin: parse, authorize, call a
use case or a read of adapters/queries.py, shape the answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from services.awards.access import POLICY
from services.awards.school_label.adapters import queries
from services.awards.school_label.domain import errors
from services.awards.school_label.domain.model import Declaration, SchoolLabelApplication
from services.awards.school_label.domain.policy import SchoolLabelPolicy
from services.awards.school_label.service_layer import use_cases as school_label
from services.awards.school_label.service_layer.jobs import ELIGIBILITY_RUN
from shared.events.fields import CountryCode
from shared.http.access import Grant
from shared.http.auth import Principal
from shared.http.dependencies import ServiceClock, UoW
from shared.http.inputs import Filter, Identifier, LongText, Name, Text, Year
from shared.jobs.http import ACCEPTED_RESPONSE, start_job

router = APIRouter(prefix="/school-label", tags=["eTwinning School Label"])


def school_label_policy(request: Request) -> SchoolLabelPolicy:
    policy: SchoolLabelPolicy = request.app.state.school_label_policy
    return policy


Policy = Annotated[SchoolLabelPolicy, Depends(school_label_policy)]
Limit = Annotated[int, Query(ge=1, le=1000)]


class ApplyIn(BaseModel):
    school_id: Identifier
    year: Year = Field(description="First calendar year of the round.", examples=[2025])
    head_declaration: bool = Field(
        default=False,
        deprecated=True,
        description="Ignored: the school head confirms the declaration of honour through the "
        "link sent to the school head's e-mail (R-SCH-2), not the applying teacher.",
    )
    head_name: Name
    statement: LongText = Field(default="", description="The school's evidence.")


class DecisionIn(BaseModel):
    outcome: Literal["GRANTED", "REFUSED"]
    reason: Annotated[Text, Field(min_length=1, max_length=5_000)]


class ApplicationOut(BaseModel):
    id: str
    school_id: str
    school_name: str
    country: str
    year: int
    applicant_id: str
    status: str = Field(description="AWAITING_HEAD until the head confirms, then SUBMITTED.")
    submitted_at: datetime
    declaration: dict[str, Any]
    decision: dict[str, Any] | None = None


class HeadConfirmationOut(BaseModel):
    """What the school head is asked to confirm (no personal data of the applicant)."""

    application_id: str
    school_name: str
    year: int
    round: str
    head_name: str
    statement: str
    status: str


def _for_head(application: SchoolLabelApplication) -> HeadConfirmationOut:
    return HeadConfirmationOut(
        application_id=application.id,
        school_name=application.school_name,
        year=application.year,
        round=f"{application.year}-{application.year + 1}",
        head_name=application.declaration.head_name,
        statement=application.declaration.statement,
        status=application.status,
    )


class EligibleSchoolOut(BaseModel):
    school_id: str
    name: str
    country: str
    year: int
    round: str
    teacher_ids: list[str]
    checks: list[dict[str, Any]]
    found_at: datetime


def _principal(grant: Grant) -> Principal:
    assert grant.principal is not None
    return grant.principal


def _application_out(document: dict[str, Any]) -> ApplicationOut:
    fields = {k: v for k, v in document.items() if k in ApplicationOut.model_fields}
    return ApplicationOut(**{**fields, "id": document["_id"]})


@router.post(
    "/rounds/{year}/eligibility-run",
    status_code=status.HTTP_202_ACCEPTED,
    responses=ACCEPTED_RESPONSE,
)
async def run_eligibility(
    year: Year,
    request: Request,
    uow: UoW,
    policy: Policy,
    grant: Annotated[Grant, POLICY.grant("school_label.run")],
) -> JSONResponse:
    """Find the round's eligible schools and tell each one's registered eTwinners (R-SCH-1,
    R-SCH-2), as a job; its result holds `{candidates, newly_eligible, already_eligible,
    not_eligible}`. Safe to repeat: a school already found is not told again. A round not in
    the policy is refused now (404)."""
    school_label.round_dates(policy, year)
    assert grant.principal is not None
    return await start_job(request, uow, ELIGIBILITY_RUN, {"year": year}, grant.principal)


@router.get("/rounds/{year}/eligible-schools")
async def eligible_schools(
    year: Year,
    uow: UoW,
    grant: Annotated[Grant, POLICY.grant("school_label.eligible")],
    country: CountryCode | None = None,
    limit: Limit = 100,
) -> list[EligibleSchoolOut]:
    """Eligible schools with their teachers: a teacher sees their own school's, an NSO its
    country's."""
    found = await queries.eligible_schools(
        uow.database, year, grant.narrow_country(country), limit, grant.narrow_teacher(None)
    )
    return [EligibleSchoolOut(**document) for document in found]


@router.post("/applications", status_code=status.HTTP_201_CREATED)
async def apply(
    body: ApplyIn,
    request: Request,
    uow: UoW,
    clock: ServiceClock,
    policy: Policy,
    grant: Annotated[Grant, POLICY.grant("school_label.apply")],
) -> ApplicationOut:
    """A teacher of an eligible school applies for it within the round's application window
    (R-SCH-2). The application waits (AWAITING_HEAD) until the school head confirms the
    declaration of honour through the link sent to the school head's e-mail. One application
    per school and round."""
    teacher = _principal(grant)
    assert teacher.teacher_id is not None
    command = school_label.Apply(
        teacher_id=teacher.teacher_id,
        school_id=body.school_id,
        year=body.year,
        declaration=Declaration(head_name=body.head_name, statement=body.statement),
    )
    application = await school_label.apply(
        uow, policy, command, clock.now(), request.app.state.settings.base_url
    )
    return _application_out({**application.model_dump(), "_id": application.id})


@router.get("/head-confirmations/{token}")
async def head_confirmation(
    token: Annotated[str, Path(min_length=16, max_length=128)],
    uow: UoW,
    _: Annotated[Grant, POLICY.grant("school_label.head_confirmation")],
) -> HeadConfirmationOut:
    """The school head's link: what they are asked to confirm (the secret is the token)."""
    return _for_head(await school_label.application_for_head(uow, token))


@router.post("/head-confirmations/{token}")
async def confirm_by_head(
    token: Annotated[str, Path(min_length=16, max_length=128)],
    uow: UoW,
    clock: ServiceClock,
    policy: Policy,
    _: Annotated[Grant, POLICY.grant("school_label.head_confirm")],
) -> HeadConfirmationOut:
    """The school head confirms the declaration of honour (R-SCH-2): the application goes to
    the NSO of the school's country. Within the round's application window; once."""
    command = school_label.ConfirmByHead(token=token)
    return _for_head(await school_label.confirm_by_head(uow, policy, command, clock.now()))


@router.post("/applications/{application_id}/decision")
async def decide(
    application_id: Identifier,
    body: DecisionIn,
    uow: UoW,
    clock: ServiceClock,
    policy: Policy,
    grant: Annotated[Grant, POLICY.grant("school_label.decide")],
) -> ApplicationOut:
    """The NSO of the school's country grants the label for a biennium, or refuses it."""
    nso = _principal(grant)
    assert nso.country is not None
    command = school_label.Decide(
        application_id=application_id,
        nso_country=nso.country,
        decided_by=nso.subject,
        outcome=body.outcome,
        reason=body.reason,
    )
    decided = await school_label.decide(uow, policy, command, clock.now())
    return _application_out({**decided.model_dump(), "_id": decided.id})


@router.get("/applications")
async def list_applications(
    uow: UoW,
    grant: Annotated[Grant, POLICY.grant("school_label.applications")],
    year: Year | None = None,
    school_id: Identifier | None = None,
    status: Filter | None = None,
    limit: Limit = 100,
) -> list[ApplicationOut]:
    """An NSO sees its country's applications (its queue: status=SUBMITTED), oldest first."""
    found = await queries.applications(
        uow.database,
        year=year,
        school_id=school_id,
        status=status,
        country=grant.narrow_country(None),
        applicant_id=grant.narrow_teacher(None),
        limit=limit,
    )
    return [_application_out(document) for document in found]


@router.get("/applications/{application_id}")
async def get_application(
    application_id: Identifier,
    uow: UoW,
    grant: Annotated[Grant, POLICY.grant("school_label.application")],
) -> ApplicationOut:
    document = await queries.application(uow.database, application_id)
    if document is None:
        raise errors.UNKNOWN_SCHOOL_LABEL_APPLICATION(
            f"no School Label application {application_id}"
        )
    grant.check(teacher_ids=[document["applicant_id"]], countries=[document["country"]])
    return _application_out(document)


@router.get("/labels")
async def labels(
    uow: UoW,
    grant: Annotated[Grant, POLICY.grant("school_label.labels")],
    school_id: Identifier | None = None,
    limit: Limit = 100,
) -> list[ApplicationOut]:
    """Granted School Labels, each with its biennium and the head's declaration: the applying
    teacher's, the NSO's country's."""
    found = await queries.granted_labels(
        uow.database,
        school_id,
        limit,
        country=grant.narrow_country(None),
        applicant_id=grant.narrow_teacher(None),
    )
    return [_application_out(document) for document in found]
