"""Events published by the projects service (rules R-PRJ-1..6).

Every change of a project's state is one of these events; `aggregate_id` is the project id.
Fields added after the first release have defaults, so older payloads still read.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.events.base import EventPayload
from shared.events.fields import CountryCode, EntityId, MemberRole, ProjectType


class ProjectMember(BaseModel):
    """A teacher taking part in a project, with the school they took part from (R-REG-5:
    a later change of school does not move the project)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    teacher_id: EntityId
    school_id: EntityId
    school_name: str
    country: CountryCode = Field(description="Country of the member's school.")
    role: MemberRole = Field(description="FOUNDER (the two founders) or PARTNER.")
    pupil_count: int = Field(
        ge=0,
        default=0,
        description="Pupils taking part from this member's school (counted once per school).",
    )
    administrator: bool = Field(
        default=False, description="May invite partners: founders always, partners if made so."
    )


class ProjectDetails(BaseModel):
    """What the founders describe; editable while the project is pending (R-PRJ-3)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    title: str
    description: str = ""
    subjects: list[str] = Field(default_factory=list, examples=[["computer science"]])
    pupil_age_min: int | None = Field(default=None, ge=0, le=25)
    pupil_age_max: int | None = Field(default=None, ge=0, le=25)
    languages: list[str] = Field(default_factory=list, description="Working languages.")
    tools: list[str] = Field(default_factory=list, description="Working (ICT) tools.")
    vocational_field: str | None = Field(default=None, description="[UNVERIFIED] field.")
    erasmus_plus_ref: str | None = Field(
        default=None, description="Reference of a linked Erasmus+ KA1/KA2 project [UNVERIFIED]."
    )


class ProjectProposed(EventPayload):
    """A founder proposed a project to a co-founder (R-PRJ-1); its type is fixed (R-PRJ-2)."""

    event_type = "projects.project.proposed"
    aggregate_field = "project_id"

    project_id: EntityId
    title: str
    project_type: ProjectType = Field(description="Fixed at creation, never changes (R-PRJ-5).")
    founder: ProjectMember
    cofounder: ProjectMember
    details: ProjectDetails | None = Field(default=None, description="The full description.")
    proposed_at: datetime | None = None


class ProjectEdited(EventPayload):
    """A founder edited a pending project (R-PRJ-3). Carries the details as they now are."""

    event_type = "projects.project.edited"
    aggregate_field = "project_id"

    project_id: EntityId
    edited_by: EntityId
    details: ProjectDetails
    edited_at: datetime


class ProjectWithdrawn(EventPayload):
    """A founder withdrew (deleted) a pending project (R-PRJ-3); it ends here."""

    event_type = "projects.project.withdrawn"
    aggregate_field = "project_id"

    project_id: EntityId
    withdrawn_by: EntityId
    reason: str | None = None
    member_ids: list[EntityId] = Field(default_factory=list, description="Both founders.")
    withdrawn_at: datetime


class CofounderResponded(EventPayload):
    """The co-founder accepted (the NSOs now decide) or rejected the proposal (R-PRJ-3)."""

    event_type = "projects.project.cofounder_responded"
    aggregate_field = "project_id"

    project_id: EntityId
    founder_id: EntityId
    cofounder_id: EntityId
    accepted: bool
    reason: str | None = None
    awaiting_nso_of: list[CountryCode] = Field(
        default_factory=list, description="Countries whose NSO must now approve (R-PRJ-3)."
    )


class NsoDecided(EventPayload):
    """The NSO of one founder's country decided (one decision per country, R-PRJ-3)."""

    event_type = "projects.project.nso_decided"
    aggregate_field = "project_id"

    project_id: EntityId
    country: CountryCode
    approved: bool
    reason: str | None = None
    awaiting_nso_of: list[CountryCode] = Field(
        default_factory=list, description="Countries whose NSO has still to decide."
    )


class ProjectActivated(EventPayload):
    """Every founder's NSO approved; the TwinSpace exists."""

    event_type = "projects.project.activated"
    aggregate_field = "project_id"

    project_id: EntityId
    title: str
    twinspace_id: EntityId
    member_ids: list[EntityId]
    activated_at: datetime


class ProjectRejected(EventPayload):
    """The co-founder or an NSO rejected the project; it ends as REJECTED (R-PRJ-3)."""

    event_type = "projects.project.rejected"
    aggregate_field = "project_id"

    project_id: EntityId
    rejected_by: str = Field(description="`cofounder` or `nso:<country>`.")
    reason: str
    member_ids: list[EntityId] = Field(default_factory=list, description="Both founders.")


class PartnerInvited(EventPayload):
    """An administrator of an active project invited a validated teacher (R-PRJ-4)."""

    event_type = "projects.project.partner_invited"
    aggregate_field = "project_id"

    project_id: EntityId
    title: str
    teacher_id: EntityId
    invited_by: EntityId


class PartnerJoined(EventPayload):
    """An invited teacher accepted and is now a member (R-PRJ-4)."""

    event_type = "projects.project.partner_joined"
    aggregate_field = "project_id"

    project_id: EntityId
    member: ProjectMember


class PartnerLeft(EventPayload):
    """A partner left an active project (founders cannot leave)."""

    event_type = "projects.project.partner_left"
    aggregate_field = "project_id"

    project_id: EntityId
    teacher_id: EntityId
    school_id: EntityId | None = None
    country: CountryCode | None = None
    left_at: datetime | None = None


class ProjectCompleted(EventPayload):
    """A founder closed an active project. Carries all that label evaluation needs."""

    event_type = "projects.project.completed"
    aggregate_field = "project_id"

    project_id: EntityId
    title: str
    project_type: ProjectType
    founder_countries: list[CountryCode] = Field(min_length=1)
    members: list[ProjectMember] = Field(min_length=2)
    created_at: datetime
    activated_at: datetime
    completed_at: datetime
    activity_count: int = Field(ge=0)
    pupil_count: int = Field(ge=0, description="Pupils of all member schools together.")
    founder_ids: list[EntityId] = Field(
        default_factory=list, description="The founder, then the co-founder."
    )
    completed_by: EntityId | None = None
    twinspace_id: EntityId | None = None


class ProjectArchived(EventPayload):
    """A completed project was archived: read-only from now on (R-PRJ-6)."""

    event_type = "projects.project.archived"
    aggregate_field = "project_id"

    project_id: EntityId
    archived_by: EntityId | None = None
    archived_at: datetime | None = None
