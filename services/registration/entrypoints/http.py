"""HTTP API of the registration service. Thin: parse, authorize, call a use case."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, EmailStr, Field

from services.registration.adapters.partner_search import PartnerQuery, search_partners
from services.registration.adapters.repository import SCHOOLS, TEACHERS, school_from, teacher_from
from services.registration.adapters.school_search import SchoolQuery, search_schools
from services.registration.domain.model import School, Teacher
from services.registration.service_layer import commands, handlers
from shared.errors import NotFound
from shared.events.fields import CountryCode, LanguageCode
from shared.http.auth import Principal, require_role
from shared.http.dependencies import UoW
from shared.http.problems import HttpProblem

router = APIRouter(tags=["registration"])


class SchoolIn(BaseModel):
    name: str = Field(min_length=2, max_length=200, examples=["IES Severo Ochoa"])
    town: str = Field(min_length=1, max_length=120, examples=["Elx"])
    country: CountryCode
    kind: str | None = Field(default=None, description="Level, e.g. ISCED 2-3, IVET.")
    address: str | None = None
    postcode: str | None = None
    head_name: str | None = None
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
    name: str = Field(min_length=2, max_length=200)
    email: str = Field(
        max_length=320, description="Unique (R-REG-7); checked by the domain: `invalid_email`."
    )
    role: str = Field(
        max_length=40, description="teacher, head_teacher, librarian or other_staff (R-REG-1)."
    )
    language: LanguageCode = "en"
    school_id: str
    subjects: list[str] = Field(default_factory=list, max_length=30)
    languages: list[str] = Field(default_factory=list, max_length=30)
    pupil_age_min: int | None = Field(default=None, ge=0, le=99)
    pupil_age_max: int | None = Field(default=None, ge=0, le=99)


class TeacherOut(BaseModel):
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

    @classmethod
    def of(cls, teacher: Teacher) -> TeacherOut:
        return cls(
            id=teacher.id, name=teacher.name, email=teacher.email, role=teacher.role,
            language=teacher.language, school_id=teacher.school_id, country=teacher.country,
            status=teacher.status.value, status_reason=teacher.status_reason,
            school_name=teacher.school_name, subjects=teacher.subjects,
            languages=teacher.languages, pupil_age_min=teacher.pupil_age_min,
            pupil_age_max=teacher.pupil_age_max,
        )  # fmt: skip


class Rejection(BaseModel):
    reason: str = Field(min_length=3, max_length=1000)


class SchoolChange(BaseModel):
    school_id: str = Field(min_length=1, max_length=64, description="The new school (R-REG-5).")


class Deactivation(BaseModel):
    reason: str = Field(min_length=3, max_length=1000)


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


class SchoolHit(BaseModel):
    id: str
    name: str
    town: str
    country: str


Applicant = Annotated[Principal, Depends(require_role("applicant", "operator"))]
Nso = Annotated[Principal, Depends(require_role("nso"))]
SelfOrOperator = Annotated[Principal, Depends(require_role("teacher", "operator"))]
Deactivator = Annotated[Principal, Depends(require_role("teacher", "nso", "css", "operator"))]
Searcher = Annotated[Principal, Depends(require_role("teacher", "nso", "css", "operator"))]
Reader = Annotated[Principal, Depends(require_role("teacher", "nso", "css", "operator"))]


def _require_self(principal: Principal, teacher_id: str) -> None:
    if principal.role == "teacher" and principal.teacher_id != teacher_id:
        raise HttpProblem(403, "not_your_profile", "a teacher may change only their own profile")


def _require_may_read(principal: Principal, teacher: Teacher) -> None:
    if principal.role == "teacher" and principal.teacher_id != teacher.id:
        raise HttpProblem(403, "not_your_profile", "a teacher may read only their own profile")
    if principal.role == "nso" and principal.country != teacher.country:
        raise HttpProblem(
            403, "wrong_nso", "an NSO reads the profiles of its own country's teachers only"
        )


def _actor(principal: Principal) -> str:
    return f"nso:{principal.country}" if principal.role == "nso" else principal.role


@router.post("/schools", status_code=status.HTTP_201_CREATED)
async def register_school(body: SchoolIn, uow: UoW, _: Applicant) -> SchoolOut:
    details = body.model_dump(exclude={"name", "town", "country"}, exclude_none=True, mode="json")
    command = commands.RegisterSchool(body.name, body.town, body.country, details)
    return SchoolOut.of(await handlers.register_school(command, uow))


@router.get("/schools/{school_id}")
async def get_school(school_id: str, uow: UoW) -> SchoolOut:
    document = await uow.database[SCHOOLS].find_one({"_id": school_id})
    if document is None:
        raise NotFound(f"no school {school_id}", reason="unknown_school")
    return SchoolOut.of(school_from(document))


@router.post("/teachers", status_code=status.HTTP_201_CREATED)
async def register_teacher(body: TeacherIn, uow: UoW, _: Applicant) -> TeacherOut:
    command = commands.RegisterTeacher(**body.model_dump())
    return TeacherOut.of(await handlers.register_teacher(command, uow))


@router.get("/teachers/{teacher_id}")
async def get_teacher(teacher_id: str, uow: UoW, principal: Reader) -> TeacherOut:
    """The full profile, e-mail included: for the teacher, the NSO of the teacher's country, the
    CSS and operators. Other teachers find colleagues through `/partners`, which shows no e-mail."""
    document = await uow.database[TEACHERS].find_one({"_id": teacher_id})
    if document is None:
        raise NotFound(f"no teacher {teacher_id}", reason="unknown_teacher")
    teacher = teacher_from(document)
    _require_may_read(principal, teacher)
    return TeacherOut.of(teacher)


@router.post("/teachers/{teacher_id}/validation")
async def validate_teacher(teacher_id: str, uow: UoW, nso: Nso) -> TeacherOut:
    assert nso.country is not None
    command = commands.ValidateTeacher(teacher_id, nso.country)
    return TeacherOut.of(await handlers.validate_teacher(command, uow))


@router.post("/teachers/{teacher_id}/rejection")
async def reject_teacher(teacher_id: str, body: Rejection, uow: UoW, nso: Nso) -> TeacherOut:
    assert nso.country is not None
    command = commands.RejectTeacher(teacher_id, nso.country, body.reason)
    return TeacherOut.of(await handlers.reject_teacher(command, uow))


@router.post("/teachers/{teacher_id}/school-change")
async def change_school(
    teacher_id: str, body: SchoolChange, uow: UoW, principal: SelfOrOperator
) -> TeacherOut:
    """R-REG-5: the teacher moves school and goes back to validation."""
    _require_self(principal, teacher_id)
    command = commands.ChangeSchool(teacher_id, body.school_id)
    return TeacherOut.of(await handlers.change_school(command, uow))


@router.post("/teachers/{teacher_id}/deactivation")
async def deactivate_teacher(
    teacher_id: str, body: Deactivation, uow: UoW, principal: Deactivator
) -> TeacherOut:
    """R-REG-2: by the teacher, the NSO of the school's country (R-REG-3), the CSS or an
    operator."""
    _require_self(principal, teacher_id)
    command = commands.DeactivateTeacher(teacher_id, body.reason, _actor(principal))
    return TeacherOut.of(await handlers.deactivate_teacher(command, uow))


@router.post("/teachers/{teacher_id}/erasure")
async def erase_teacher(teacher_id: str, uow: UoW, principal: SelfOrOperator) -> TeacherOut:
    """Right to erasure: personal data removed here, and `registration.teacher.erased` tells
    every other service to drop it too."""
    _require_self(principal, teacher_id)
    return TeacherOut.of(await handlers.erase_teacher(commands.EraseTeacher(teacher_id), uow))


@router.get("/partners")
async def find_partners(
    uow: UoW,
    _: Searcher,
    country: Annotated[CountryCode | None, Query()] = None,
    subject: Annotated[str | None, Query(max_length=100)] = None,
    language: Annotated[str | None, Query(max_length=40)] = None,
    age_from: Annotated[int | None, Query(ge=0, le=99, description="Youngest pupils.")] = None,
    age_to: Annotated[int | None, Query(ge=0, le=99, description="Oldest pupils.")] = None,
    q: Annotated[
        str | None,
        Query(min_length=3, max_length=100, description="Prefix of the school's name or town."),
    ] = None,
    after: Annotated[
        str | None, Query(max_length=200, description="`next` of the previous page.")
    ] = None,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> PartnerPage:
    """Validated teachers only (R-REG-4), newest validation first; case- and
    accent-insensitive. A page may hold fewer than `page_size` items while `next` is set (the
    search stops after examining a bounded number of rows); `total` is exact or estimated."""
    query = PartnerQuery(country, subject, language, age_from, age_to, q, after, page_size)
    found = await search_partners(uow.database, query, now=datetime.now(UTC))
    items = [Partner(id=d.pop("_id"), **{"school_name": "", **d}) for d in found.items]
    return PartnerPage(
        items=items, next=found.next, total=found.total, total_is_estimate=found.total_is_estimate
    )


@router.get(
    "/schools",
    responses={400: {"description": "`search_too_broad`: fewer than 2 characters of the name."}},
)
async def find_schools(
    uow: UoW,
    name: Annotated[str, Query(min_length=1, max_length=200, description="Prefix of the name.")],
    country: Annotated[CountryCode | None, Query()] = None,
    town: Annotated[str | None, Query(max_length=120, description="Prefix of the town.")] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[SchoolHit]:
    """For registration: is my school already registered? Case- and accent-insensitive
    prefixes; sorted by name (by town, then name, with a country and a town)."""
    rows = await search_schools(uow.database, SchoolQuery(name, country, town, limit))
    return [SchoolHit(**row) for row in rows]
