"""The staff directory: NSO staff per country and CSS staff, managed by operators."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated, Literal, Self

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, EmailStr, Field, model_validator

from services.notifications.adapters import queries
from services.notifications.adapters.rules_file import load_rules
from services.notifications.domain.staff import StaffMember
from services.notifications.entrypoints.access import POLICY
from services.notifications.service_layer import staff as use_cases
from shared.errors import NotFound
from shared.events.fields import CountryCode, LanguageCode
from shared.http.access import Grant
from shared.http.inputs import Filter, Identifier, Keyword, Name, ShortText
from shared.http.problems import HttpProblem
from shared.runtime import runtime_of

router = APIRouter(prefix="/staff", tags=["staff directory"])


class StaffIn(BaseModel):
    name: Name
    email: EmailStr
    language: LanguageCode = "en"
    role: Literal["nso", "css"]
    country: CountryCode | None = Field(
        default=None, description="Required for NSO staff: the country they serve (R-REG-3)."
    )
    subject: ShortText | None = Field(
        default=None,
        description="The `sub` of this person's bearer tokens, which opens their inbox; "
        "defaults to `staff:<id>`.",
    )
    kinds: list[Keyword] = Field(
        default_factory=list,
        max_length=100,
        description="Notification kinds wanted (a rule's kind); empty means all of them.",
    )
    digest: Literal["immediate", "daily"] = Field(
        default="immediate", description="E-mail each notification, or one digest a day."
    )
    digest_hour: int = Field(default=7, ge=0, le=23, description="Hour of the digest (UTC).")

    @model_validator(mode="after")
    def nso_staff_serve_a_country(self) -> Self:
        if self.role == "nso" and self.country is None:
            raise ValueError("NSO staff serve one country: give `country` (R-REG-3)")
        if self.role == "css" and self.country is not None:
            raise ValueError("CSS staff serve every country: leave `country` out")
        return self

    def member(self, staff_id: str) -> StaffMember:
        return StaffMember(
            id=staff_id,
            subject=self.subject or f"staff:{staff_id}",
            name=self.name,
            email=str(self.email),
            language=self.language,
            role=self.role,
            country=self.country,
            kinds=frozenset(self.kinds),
            digest=self.digest,
            digest_hour=self.digest_hour,
        )


class StaffOut(BaseModel):
    id: str
    subject: str
    name: str
    email: str
    language: str
    role: str
    country: str | None
    kinds: list[str]
    digest: str
    digest_hour: int


@cache
def _known_kinds(path: Path | None) -> frozenset[str]:
    return frozenset(rule.kind for rule in load_rules(path).rules)


def known_kinds(request: Request) -> frozenset[str]:
    return _known_kinds(request.app.state.settings.notification_rules_path)


def _check_kinds(request: Request, body: StaffIn) -> None:
    known = known_kinds(request)
    unknown = sorted(set(body.kinds) - known)
    if unknown:
        raise HttpProblem(
            422, "unknown_notification_kind", f"unknown kinds {unknown}; known: {sorted(known)}"
        )


def _out(member: StaffMember) -> StaffOut:
    return StaffOut(
        id=member.id,
        subject=member.subject,
        name=member.name,
        email=member.email,
        language=member.language,
        role=member.role,
        country=member.country,
        kinds=sorted(member.kinds),
        digest=member.digest,
        digest_hour=member.digest_hour,
    )


@router.post("", status_code=201)
async def add_staff(
    request: Request, body: StaffIn, _: Annotated[Grant, POLICY.grant("staff.add")]
) -> StaffOut:
    _check_kinds(request, body)
    member = body.member(use_cases.new_staff_id())
    return _out(await use_cases.add_staff(runtime_of(request).unit_of_work, member))


@router.get("")
async def list_staff(
    request: Request,
    _: Annotated[Grant, POLICY.grant("staff.list")],
    role: Filter | None = None,
    country: CountryCode | None = None,
) -> list[StaffOut]:
    where = {k: v for k, v in {"role": role, "country": country}.items() if v}
    return [_out(m) for m in await queries.staff_members(runtime_of(request).database, where)]


@router.get("/{staff_id}")
async def get_staff(
    request: Request, staff_id: Identifier, _: Annotated[Grant, POLICY.grant("staff.read")]
) -> StaffOut:
    member = await queries.staff_member(runtime_of(request).database, staff_id)
    if member is None:
        raise NotFound(f"no staff member {staff_id}", reason="staff_not_found")
    return _out(member)


@router.put("/{staff_id}")
async def replace_staff(
    request: Request,
    staff_id: Identifier,
    body: StaffIn,
    _: Annotated[Grant, POLICY.grant("staff.replace")],
) -> StaffOut:
    _check_kinds(request, body)
    uow = runtime_of(request).unit_of_work
    return _out(await use_cases.update_staff(uow, staff_id, body.member(staff_id)))


@router.delete("/{staff_id}", status_code=204)
async def remove_staff(
    request: Request, staff_id: Identifier, _: Annotated[Grant, POLICY.grant("staff.remove")]
) -> Response:
    await use_cases.remove_staff(runtime_of(request).unit_of_work, staff_id)
    return Response(status_code=204)
