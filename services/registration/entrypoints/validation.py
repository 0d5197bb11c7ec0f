"""The NSO's validation work (R-REG-3, R-REG-5): its queue with each country's verification
method, the school head's confirmation link, and a rejected teacher's new application."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from services.registration.adapters import queries
from services.registration.entrypoints.access import POLICY
from services.registration.entrypoints.http import TeacherOut
from services.registration.entrypoints.policy import RegPolicy
from services.registration.service_layer import commands, handlers
from shared.events.fields import CountryCode
from shared.http.access import Grant
from shared.http.dependencies import ServiceClock, UoW
from shared.http.inputs import Age, Identifier, Keyword, Name, ShortText

router = APIRouter(tags=["registration"])


class QueueSchool(BaseModel):
    id: str
    name: str
    town: str
    head_name: str | None = None


class Verification(BaseModel):
    method: str = Field(description="The country's method (registration_policy.toml).")
    description: str
    head_confirmation: str | None = Field(
        description="REQUESTED (the head was e-mailed) or CONFIRMED (the head followed the "
        "link); null where the method does not ask the head or the school has no head e-mail."
    )
    head_confirmed: bool
    head_confirmed_at: datetime | None = None


class WaitingTeacher(BaseModel):
    id: str
    name: str
    email: str
    role: str
    country: str
    school: QueueSchool
    waiting_since: datetime | None = Field(
        description="When they applied, applied again or changed school."
    )
    registered_at: datetime
    verification: Verification


class Reapplication(BaseModel):
    """The corrected data; what is left out stays as it was."""

    school_id: Identifier | None = None
    name: Annotated[Name, Field(min_length=2)] | None = None
    role: Annotated[ShortText, Field(max_length=40)] | None = None
    subjects: list[Keyword] | None = Field(default=None, max_length=30)
    languages: list[Keyword] | None = Field(default=None, max_length=30)
    pupil_age_min: Age | None = None
    pupil_age_max: Age | None = None


@router.get("/validations")
async def validation_queue(
    uow: UoW,
    policy: RegPolicy,
    grant: Annotated[Grant, POLICY.grant("teachers.validation_queue")],
    country: CountryCode | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[WaitingTeacher]:
    """Teachers waiting for the NSO of `country` (an NSO: its own), longest waiting first,
    with their school and how the country verifies them (R-REG-3)."""
    chosen = grant.narrow_country(country)
    waiting = await queries.validation_queue(uow.database, chosen, limit)
    items = []
    for teacher, school in waiting:
        method = policy.verification_of(teacher.country)
        head_name = school.details.get("head_name") if school else None
        items.append(
            WaitingTeacher(
                id=teacher.id,
                name=teacher.name,
                email=teacher.email,
                role=teacher.role,
                country=teacher.country,
                school=QueueSchool(
                    id=teacher.school_id,
                    name=school.name if school else teacher.school_name,
                    town=school.town if school else "",
                    head_name=head_name if isinstance(head_name, str) else None,
                ),
                waiting_since=teacher.status_changed_at,
                registered_at=teacher.registered_at,
                verification=Verification(
                    method=method.id,
                    description=method.description,
                    head_confirmation=teacher.head_confirmation,
                    head_confirmed=teacher.head_confirmation == "CONFIRMED",
                    head_confirmed_at=teacher.head_confirmed_at,
                ),
            )
        )
    return items


@router.post("/head-confirmations/{token}")
async def confirm_by_head(
    token: Annotated[str, Field(min_length=16, max_length=64)],
    uow: UoW,
    clock: ServiceClock,
    _: Annotated[Grant, POLICY.grant("teachers.head_confirmation")],
) -> dict[str, str]:
    """The school head confirms that the teacher works at the school (R-REG-3, e.g. ES). The
    link's secret is the authority: the head holds no account. Says only who was confirmed."""
    teacher = await handlers.confirm_by_head(commands.ConfirmByHead(token), uow, clock)
    return {"teacher_name": teacher.name, "school_name": teacher.school_name}


@router.post("/teachers/{teacher_id}/reapplication")
async def reapply(
    teacher_id: Identifier,
    body: Reapplication,
    uow: UoW,
    clock: ServiceClock,
    policy: RegPolicy,
    grant: Annotated[Grant, POLICY.grant("teachers.reapply")],
) -> TeacherOut:
    """R-REG-2: a rejected teacher corrects their data and is back in the NSO's queue (where
    the policy allows it; `reapplication_not_allowed` otherwise)."""
    grant.check(teacher_ids=[teacher_id])
    command = commands.Reapply(teacher_id, **body.model_dump())
    return TeacherOut.of(await handlers.reapply(command, uow, clock, policy))
