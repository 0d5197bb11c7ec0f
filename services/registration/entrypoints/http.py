"""HTTP API of the registration service. Thin: parse, authorize, call a use case."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, EmailStr, Field

from services.registration.adapters import queries
from services.registration.adapters.partner_search import PartnerQuery, search_partners
from services.registration.domain.errors import UNKNOWN_SCHOOL, UNKNOWN_TEACHER
from services.registration.domain.model import School, Teacher
from services.registration.entrypoints.access import POLICY
from services.registration.entrypoints.policy import RegPolicy
from services.registration.service_layer import commands, handlers
from shared.events.fields import CountryCode, LanguageCode
from shared.http.access import Grant, Scope
from shared.http.auth import Principal
from shared.http.dependencies import ServiceClock, UoW
from shared.http.inputs import (
    Age,
    EmailText,
    Identifier,
    Keyword,
    Name,
    PageSize,
    ShortText,
    Text,
)

router = APIRouter(tags=["registration"])
# A partner-search cursor: the last row's `partner_order` (validation time | teacher id).
CURSOR_PATTERN = r"^\d{8}T\d{6}\.\d{6}(\|[\w-]*)?$"


class SchoolIn(BaseModel):
    name: Annotated[Name, Field(min_length=2)] = Field(examples=["IES Severo Ochoa"])
    town: Annotated[Name, Field(max_length=120)] = Field(examples=["Elx"])
    country: CountryCode
    kind: Annotated[ShortText, Field(max_length=100)] | None = Field(
        default=None, description="Level, e.g. ISCED 2-3, IVET."
    )
    address: Annotated[ShortText, Field(max_length=300)] | None = None
    postcode: Annotated[ShortText, Field(max_length=20)] | None = None
    head_name: Name | None = None
    head_email: EmailStr | None = None


class SchoolOut(BaseModel):
    id: str
    name: str
    town: str
    country: str
    details: dict[str, Any]

    @classmethod
    def of(cls, school: School) -> SchoolOut:
        return cls(
            id=school.id, name=school.name, town=school.town, country=school.country,
            details=school.details,
        )  # fmt: skip


class TeacherIn(BaseModel):
    name: Annotated[Name, Field(min_length=2)]
    email: EmailText = Field(
        description="Unique (R-REG-7); checked by the domain: `invalid_email`."
    )
    role: Annotated[ShortText, Field(max_length=40)] = Field(
        description="teacher, head_teacher, librarian or other_staff (R-REG-1)."
    )
    language: LanguageCode = "en"
    school_id: Identifier
    subjects: list[Keyword] = Field(default_factory=list, max_length=30)
    languages: list[Keyword] = Field(default_factory=list, max_length=30)
    pupil_age_min: Age | None = None
    pupil_age_max: Age | None = None


class TeacherOut(BaseModel):
    """A teacher's profile; `head_confirmation` is REQUESTED or CONFIRMED where the country
    verifies through the school head (R-REG-3), else null."""

    id: str
    name: str
    email: str
    role: str
    language: str
    school_id: str
    country: str
    status: str
    status_reason: str | None
    school_name: str = ""
    subjects: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    pupil_age_min: int | None = None
    pupil_age_max: int | None = None
    head_confirmation: str | None = None

    @classmethod
    def of(cls, teacher: Teacher) -> TeacherOut:
        return cls(
            id=teacher.id, name=teacher.name, email=teacher.email, role=teacher.role,
            language=teacher.language, school_id=teacher.school_id, country=teacher.country,
            status=teacher.status.value, status_reason=teacher.status_reason,
            school_name=teacher.school_name, subjects=teacher.subjects,
            languages=teacher.languages, pupil_age_min=teacher.pupil_age_min,
            pupil_age_max=teacher.pupil_age_max, head_confirmation=teacher.head_confirmation,
        )  # fmt: skip


class Rejection(BaseModel):
    reason: Annotated[Text, Field(min_length=3, max_length=1000)]


class SchoolChange(BaseModel):
    school_id: Identifier = Field(description="The new school (R-REG-5).")


class Deactivation(BaseModel):
    reason: Annotated[Text, Field(min_length=3, max_length=1000)]


class Partner(BaseModel):
    id: str
    name: str
    role: str
    school_id: str
    school_name: str
    country: str
    subjects: list[str]
    languages: list[str]
    pupil_age_min: int | None
    pupil_age_max: int | None


class PartnerPage(BaseModel):
    items: list[Partner]
    next: str | None = Field(description="Cursor of the next page (`after`); null at the end.")
    total: int = Field(
        description="Matches: exact when `total_is_estimate` is false, else an order of magnitude."
    )
    total_is_estimate: bool


def _actor(principal: Principal | None) -> str:
    assert principal is not None
    return f"nso:{principal.country}" if principal.role == "nso" else principal.role


def _country(grant: Grant) -> str:
    assert grant.principal is not None and grant.principal.country is not None
    return grant.principal.country


@router.post("/schools", status_code=status.HTTP_201_CREATED)
async def register_school(
    body: SchoolIn,
    uow: UoW,
    clock: ServiceClock,
    _: Annotated[Grant, POLICY.grant("schools.register")],
) -> SchoolOut:
    details = body.model_dump(exclude={"name", "town", "country"}, exclude_none=True, mode="json")
    command = commands.RegisterSchool(body.name, body.town, body.country, details)
    return SchoolOut.of(await handlers.register_school(command, uow, clock))


@router.get("/schools/{school_id}")
async def get_school(
    school_id: Identifier, uow: UoW, grant: Annotated[Grant, POLICY.grant("schools.read")]
) -> SchoolOut:
    school = await queries.find_school(uow.database, school_id)
    if school is None:
        raise UNKNOWN_SCHOOL(f"no school {school_id}")
    grant.check(countries=[school.country])
    return SchoolOut.of(school)


@router.post("/teachers", status_code=status.HTTP_201_CREATED)
async def register_teacher(
    body: TeacherIn,
    uow: UoW,
    clock: ServiceClock,
    policy: RegPolicy,
    grant: Annotated[Grant, POLICY.grant("teachers.register")],
) -> TeacherOut:
    # A person applying links their provider subject; an operator registering someone does not.
    caller = grant.principal
    subject = caller.subject if caller is not None and caller.role == "applicant" else None
    command = commands.RegisterTeacher(**body.model_dump(), identity_subject=subject)
    return TeacherOut.of(await handlers.register_teacher(command, uow, clock, policy))


@router.get("/teachers/{teacher_id}")
async def get_teacher(
    teacher_id: Identifier, uow: UoW, grant: Annotated[Grant, POLICY.grant("teachers.read")]
) -> TeacherOut:
    """The full profile, e-mail included: for the teacher, the NSO of the teacher's country, the
    CSS and operators. Other teachers find colleagues through `/partners`, which shows no e-mail."""
    teacher = await queries.find_teacher(uow.database, teacher_id)
    if teacher is None:
        raise UNKNOWN_TEACHER(f"no teacher {teacher_id}")
    grant.check(teacher_ids=[teacher.id], countries=[teacher.country])
    return TeacherOut.of(teacher)


@router.post("/teachers/{teacher_id}/validation")
async def validate_teacher(
    teacher_id: Identifier,
    uow: UoW,
    clock: ServiceClock,
    grant: Annotated[Grant, POLICY.grant("teachers.validate")],
) -> TeacherOut:
    command = commands.ValidateTeacher(teacher_id, _country(grant))  # R-REG-3 checks the row
    return TeacherOut.of(await handlers.validate_teacher(command, uow, clock))


@router.post("/teachers/{teacher_id}/rejection")
async def reject_teacher(
    teacher_id: Identifier,
    body: Rejection,
    uow: UoW,
    clock: ServiceClock,
    grant: Annotated[Grant, POLICY.grant("teachers.reject")],
) -> TeacherOut:
    command = commands.RejectTeacher(teacher_id, _country(grant), body.reason)
    return TeacherOut.of(await handlers.reject_teacher(command, uow, clock))


@router.post("/teachers/{teacher_id}/school-change")
async def change_school(
    teacher_id: Identifier,
    body: SchoolChange,
    uow: UoW,
    clock: ServiceClock,
    policy: RegPolicy,
    grant: Annotated[Grant, POLICY.grant("teachers.change_school")],
) -> TeacherOut:
    """R-REG-5: the teacher moves school and goes back to validation."""
    grant.check(teacher_ids=[teacher_id])
    command = commands.ChangeSchool(teacher_id, body.school_id)
    return TeacherOut.of(await handlers.change_school(command, uow, clock, policy))


@router.post("/teachers/{teacher_id}/deactivation")
async def deactivate_teacher(
    teacher_id: Identifier,
    body: Deactivation,
    uow: UoW,
    clock: ServiceClock,
    grant: Annotated[Grant, POLICY.grant("teachers.deactivate")],
) -> TeacherOut:
    """R-REG-2: by the teacher, the NSO of the school's country (R-REG-3), the CSS or an
    operator."""
    if grant.scope is Scope.OWN:
        grant.check(teacher_ids=[teacher_id])  # an NSO's country is R-REG-3's, in the domain
    command = commands.DeactivateTeacher(teacher_id, body.reason, _actor(grant.principal))
    return TeacherOut.of(await handlers.deactivate_teacher(command, uow, clock))


@router.post("/teachers/{teacher_id}/erasure")
async def erase_teacher(
    teacher_id: Identifier,
    uow: UoW,
    clock: ServiceClock,
    grant: Annotated[Grant, POLICY.grant("teachers.erase")],
) -> TeacherOut:
    """Right to erasure: personal data removed here, and `registration.teacher.erased` tells
    every other service to drop it too."""
    grant.check(teacher_ids=[teacher_id])
    return TeacherOut.of(
        await handlers.erase_teacher(commands.EraseTeacher(teacher_id), uow, clock)
    )


@router.get("/partners")
async def find_partners(
    uow: UoW,
    clock: ServiceClock,
    _: Annotated[Grant, POLICY.grant("partners.search")],
    country: Annotated[CountryCode | None, Query()] = None,
    subject: Annotated[Keyword | None, Query()] = None,
    language: Annotated[Keyword | None, Query(max_length=40)] = None,
    age_from: Annotated[Age | None, Query(description="Youngest pupils.")] = None,
    age_to: Annotated[Age | None, Query(description="Oldest pupils.")] = None,
    q: Annotated[
        Keyword | None,
        Query(min_length=3, description="Prefix of the school's name or town."),
    ] = None,
    after: Annotated[
        str | None,
        Query(max_length=200, pattern=CURSOR_PATTERN, description="`next` of the previous page."),
    ] = None,
    page_size: Annotated[PageSize, Query()] = 20,
) -> PartnerPage:
    """Validated teachers only (R-REG-4), newest validation first; case- and
    accent-insensitive. A page may hold fewer than `page_size` items while `next` is set (the
    search stops after examining a bounded number of rows); `total` is exact or estimated."""
    query = PartnerQuery(country, subject, language, age_from, age_to, q, after, page_size)
    found = await search_partners(uow.database, query, now=clock.now())
    items = [Partner(id=d.pop("_id"), **{"school_name": "", **d}) for d in found.items]
    return PartnerPage(
        items=items, next=found.next, total=found.total, total_is_estimate=found.total_is_estimate
    )
